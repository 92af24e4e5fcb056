import Foundation
import RelaisModel
import RelaisStore

/// Scheduling state kept in the `source` table, shared by every instance on the
/// same database: a lease says which process runs a source and until when, so
/// two `relais serve` (or a `relais refresh --due` from cron) never run the same
/// source at once. Each conditional UPDATE is atomic under READ COMMITTED (the
/// row is locked and its condition checked again): no advisory lock is needed.
extension PostgresStore {
    /// Records sources (from their manifests) so that they are listed before their first run.
    public func register(_ sources: [SourceRegistration]) throws {
        try pool.write { c in for s in sources { try Self.upsertSource(c, s) } }
    }

    /// Takes the lease of a source for `owner` until `until`, if no other owner
    /// holds an unexpired one. Runs left "running" by a holder whose lease
    /// expired (a crashed process) are closed as interrupted.
    public func acquireLease(source: SourceRegistration, owner: String, until: Date, now: Date) throws -> Bool {
        try pool.write { c in
            try Self.upsertSource(c, source)
            let nowText = Self.iso(now)
            let taken = try c.query(
                """
                UPDATE source SET lease_owner = $1, lease_expires_at = $2::timestamptz
                WHERE id = $3 AND (lease_owner IS NULL OR lease_owner = $1 OR lease_expires_at IS NULL OR lease_expires_at <= $4::timestamptz)
                """,
                [owner, Self.iso(until), source.id, nowText]).affected
            guard taken == 1 else { return false }
            try Self.interruptRuns(c, sourceID: source.id, at: nowText)
            return true
        }
    }

    /// Who holds a source's lease, and until when.
    public func leaseHolder(sourceID: String) throws -> (owner: String, expires: Date?)? {
        try pool.read { c in
            guard let row = try c.query("SELECT lease_owner, iso(lease_expires_at) AS lease_expires_at FROM source WHERE id = $1", [sourceID]).first,
                let owner = row.string("lease_owner")
            else { return nil }
            return (owner, Timestamp.date(row.string("lease_expires_at")))
        }
    }

    /// Takes a lease from `holder` (a process known to be gone), only if `holder` still has it.
    public func takeOverLease(sourceID: String, from holder: String, owner: String, until: Date, now: Date) throws -> Bool {
        try pool.write { c in
            let taken = try c.query(
                "UPDATE source SET lease_owner = $1, lease_expires_at = $2::timestamptz WHERE id = $3 AND lease_owner = $4",
                [owner, Self.iso(until), sourceID, holder]).affected
            guard taken == 1 else { return false }
            try Self.interruptRuns(c, sourceID: sourceID, at: Self.iso(now))
            return true
        }
    }

    /// Closes as interrupted the runs a lost holder left "running".
    static func interruptRuns(_ c: PGConnection, sourceID: String, at: String) throws {
        try c.query(
            "UPDATE run SET status = 'interrupted', ended_at = $1::timestamptz, message = 'processus arrêté pendant l’exécution : rien n’a été appliqué' WHERE source_id = $2 AND status = 'running'",
            [at, sourceID])
    }

    /// Extends a lease still held by `owner`; false if it was lost.
    @discardableResult
    public func renewLease(sourceID: String, owner: String, until: Date) throws -> Bool {
        try pool.write { c in
            try c.query("UPDATE source SET lease_expires_at = $1::timestamptz WHERE id = $2 AND lease_owner = $3", [Self.iso(until), sourceID, owner]).affected == 1
        }
    }

    public func releaseLease(sourceID: String, owner: String) throws {
        try pool.write { c in
            _ = try c.query("UPDATE source SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2", [sourceID, owner])
        }
    }

    /// When the scheduler will next run a source (shown to admins).
    public func setNextRun(sourceID: String, at: Date?) throws {
        try pool.write { c in
            _ = try c.query("UPDATE source SET next_run_at = $1::timestamptz WHERE id = $2", [at.map(Self.iso), sourceID])
        }
    }
}
