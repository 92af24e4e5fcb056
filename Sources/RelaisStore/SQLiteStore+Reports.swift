import Foundation
import GRDB

/// "Signaler une erreur": what a reader typed about a listing, for admins to
/// accept or dismiss. Nothing about a patient is asked or kept.
public struct Report: Codable, Sendable, Hashable {
    public var id: Int64
    public var serviceID: String
    public var serviceName: String?
    public var field: String?
    public var message: String
    public var suggestedValue: String?
    public var contactEmail: String?
    public var createdAt: String
    public var status: String
    public var resolvedBy: String?
    public var resolvedAt: String?
}

extension SQLiteStore {
    @discardableResult
    public func addReport(serviceID: String, field: String?, message: String, suggestedValue: String?, contactEmail: String?, at: Date) throws -> Int64 {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM service WHERE id = ?", arguments: [serviceID]) != nil else {
                throw CurationError(description: "fiche « \(serviceID) » introuvable")
            }
            try db.execute(
                sql: "INSERT INTO report (service_id, field, message, suggested_value, contact_email, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [serviceID, field, message, suggestedValue, contactEmail, Self.iso(at)])
            return db.lastInsertedRowID
        }
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
            guard db.changesCount == 1 else { throw CurationError(description: "signalement n° \(id) introuvable ou déjà traité") }
        }
    }

    static func report(_ r: Row) -> Report {
        Report(id: r["id"], serviceID: r["service_id"], serviceName: r["service_name"], field: r["field"], message: r["message"],
               suggestedValue: r["suggested_value"], contactEmail: r["contact_email"], createdAt: r["created_at"], status: r["status"],
               resolvedBy: r["resolved_by"], resolvedAt: r["resolved_at"])
    }
}
