import Foundation
import GRDB
import RelaisMerge
import RelaisModel
import RelaisStore
import RelaisNormalize

/// Admin edits of listings. A curated field wins over every source and
/// survives every re-import; every edit is in the change log with who and when.
extension SQLiteStore {
    /// Sets (or, with `nil`, clears) a curated value for a field of a listing.
    public func curate(serviceID: String, field: String, value: JSONValue?, author: String, at: Date) throws {
        try StoreRules.checkCuration(field: field, value: value)
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM service WHERE id = ?", arguments: [serviceID]) != nil else {
                throw RelaisError(.notFound, "fiche « \(serviceID) » introuvable")
            }
            let now = Self.iso(at)
            if let value {
                try db.execute(
                    sql: "INSERT INTO curation (service_id, field, value, author, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(service_id, field) DO UPDATE SET value = excluded.value, author = excluded.author, at = excluded.at",
                    arguments: [serviceID, field, value.canonical, author, now])
            } else {
                try db.execute(sql: "DELETE FROM curation WHERE service_id = ? AND field = ?", arguments: [serviceID, field])
            }
            try Self.recompute(db, serviceID: serviceID, runID: nil, sourceID: nil, actor: author, now: now)
            try Self.bumpVersion(db)
        }
    }

    /// Curated fields of a listing: field → (value, author, when).
    public func curations(serviceID: String) throws -> [String: (value: String, author: String, at: String)] {
        try pool.read { db in
            var out: [String: (String, String, String)] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT field, value, author, at FROM curation WHERE service_id = ?", arguments: [serviceID]) {
                out[r["field"]] = (r["value"], r["author"], r["at"])
            }
            return out
        }
    }

    /// Hides or shows a listing (hidden listings are never suggested nor listed).
    public func setHidden(serviceID: String, hidden: Bool, author: String, at: Date) throws {
        try adminUpdate(serviceID, author: author, at: at, action: hidden ? "hidden" : "shown", sql: "UPDATE service SET hidden = ? WHERE id = ?", [hidden, serviceID])
    }

    /// Marks a listing verified today by an admin.
    public func markVerified(serviceID: String, author: String, at: Date) throws {
        let now = Self.iso(at)
        try adminUpdate(serviceID, author: author, at: at, action: "verified",
                        sql: "UPDATE service SET admin_verified_at = ?, last_verified = ? WHERE id = ?", [now, String(now.prefix(10)), serviceID])
    }

    /// Keeps a stale listing: it stays listed although its sources dropped it.
    public func keep(serviceID: String, author: String, at: Date) throws {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM service WHERE id = ?", arguments: [serviceID]) != nil else {
                throw RelaisError(.notFound, "fiche « \(serviceID) » introuvable")
            }
            let now = Self.iso(at)
            try db.execute(sql: "UPDATE service SET pinned = 1 WHERE id = ?", arguments: [serviceID])
            try Self.logChange(db, at: now, runID: nil, sourceID: nil, actor: author, serviceID: serviceID, name: nil, action: "kept", field: nil, before: nil, after: nil)
            try Self.recompute(db, serviceID: serviceID, runID: nil, sourceID: nil, actor: author, now: now)
            try Self.bumpVersion(db)
        }
    }

    /// Removes a listing for good (an admin's decision): its source records go
    /// too, so that a source still listing it would add it again as new.
    public func remove(serviceID: String, author: String, at: Date) throws {
        try pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT rowid, name, content FROM service WHERE id = ?", arguments: [serviceID]) else {
                throw RelaisError(.notFound, "fiche « \(serviceID) » introuvable")
            }
            try Self.deleteKeys(db, serviceID, content: row["content"])
            try db.execute(sql: "DELETE FROM service_fts WHERE rowid = ?", arguments: [row["rowid"] as Int64])
            try db.execute(sql: "DELETE FROM source_record WHERE service_id = ?", arguments: [serviceID])
            try db.execute(sql: "DELETE FROM curation WHERE service_id = ?", arguments: [serviceID])
            try db.execute(sql: "DELETE FROM service WHERE id = ?", arguments: [serviceID])
            try Self.logChange(db, at: Self.iso(at), runID: nil, sourceID: nil, actor: author, serviceID: serviceID, name: row["name"], action: "removed", field: nil, before: nil, after: nil)
            try Self.bumpVersion(db)
        }
    }

    /// Listings that vanished from their sources, oldest first.
    public func staleListings() throws -> [(listing: Listing, since: String?, pinned: Bool)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.listingColumns), stale_since, pinned FROM service WHERE stale = 1 ORDER BY stale_since, id").compactMap { row in
                Self.listing(from: row).map { ($0, row["stale_since"], row["pinned"]) }
            }
        }
    }

    func adminUpdate(_ id: String, author: String, at: Date, action: String, sql: String, _ args: StatementArguments) throws {
        try pool.write { db in
            try db.execute(sql: sql, arguments: args)
            guard db.changesCount > 0 else { throw RelaisError(.notFound, "fiche « \(id) » introuvable") }
            let name = try String.fetchOne(db, sql: "SELECT name FROM service WHERE id = ?", arguments: [id])
            try Self.logChange(db, at: Self.iso(at), runID: nil, sourceID: nil, actor: author, serviceID: id, name: name, action: action, field: nil, before: nil, after: nil)
            try Self.bumpVersion(db)
        }
    }
}
