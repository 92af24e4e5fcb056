import RelaisMerge
import RelaisStore
import RelaisModel
import Foundation
import GRDB

/// Scheduling state kept in the `source` table, shared by every process that
/// opens the same file: a lease says which process runs a source and until
/// when, so two `relais serve` (or a `relais refresh --due` from cron) never
/// run the same source at once.
extension SQLiteStore {
    /// Records sources (from their manifests) so that they are listed before their first run.
    public func register(_ sources: [SourceRegistration]) throws {
        try pool.write { db in for s in sources { try Self.upsertSource(db, s) } }
    }

    /// Takes the lease of a source for `owner` until `until`, if no other owner
    /// holds an unexpired one. Runs left "running" by a holder whose lease
    /// expired (a crashed process) are closed as interrupted.
    public func acquireLease(source: SourceRegistration, owner: String, until: Date, now: Date) throws -> Bool {
        try pool.write { db in
            try Self.upsertSource(db, source)
            let nowText = Self.iso(now)
            try db.execute(
                sql: """
                    UPDATE source SET lease_owner = ?, lease_expires_at = ?
                    WHERE id = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_expires_at IS NULL OR lease_expires_at <= ?)
                    """,
                arguments: [owner, Self.iso(until), source.id, owner, nowText])
            guard db.changesCount == 1 else { return false }
            try db.execute(
                sql: "UPDATE run SET status = 'interrupted', ended_at = ?, message = 'processus arrêté pendant l’exécution : rien n’a été appliqué' WHERE source_id = ? AND status = 'running'",
                arguments: [nowText, source.id])
            return true
        }
    }

    /// Who holds a source's lease, and until when.
    public func leaseHolder(sourceID: String) throws -> (owner: String, expires: Date?)? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT lease_owner, lease_expires_at FROM source WHERE id = ?", arguments: [sourceID]),
                let owner = row["lease_owner"] as String?
            else { return nil }
            return (owner, Self.date(row["lease_expires_at"]))
        }
    }

    /// Takes a lease from `holder` (a process known to be gone), only if `holder` still has it.
    public func takeOverLease(sourceID: String, from holder: String, owner: String, until: Date, now: Date) throws -> Bool {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE source SET lease_owner = ?, lease_expires_at = ? WHERE id = ? AND lease_owner = ?",
                arguments: [owner, Self.iso(until), sourceID, holder])
            guard db.changesCount == 1 else { return false }
            try db.execute(
                sql: "UPDATE run SET status = 'interrupted', ended_at = ?, message = 'processus arrêté pendant l’exécution : rien n’a été appliqué' WHERE source_id = ? AND status = 'running'",
                arguments: [Self.iso(now), sourceID])
            return true
        }
    }

    /// Extends a lease still held by `owner`; false if it was lost.
    @discardableResult
    public func renewLease(sourceID: String, owner: String, until: Date) throws -> Bool {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE source SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?",
                arguments: [Self.iso(until), sourceID, owner])
            return db.changesCount == 1
        }
    }

    public func releaseLease(sourceID: String, owner: String) throws {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE source SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?",
                arguments: [sourceID, owner])
        }
    }

    /// When the scheduler will next run a source (shown to admins).
    public func setNextRun(sourceID: String, at: Date?) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE source SET next_run_at = ? WHERE id = ?", arguments: [at.map(Self.iso), sourceID])
        }
    }

    static func date(_ text: String?) -> Date? { Timestamp.date(text) }
}
