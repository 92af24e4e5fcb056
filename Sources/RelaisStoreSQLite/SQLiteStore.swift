import Foundation
import GRDB
import Synchronization
import RelaisMerge
import RelaisModel
import RelaisStore
import RelaisNormalize

/// The SQLite store, through GRDB. One file; WAL mode so that pages keep
/// reading while an import writes.
public final class SQLiteStore: DirectoryStore {
    public let path: String
    let pool: DatabasePool
    /// Totals of recent searches, valid for one data version (the key holds it).
    let countCache = BoundedCache<String, Int>(capacity: 512)
    /// The last data version read, with the local commit count and the time it was read at.
    private let versionCache = Mutex<(value: Int, commits: Int, at: UInt64)?>(nil)
    /// Data-version commits made by this process, in any store: a cached version read before
    /// one of them is read again (a write here is seen by the next question at once).
    static let localCommits = Atomic<Int>(0)
    /// How long a data version read from the file is trusted when this process wrote nothing:
    /// the delay before another process's import (`relais import` beside `relais serve`) shows.
    static let versionTTL: UInt64 = 100_000_000

    /// How many new records make a run a bulk load (``BulkLoad``: indexes built once at its end).
    let bulkLoadThreshold: Int

    /// Opens (creating if needed) the database at `path` and migrates it. `bulkLoadThreshold`:
    /// how many records a run must bring, new to the store and at least as many as it holds,
    /// for the listing table's secondary and full-text indexes to be built once at its end.
    public init(path: String, bulkLoadThreshold: Int = 20_000) throws {
        self.path = path
        self.bulkLoadThreshold = bulkLoadThreshold
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA busy_timeout = 10000")
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        pool = try DatabasePool(path: path, configuration: config)
        try Schema.migrator().migrate(pool)
    }

    /// Opens an existing, migrated database for reading only: nothing is written to it
    /// (read-only commands: `search`, `refer`, `sessions`, `sources`, `check`).
    public init(readingOnly path: String) throws {
        self.path = path
        bulkLoadThreshold = .max
        guard FileManager.default.fileExists(atPath: path) else {
            throw RelaisError(.notFound, "base « \(path) » introuvable : indiquez le bon fichier avec --db, ou créez-la avec « relais import » ou « relais serve »")
        }
        var config = Configuration()
        config.readonly = true
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA busy_timeout = 10000") }
        do { pool = try DatabasePool(path: path, configuration: config) } catch {
            throw RelaisError(.unavailable, "base « \(path) » illisible : \(error)")
        }
        let migrated = (try? pool.read { db in try Schema.migrator().hasCompletedMigrations(db) }) ?? false
        guard migrated else {
            throw RelaisError(.unavailable, "base « \(path) » d’une autre version de Relais, ou qui n’est pas une base Relais : lancez « relais import » ou « relais serve » une fois pour la mettre à jour")
        }
    }

    static func iso(_ d: Date) -> String { Timestamp.string(d) }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func json<T: Encodable>(_ v: T) -> String { String(decoding: try! encoder.encode(v), as: UTF8.self) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? { try? JSONDecoder().decode(type, from: Data(text.utf8)) }

    // MARK: Listings

    static let listingColumns = "id, content, demo, stale, hidden, last_verified, sources, provenance, parent_id, substr(admin_verified_at, 1, 10) AS verified_by_team, updated_at"

    static func listing(from row: Row) -> Listing? {
        guard let content = decode(ListingContent.self, row["content"]) else { return nil }
        return Listing(
            id: row["id"], content: content, demo: row["demo"], stale: row["stale"], hidden: row["hidden"],
            lastVerified: row["last_verified"], sources: decode([String].self, row["sources"]) ?? [],
            provenance: decode([String: FieldOrigin].self, row["provenance"]) ?? [:], parentID: row["parent_id"],
            verifiedByTeam: row["verified_by_team"], updatedAt: row["updated_at"])
    }

    public func organizations(page: Int, perPage: Int) throws -> (total: Int, items: [(key: String, name: String)]) {
        try pool.read { db in
            let visible = "EXISTS (SELECT 1 FROM service s WHERE s.organization_id = o.id AND s.hidden = 0)"
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organization o WHERE \(visible)") ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT o.id, o.name FROM organization o WHERE \(visible) ORDER BY o.name, o.id LIMIT ? OFFSET ?",
                arguments: [max(1, perPage), max(0, (page - 1) * max(1, perPage))])
            return (total, rows.map { (key: $0["id"], name: $0["name"]) })
        }
    }

    public func changedListings(after: String, cursor: ChangedListing?, limit: Int) throws -> (total: Int, entries: [ChangedListing]) {
        try pool.read { db in
            let feed = """
                SELECT updated_at AS at, id, 0 AS removed, NULL AS name FROM service WHERE hidden = 0 AND updated_at > :after
                UNION ALL
                SELECT MAX(c.at) AS at, c.service_id AS id, 1 AS removed, c.service_name AS name FROM change c
                WHERE c.action = 'removed' AND c.at > :after AND NOT EXISTS (SELECT 1 FROM service s WHERE s.id = c.service_id)
                GROUP BY c.service_id
                """
            var past = ""
            var arguments: [String: (any DatabaseValueConvertible)?] = ["after": after, "limit": max(1, limit)]
            if let cursor {
                past = "WHERE (at > :cat OR (at = :cat AND id > :cid))"
                arguments["cat"] = cursor.at
                arguments["cid"] = cursor.id
            }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(feed)) \(past)", arguments: StatementArguments(arguments)) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM (\(feed)) \(past) ORDER BY at, id LIMIT :limit", arguments: StatementArguments(arguments))
            return (total, rows.map { ChangedListing(id: $0["id"], at: $0["at"], removed: $0["removed"], name: $0["name"]) })
        }
    }

    public func listingIDs() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM service WHERE hidden = 0") }
    }

    public func listing(id: String) throws -> Listing? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.listingColumns) FROM service WHERE id = ?", arguments: [id]).flatMap(Self.listing)
        }
    }

    public func listings(ids: [String]) throws -> [Listing] {
        guard !ids.isEmpty else { return [] }
        return try pool.read { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let rows = try Row.fetchAll(db, sql: "SELECT \(Self.listingColumns) FROM service WHERE id IN (\(marks))", arguments: StatementArguments(ids))
            let byID = Dictionary(rows.compactMap(Self.listing).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            return ids.compactMap { byID[$0] }
        }
    }

    /// SQLite's own integrity check, and the full-text index's against the listings it
    /// indexes (external content: a row written or removed out of order would show here).
    /// Returns the problems found, none when the file is sound.
    public func integrityProblems() throws -> [String] {
        try pool.write { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            do {
                try db.execute(sql: "INSERT INTO service_fts (service_fts, rank) VALUES ('integrity-check', 1)")
            } catch {
                problems.append("l’index plein texte ne correspond plus aux fiches (relais check --repair le reconstruit) — \(error)")
            }
            return problems
        }
    }

    /// The names of a table's indexes, its primary key's included (checks and diagnostics).
    public func indexes(on table: String) throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_index_list(?) ORDER BY name", arguments: [table]) }
    }

    /// Rebuilds the full-text index from the listings (its external content).
    public func rebuildFullTextIndex() throws {
        try pool.write { db in try db.execute(sql: "INSERT INTO service_fts (service_fts) VALUES ('rebuild')") }
    }

    /// Copies the write-ahead log into the database file now (after a large run this
    /// happens in the background; this waits for it).
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
    }

    public func listingCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM service") ?? 0 }
    }

    public func allListings(includeHidden: Bool = false) throws -> [Listing] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.listingColumns) FROM service \(includeHidden ? "" : "WHERE hidden = 0") ORDER BY id").compactMap(Self.listing)
        }
    }

    /// An FTS5 query where every word must match as a prefix: `Sainte Anne` → `"sainte"* "anne"*`.
    static func ftsPattern(_ text: String) -> String? {
        let words = Text.fold(text).split(separator: " ").filter { !$0.isEmpty }
        guard !words.isEmpty else { return nil }
        return words.map { "\"\($0)\"*" }.joined(separator: " ")
    }

    /// Pages deeper than this many rows are refused when no index serves the query's order.
    public static var unindexedWindow: Int { StoreRules.unindexedWindow }

    /// A page of listings, at a cost bounded whatever the page: without text, an index
    /// serves the order and the filter, only row ids are skipped (from the nearer end:
    /// the last page costs what the first does), and the total comes from a cache that
    /// lives as long as the data version. Throws an `invalid` ``RelaisError`` past the window
    /// of a query no index serves.
    public func search(_ q: SearchQuery) throws -> ListingPage {
        try pool.read { db in
            var conditions: [String] = []
            var args: [any DatabaseValueConvertible] = []
            if !q.includeHidden { conditions.append("s.hidden = 0") }
            if !q.includeStale { conditions.append("s.stale = 0") }
            // Filters on a column of the row: equal to the value, or after it (`updated_at`).
            for (test, value) in [("s.kind = ?", q.kind?.rawValue), ("s.departement = ?", q.departement), ("s.updated_at > ?", q.modifiedAfter),
                                  ("s.postal_code = ?", q.postalCode), ("s.organization_id = ?", q.organization)] {
                guard let value else { continue }
                conditions.append(test)
                args.append(value)
            }
            var indexed = true
            if let language = q.language {
                // A French directory: a listing that names no language welcomes people in French.
                let unsaid = language == "fr" ? "COALESCE(json_array_length(s.content, '$.languages'), 0) = 0 OR " : ""
                conditions.append("(\(unsaid)EXISTS (SELECT 1 FROM json_each(s.content, '$.languages') WHERE json_each.value = ?))")
                args.append(language)
                indexed = false
            }
            if let access = q.access {
                conditions.append("EXISTS (SELECT 1 FROM json_each(s.content, '$.accessibility.features') WHERE json_each.value = ?)")
                args.append(access.rawValue)
                indexed = false
            }
            if let n = q.need {
                conditions.append("EXISTS (SELECT 1 FROM json_each(s.needs) WHERE json_each.value = ?)")
                args.append(n)
                indexed = false
            }
            var from = "service s"
            // French order: the folded name (accents, case and ligatures set aside), then the id.
            var order = "s.stale, s.search_name, s.id"
            var reverse = "s.stale DESC, s.search_name DESC, s.id DESC"
            if let text = q.text, let pattern = Self.ftsPattern(text) {
                from = "service_fts f JOIN service s ON s.rowid = f.rowid"
                conditions.append("service_fts MATCH ?")
                args.append(pattern)
                order = "s.stale, f.rank, s.id"
                reverse = "s.stale DESC, f.rank DESC, s.id DESC"
                indexed = false
            }
            let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let version = try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'data_version'") ?? 0
            let countKey = "\(version)|\(from)|\(whereSQL)|" + args.map { "\($0.databaseValue)" }.joined(separator: "|")
            let total: Int
            if let cached = countCache.get(countKey) {
                total = cached
            } else {
                total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(from) \(whereSQL)", arguments: StatementArguments(args)) ?? 0
                countCache.set(countKey, total)
            }
            let perPage = max(1, q.perPage)
            guard let window = StoreRules.window(total: total, page: q.page, perPage: perPage) else {
                return ListingPage(totalItems: total, page: q.page, perPage: perPage, listings: [])
            }
            let (skip, take, backwards) = (window.skip, window.take, window.backwards)
            if !indexed && skip > StoreRules.unindexedWindow { throw StoreRules.tooDeep }
            let ids = try Int64.fetchAll(
                db, sql: "SELECT s.rowid FROM \(from) \(whereSQL) ORDER BY \(backwards ? reverse : order) LIMIT ? OFFSET ?",
                arguments: StatementArguments(args + [take, skip]))
            let ordered = backwards ? Array(ids.reversed()) : ids
            guard !ordered.isEmpty else { return ListingPage(totalItems: total, page: q.page, perPage: perPage, listings: []) }
            let rows = try Row.fetchAll(
                db, sql: "SELECT rowid AS r, \(Self.listingColumns) FROM service WHERE rowid IN (\(ordered.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments(ordered))
            var byRow: [Int64: Listing] = [:]
            for row in rows { if let l = Self.listing(from: row) { byRow[row["r"]] = l } }
            return ListingPage(totalItems: total, page: q.page, perPage: perPage, listings: ordered.compactMap { byRow[$0] })
        }
    }

    // MARK: Sources and runs

    static func runRecord(_ row: Row) -> RunRecord {
        RunRecord(
            id: row["id"], sourceID: row["source_id"], startedAt: row["started_at"], endedAt: row["ended_at"],
            status: RunRecord.Status(rawValue: row["status"]) ?? .failed, trigger: row["trigger"], httpStatus: row["http_status"],
            etag: row["etag"], lastModified: row["last_modified"], records: row["records"], added: row["added"],
            updated: row["updated"], unchanged: row["unchanged"], stale: row["stale"], removed: row["removed"],
            rejected: row["rejected"], message: row["message"])
    }

    public func sources() throws -> [SourceState] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM source ORDER BY id").map { try Self.sourceState($0, db) }
        }
    }

    /// What scheduling needs (failures, last success and failure, lease), without
    /// the listing counts and last runs: cheap enough for every wake-up.
    public func schedulingStates() throws -> [SourceState] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM source ORDER BY id").map { row in
                SourceState(
                    id: row["id"], title: row["title"], url: row["url"], format: row["format"], etag: row["etag"], lastModified: row["last_modified"],
                    lastSuccessAt: row["last_success_at"], lastFailureAt: row["last_failure_at"], lastError: row["last_error"],
                    consecutiveFailures: row["consecutive_failures"], nextRunAt: row["next_run_at"], leaseOwner: row["lease_owner"],
                    leaseExpiresAt: row["lease_expires_at"], listings: 0, lastRun: nil, validatorKey: row["validator_key"],
                    heldRunID: row["held_run_id"], shrinkAcceptedAt: row["shrink_accepted_at"], consecutiveEmpty: row["consecutive_empty"] ?? 0)
            }
        }
    }

    public func source(id: String) throws -> SourceState? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM source WHERE id = ?", arguments: [id]).map { try Self.sourceState($0, db) }
        }
    }

    static func sourceState(_ row: Row, _ db: Database) throws -> SourceState {
        let id: String = row["id"]
        let last = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE source_id = ? ORDER BY id DESC LIMIT 1", arguments: [id]).map(runRecord)
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT service_id) FROM source_record WHERE source_id = ?", arguments: [id]) ?? 0
        return SourceState(
            id: id, title: row["title"], url: row["url"], format: row["format"], etag: row["etag"],
            lastModified: row["last_modified"], lastSuccessAt: row["last_success_at"], lastFailureAt: row["last_failure_at"],
            lastError: row["last_error"], consecutiveFailures: row["consecutive_failures"], nextRunAt: row["next_run_at"],
            leaseOwner: row["lease_owner"], leaseExpiresAt: row["lease_expires_at"], listings: count, lastRun: last,
            validatorKey: row["validator_key"], heldRunID: row["held_run_id"], shrinkAcceptedAt: row["shrink_accepted_at"],
            consecutiveEmpty: row["consecutive_empty"] ?? 0)
    }

    public func runs(sourceID: String?, limit: Int) throws -> [RunRecord] {
        try pool.read { db in
            if let sourceID {
                return try Row.fetchAll(db, sql: "SELECT * FROM run WHERE source_id = ? ORDER BY id DESC LIMIT ?", arguments: [sourceID, limit]).map(Self.runRecord)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.runRecord)
        }
    }

    public func run(id: Int64) throws -> RunRecord? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]).map(Self.runRecord) }
    }

    public func issues(runID: Int64) throws -> [RunIssue] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run_issue WHERE run_id = ? ORDER BY rowid", arguments: [runID]).map {
                RunIssue(item: $0["item"], field: $0["field"], reason: $0["reason"], severity: RunIssue.Severity(rawValue: $0["severity"]) ?? .warning)
            }
        }
    }

    /// Changes, newest first: the change log, plus the listings each run added
    /// (read from the run that first saw a listing's oldest source record).
    /// `since` and `until` are timestamps or dates (`2026-11-01`); `until` includes its whole day.
    public func changes(runID: Int64?, since: String?, until: String? = nil, sourceID: String? = nil, serviceID: String? = nil, limit: Int) throws -> [ChangeRecord] {
        try pool.read { db in
            var conditions: [String] = []
            var args: [any DatabaseValueConvertible] = []
            if let runID {
                conditions.append("run_id = ?")
                args.append(runID)
            }
            if let since {
                conditions.append("at >= ?")
                args.append(since)
            }
            if let until {
                conditions.append("at <= ?")
                args.append(until.count == 10 ? until + "T23:59:59Z" : until)
            }
            if let sourceID {
                conditions.append("source_id = ?")
                args.append(sourceID)
            }
            if let serviceID {
                conditions.append("service_id = ?")
                args.append(serviceID)
            }
            let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let sql = """
                SELECT * FROM (
                    SELECT id, at, run_id, source_id, actor, service_id, service_name, action, field, before, after FROM change
                    UNION ALL
                    SELECT 0 AS id, r.ended_at AS at, sr.first_seen_run AS run_id, sr.source_id, NULL AS actor, sr.service_id,
                           s.name AS service_name, 'added' AS action, NULL AS field, NULL AS before, NULL AS after
                    FROM source_record sr JOIN service s ON s.id = sr.service_id JOIN run r ON r.id = sr.first_seen_run
                    WHERE NOT EXISTS (SELECT 1 FROM source_record o WHERE o.service_id = sr.service_id AND o.first_seen_run < sr.first_seen_run)
                      \(runID != nil ? "AND sr.first_seen_run = \(runID!)" : "")
                ) \(whereSQL) ORDER BY at DESC, id DESC LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args + [limit])).map {
                ChangeRecord(
                    id: $0["id"], at: $0["at"], runID: $0["run_id"], sourceID: $0["source_id"], actor: $0["actor"],
                    serviceID: $0["service_id"], serviceName: $0["service_name"], action: $0["action"], field: $0["field"],
                    before: $0["before"], after: $0["after"])
            }
        }
    }

    // MARK: Versions and the referral index

    /// Grows whenever listings change: caches built from the store compare it.
    /// Read from the file at most every ``versionTTL`` unless this process committed a change:
    /// every question asks, and a read through the pool was a tenth of a referral's time.
    public func dataVersion() throws -> Int {
        let commits = Self.localCommits.load(ordering: .acquiring)
        let now = DispatchTime.now().uptimeNanoseconds
        if let c = versionCache.withLock({ $0 }), c.commits == commits, now &- c.at < Self.versionTTL { return c.value }
        let value = try pool.read { db in try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'data_version'") ?? 0 }
        versionCache.withLock { $0 = (value, commits, now) }
        return value
    }

    public func storeIdentity() throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'store_id'") }
    }

    static func bumpVersion(_ db: Database) throws {
        try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
        db.afterNextTransaction(onCommit: { _ in SQLiteStore.localCommits.add(1, ordering: .releasing) })
    }

    /// What the referral engine never reads (texts and contacts, shown from the full listing),
    /// left out of ``indexListings()``: a field added later comes with the rest.
    static let indexOmitted = [
        "description", "scheduleText", "fees", "eligibility", "registration", "audienceNote", "sponsor", "manager", "alternateName", "organization",
        "phones", "emails", "website", "address", "placeName", "parentKey", "sourceUpdated", "accessibility.description", "accessibility.details",
        "accessibility.url",
    ]

    /// Every listed listing, as the referral index reads it: the canonical content
    /// (every field a future version adds comes with it), its long texts left out.
    public func indexListings() throws -> [IndexListing] {
        var out: [IndexListing] = []
        try forEachIndexListing { out.append($0) }
        return out
    }

    public func forEachIndexListing(_ body: (IndexListing) throws -> Void) throws {
        let omit = Self.indexOmitted.map { "'$.\($0)'" }.joined(separator: ", ")
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, json_remove(content, \(omit)) AS content, stale, demo, last_verified, substr(admin_verified_at, 1, 10) AS verified_by_team
                FROM service WHERE hidden = 0 AND status IN ('active', 'temporarily closed')
                """)
            let decoder = JSONDecoder()
            while let r = try rows.next() {
                let text: String = r["content"]
                guard let content = try? decoder.decode(ListingContent.self, from: Data(text.utf8)) else { continue }
                try body(IndexListing(id: r["id"], content: content, stale: r["stale"], demo: r["demo"], lastVerified: r["last_verified"], verifiedByTeam: r["verified_by_team"]))
            }
        }
    }

    // MARK: Geography

    public func geoCommunes() throws -> [Commune]? {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM geo_commune")
            guard !rows.isEmpty else { return nil }
            return rows.map {
                Commune(insee: $0["insee"], name: $0["name"], postalCodes: ($0["postal_codes"] as String).split(separator: ",").map(String.init), centroid: GeoPoint(latitude: $0["latitude"], longitude: $0["longitude"]))
            }
        }
    }

    public func geoParents() throws -> [String: String] {
        try pool.read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT insee, parent FROM geo_commune WHERE parent IS NOT NULL").map { ($0["insee"], $0["parent"]) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public func replaceGeoCommunes(_ communes: [Commune], parents: [String: String]) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM geo_commune")
            let st = try db.cachedStatement(sql: "INSERT INTO geo_commune (insee, name, postal_codes, latitude, longitude, parent) VALUES (?, ?, ?, ?, ?, ?)")
            for c in communes {
                try st.execute(arguments: [c.insee, c.name, c.postalCodes.joined(separator: ","), c.centroid.latitude, c.centroid.longitude, parents[c.insee]])
            }
        }
    }
}
