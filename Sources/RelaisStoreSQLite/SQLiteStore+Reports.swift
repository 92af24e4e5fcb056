import RelaisMerge
import RelaisStore
import RelaisModel
import Foundation
import GRDB

extension SQLiteStore {
    @discardableResult
    public func addReport(serviceID: String, field: String?, message: String, suggestedValue: String?, contactEmail: String?, at: Date) throws -> Int64 {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM service WHERE id = ?", arguments: [serviceID]) != nil else {
                throw RelaisError(.notFound, "fiche « \(serviceID) » introuvable")
            }
            try db.execute(
                sql: "INSERT INTO report (service_id, field, message, suggested_value, contact_email, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [serviceID, field, message, suggestedValue, contactEmail, Self.iso(at)])
            return db.lastInsertedRowID
        }
    }

    /// Stores a report unless one of `limits` is reached — the count and the
    /// insertion in one write transaction, so parallel senders cannot slip
    /// past a limit. A refusal stores nothing but adds to an aggregated
    /// `report.limited` audit row.
    public func addReport(serviceID: String, field: String?, message: String, suggestedValue: String?, contactEmail: String?,
                          windows limits: [RateWindow], at: Date) throws -> ReportOutcome {
        let now = at.timeIntervalSince1970
        let keep = max(86400, limits.map(\.seconds).max() ?? 0)
        return try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM service WHERE id = ?", arguments: [serviceID]) != nil else {
                throw RelaisError(.notFound, "fiche « \(serviceID) » introuvable")
            }
            try db.execute(sql: "DELETE FROM report_event WHERE at < ?", arguments: [now - keep])
            var refusal: (wait: TimeInterval, window: RateWindow)?
            for w in limits {
                let since = now - w.seconds
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report_event WHERE key = ? AND at > ?", arguments: [w.key, since]) ?? 0
                guard count >= w.limit else { continue }
                // A place frees when the oldest event that keeps the count at the limit leaves the window.
                let oldest = try Double.fetchOne(
                    db, sql: "SELECT at FROM report_event WHERE key = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?",
                    arguments: [w.key, since, max(0, count - w.limit)]) ?? now
                let wait = max(1, oldest + w.seconds - now)
                if wait > (refusal?.wait ?? 0) { refusal = (wait, w) }
            }
            if let refusal {
                try Self.auditAggregated(db, actor: "public", action: "report.limited", at: at)
                return .limited(retryAfter: refusal.wait, window: refusal.window)
            }
            for key in Set(limits.map(\.key)) {
                try db.execute(sql: "INSERT INTO report_event (key, at) VALUES (?, ?)", arguments: [key, now])
            }
            try db.execute(
                sql: "INSERT INTO report (service_id, field, message, suggested_value, contact_email, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [serviceID, field, message, suggestedValue, contactEmail, Self.iso(at)])
            return .added(db.lastInsertedRowID)
        }
    }

    public func reportCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report") ?? 0 }
    }

    public func reports(status: String?, limit: Int = 200) throws -> [Report] {
        try pool.read { db in
            let sql = """
                SELECT r.*, s.name AS service_name FROM report r LEFT JOIN service s ON s.id = r.service_id
                \(status == nil ? "" : "WHERE r.status = ?") ORDER BY r.id DESC LIMIT ?
                """
            let args: StatementArguments = status.map { [$0, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: sql, arguments: args).map(Self.report)
        }
    }

    public func report(id: Int64) throws -> Report? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT r.*, s.name AS service_name FROM report r LEFT JOIN service s ON s.id = r.service_id WHERE r.id = ?", arguments: [id]).map(Self.report)
        }
    }

    public func resolveReport(id: Int64, status: String, by: String, at: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE report SET status = ?, resolved_by = ?, resolved_at = ? WHERE id = ? AND status = 'open'", arguments: [status, by, Self.iso(at), id])
            guard db.changesCount == 1 else { throw RelaisError(.notFound, "signalement n° \(id) introuvable ou déjà traité") }
        }
    }

    static func report(_ r: Row) -> Report {
        Report(id: r["id"], serviceID: r["service_id"], serviceName: r["service_name"], field: r["field"], message: r["message"],
               suggestedValue: r["suggested_value"], contactEmail: r["contact_email"], createdAt: r["created_at"], status: r["status"],
               resolvedBy: r["resolved_by"], resolvedAt: r["resolved_at"])
    }
}
