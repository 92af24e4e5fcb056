import Foundation
import RelaisMerge
import RelaisModel
import RelaisStore

/// Admin edits of listings. A curated field wins over every source and
/// survives every re-import; every edit is in the change log with who and when.
/// Each write takes the listings advisory lock, as an import does.
extension PostgresStore {
    /// Sets (or, with `nil`, clears) a curated value for a field of a listing.
    public func curate(serviceID: String, field: String, value: JSONValue?, author: String, at: Date) throws {
        try StoreRules.checkCuration(field: field, value: value)
        try pool.write { c in
            try Self.lock(c, .listings)
            try Self.requireListing(c, serviceID)
            let now = Self.iso(at)
            if let value {
                try c.query(
                    """
                    INSERT INTO curation (service_id, field, value, author, at) VALUES ($1, $2, $3, $4, $5::timestamptz)
                    ON CONFLICT (service_id, field) DO UPDATE SET value = excluded.value, author = excluded.author, at = excluded.at
                    """,
                    [serviceID, field, value.canonical, author, now])
            } else {
                try c.query("DELETE FROM curation WHERE service_id = $1 AND field = $2", [serviceID, field])
            }
            try Self.recompute(c, serviceID: serviceID, runID: nil, sourceID: nil, actor: author, now: now)
            try Self.bumpVersion(c)
        }
    }

    /// Curated fields of a listing: field → (value, author, when).
    public func curations(serviceID: String) throws -> [String: (value: String, author: String, at: String)] {
        try pool.read { c in
            var out: [String: (String, String, String)] = [:]
            for r in try c.query("SELECT field, value, author, iso(at) AS at FROM curation WHERE service_id = $1", [serviceID]).rows {
                out[r.text("field")] = (r.text("value"), r.text("author"), r.text("at"))
            }
            return out
        }
    }

    /// Hides or shows a listing (hidden listings are never suggested nor listed).
    public func setHidden(serviceID: String, hidden: Bool, author: String, at: Date) throws {
        try adminUpdate(serviceID, author: author, at: at, action: hidden ? "hidden" : "shown", sql: "UPDATE service SET hidden = $1 WHERE id = $2", [hidden, serviceID])
    }

    /// Marks a listing verified today by an admin.
    public func markVerified(serviceID: String, author: String, at: Date) throws {
        let now = Self.iso(at)
        try adminUpdate(serviceID, author: author, at: at, action: "verified",
                        sql: "UPDATE service SET admin_verified_at = $1::timestamptz, last_verified = $2 WHERE id = $3", [now, String(now.prefix(10)), serviceID])
    }

    /// Keeps a stale listing: it stays listed although its sources dropped it.
    public func keep(serviceID: String, author: String, at: Date) throws {
        try pool.write { c in
            try Self.lock(c, .listings)
            try Self.requireListing(c, serviceID)
            let now = Self.iso(at)
            try c.query("UPDATE service SET pinned = 1 WHERE id = $1", [serviceID])
            try Self.logChange(c, at: now, runID: nil, sourceID: nil, actor: author, serviceID: serviceID, name: nil, action: "kept", field: nil, before: nil, after: nil)
            try Self.recompute(c, serviceID: serviceID, runID: nil, sourceID: nil, actor: author, now: now)
            try Self.bumpVersion(c)
        }
    }

    /// Removes a listing for good (an admin's decision): its source records go
    /// too, so that a source still listing it would add it again as new. The
    /// search vector goes with the row (a generated column).
    public func remove(serviceID: String, author: String, at: Date) throws {
        try pool.write { c in
            try Self.lock(c, .listings)
            guard let row = try c.query("SELECT name, content FROM service WHERE id = $1", [serviceID]).first else {
                throw RelaisError(.notFound, "fiche « \(serviceID) » introuvable")
            }
            try Self.deleteKeys(c, serviceID, content: row.string("content"))
            try c.query("DELETE FROM source_record WHERE service_id = $1", [serviceID])
            try c.query("DELETE FROM curation WHERE service_id = $1", [serviceID])
            try c.query("DELETE FROM service WHERE id = $1", [serviceID])
            try Self.logChange(c, at: Self.iso(at), runID: nil, sourceID: nil, actor: author, serviceID: serviceID, name: row.string("name"), action: "removed", field: nil, before: nil, after: nil)
            try Self.bumpVersion(c)
        }
    }

    /// Listings that vanished from their sources, oldest first (never-dated ones before, as SQLite orders NULLs).
    public func staleListings() throws -> [(listing: Listing, since: String?, pinned: Bool)] {
        try pool.read { c in
            try c.query(
                "SELECT \(Self.listingColumns), iso(stale_since) AS stale_since, pinned FROM service WHERE stale = 1 ORDER BY service.stale_since NULLS FIRST, id COLLATE \"C\""
            ).rows.compactMap { row in Self.listing(row).map { ($0, row.string("stale_since"), row.flag("pinned")) } }
        }
    }

    func adminUpdate(_ id: String, author: String, at: Date, action: String, sql: String, _ parameters: [any PGBindable]) throws {
        try pool.write { c in
            try Self.lock(c, .listings)
            guard try c.query(sql, parameters).affected > 0 else { throw RelaisError(.notFound, "fiche « \(id) » introuvable") }
            let name = try c.query("SELECT name FROM service WHERE id = $1", [id]).first?.string("name")
            try Self.logChange(c, at: Self.iso(at), runID: nil, sourceID: nil, actor: author, serviceID: id, name: name, action: action, field: nil, before: nil, after: nil)
            try Self.bumpVersion(c)
        }
    }
}
