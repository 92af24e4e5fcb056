import Foundation
import RelaisModel
import RelaisStore

extension PostgresStore {
    static let reportSelect = """
        SELECT r.id, r.service_id, r.field, r.message, r.suggested_value, r.contact_email, iso(r.created_at) AS created_at, r.status,
               r.resolved_by, iso(r.resolved_at) AS resolved_at, s.name AS service_name
        FROM report r LEFT JOIN service s ON s.id = r.service_id
        """

    @discardableResult
    public func addReport(serviceID: String, field: String?, message: String, suggestedValue: String?, contactEmail: String?, at: Date) throws -> Int64 {
        try pool.write { c in
            try Self.requireListing(c, serviceID)
            return try Self.insertReport(c, serviceID: serviceID, field: field, message: message, suggestedValue: suggestedValue, contactEmail: contactEmail, at: at)
        }
    }

    /// Stores a report unless one of `limits` is reached — the count and the
    /// insertion in one write transaction under the reports advisory lock, so
    /// parallel senders, on any instance, cannot slip past a limit. A refusal
    /// stores nothing but adds to an aggregated `report.limited` audit row.
    public func addReport(serviceID: String, field: String?, message: String, suggestedValue: String?, contactEmail: String?,
                          windows limits: [RateWindow], at: Date) throws -> ReportOutcome {
        let now = at.timeIntervalSince1970
        let keep = max(86400, limits.map(\.seconds).max() ?? 0)
        return try pool.write { c in
            try Self.lock(c, .reports)
            try Self.requireListing(c, serviceID)
            try c.query("DELETE FROM report_event WHERE at < $1", [now - keep])
            var refusal: (wait: TimeInterval, window: RateWindow)?
            for w in limits {
                let since = now - w.seconds
                let count = try c.query("SELECT COUNT(*) AS n FROM report_event WHERE key = $1 AND at > $2", [w.key, since]).first?.int("n") ?? 0
                guard count >= w.limit else { continue }
                // A place frees when the oldest event that keeps the count at the limit leaves the window.
                let oldest = try c.query(
                    "SELECT at FROM report_event WHERE key = $1 AND at > $2 ORDER BY at LIMIT 1 OFFSET $3",
                    [w.key, since, max(0, count - w.limit)]).first?.double("at") ?? now
                let wait = max(1, oldest + w.seconds - now)
                if wait > (refusal?.wait ?? 0) { refusal = (wait, w) }
            }
            if let refusal {
                try Self.auditAggregated(c, actor: "public", action: "report.limited", at: at)
                return .limited(retryAfter: refusal.wait, window: refusal.window)
            }
            for key in Set(limits.map(\.key)) {
                try c.query("INSERT INTO report_event (key, at) VALUES ($1, $2)", [key, now])
            }
            return .added(try Self.insertReport(c, serviceID: serviceID, field: field, message: message, suggestedValue: suggestedValue, contactEmail: contactEmail, at: at))
        }
    }

    static func requireListing(_ c: PGConnection, _ serviceID: String) throws {
        guard try c.query("SELECT 1 FROM service WHERE id = $1", [serviceID]).first != nil else {
            throw RelaisError(.notFound, "fiche « \(serviceID) » introuvable")
        }
    }

    /// Stores a report; its id.
    static func insertReport(_ c: PGConnection, serviceID: String, field: String?, message: String, suggestedValue: String?, contactEmail: String?, at: Date) throws -> Int64 {
        try c.query(
            "INSERT INTO report (service_id, field, message, suggested_value, contact_email, created_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz) RETURNING id",
            [serviceID, field, message, suggestedValue, contactEmail, iso(at)]).first?.int64("id") ?? 0
    }

    public func reportCount() throws -> Int {
        try pool.read { c in try c.query("SELECT COUNT(*) AS n FROM report").first?.int("n") ?? 0 }
    }

    public func reports(status: String?, limit: Int = 200) throws -> [Report] {
        try pool.read { c in
            let sql = Self.reportSelect + (status == nil ? " ORDER BY r.id DESC LIMIT $1" : " WHERE r.status = $1 ORDER BY r.id DESC LIMIT $2")
            let parameters: [any PGBindable] = status.map { [$0, limit] } ?? [limit]
            return try c.query(sql, parameters).rows.map(Self.report)
        }
    }

    public func report(id: Int64) throws -> Report? {
        try pool.read { c in try c.query(Self.reportSelect + " WHERE r.id = $1", [id]).first.map(Self.report) }
    }

    public func resolveReport(id: Int64, status: String, by: String, at: Date) throws {
        try pool.write { c in
            let changed = try c.query(
                "UPDATE report SET status = $1, resolved_by = $2, resolved_at = $3::timestamptz WHERE id = $4 AND status = 'open'",
                [status, by, Self.iso(at), id]).affected
            guard changed == 1 else { throw RelaisError(.notFound, "signalement n° \(id) introuvable ou déjà traité") }
        }
    }

    static func report(_ r: PGRow) -> Report {
        Report(id: r.int64("id") ?? 0, serviceID: r.text("service_id"), serviceName: r.string("service_name"), field: r.string("field"), message: r.text("message"),
               suggestedValue: r.string("suggested_value"), contactEmail: r.string("contact_email"), createdAt: r.text("created_at"), status: r.text("status"),
               resolvedBy: r.string("resolved_by"), resolvedAt: r.string("resolved_at"))
    }
}
