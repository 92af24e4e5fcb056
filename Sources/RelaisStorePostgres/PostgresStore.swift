import Foundation
import RelaisMerge
import RelaisModel
import RelaisNormalize
import RelaisStore
import Synchronization

/// The store on PostgreSQL, through libpq: several `relais serve` behind one database.
/// The same protocols and the same contract suite as ``SQLiteStore``; the same table and
/// column names, so that a query reads the same on both. Times are `timestamptz`, read back
/// as ISO 8601 text (`iso(col)`); JSON is kept as its canonical text (compared as text to
/// tell an unchanged listing) with a `jsonb` copy for queries.
///
/// Writes that SQLite serialises by having one writer take a transaction-scoped advisory
/// lock here (``Lock``), so two instances never interleave a run's reads and writes.
public final class PostgresStore: @unchecked Sendable {
    let pool: PGPool
    public let url: String
    /// Totals of recent searches, valid for one data version (the key holds it).
    let countCache = BoundedCache<String, Int>(capacity: 512)
    /// The data version last read, with this process's write count then and when it was read.
    let version = Mutex<(value: Int, commits: Int, at: UInt64)?>(nil)
    private let listening = Atomic<Bool>(false)

    /// Advisory lock keys (`pg_advisory_xact_lock`): one per kind of write that must not interleave.
    enum Lock: Int64 {
        case migrations = 7_301_001
        case listings = 7_301_002
        case throttle = 7_301_003
        case reports = 7_301_004
    }

    /// Connects to `url` (`postgres://user@host:port/database`) and migrates the database;
    /// `readingOnly`: writes nothing, and refuses a database not migrated by this version.
    public init(url: String, readingOnly: Bool = false, connections: Int = 8) throws {
        self.url = url
        pool = PGPool(url: Self.libpqURL(url), capacity: connections)
        // A connection of its own (not the pool's): libpq's whole message, for the person starting it.
        let c: PGConnection
        do { c = try PGConnection(url: Self.libpqURL(url)) } catch let error as PGError {
            throw RelaisError(.unavailable, "base PostgreSQL « \(Self.redacted(url)) » inaccessible : \(error.message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        if readingOnly {
            let done = (try? c.query("SELECT name FROM relais_migration").rows.map { $0.text("name") }) ?? []
            guard Set(done).isSuperset(of: PostgresSchema.migrations.map(\.name)) else {
                throw RelaisError(.unavailable, "base « \(Self.redacted(url)) » d’une autre version de Relais, ou qui n’est pas une base Relais : lancez « relais import » ou « relais serve » une fois pour la mettre à jour")
            }
        } else {
            do { try Self.migrate(c) } catch let error as PGError {
                throw RelaisError(.unavailable, "base PostgreSQL « \(Self.redacted(url)) » : mise à jour du schéma impossible — \(error.message.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
    }

    /// Whether `text` names a PostgreSQL database rather than a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// libpq reads `postgresql://` and `postgres://` alike; the application name shows in `pg_stat_activity`.
    /// A connection that cannot be made within 10 s fails (a server that drops packets would
    /// otherwise hold every request, `/health` too), unless the URL says otherwise.
    static func libpqURL(_ url: String) -> String {
        var url = url
        for (key, value) in [("application_name", "relais"), ("connect_timeout", "10")] where !url.contains(key + "=") {
            url += (url.contains("?") ? "&" : "?") + key + "=" + value
        }
        return url
    }

    /// The URL without its password, for messages and logs.
    public static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    /// Applies the migrations not yet applied, one transaction each, under an advisory lock:
    /// two instances starting together migrate once.
    static func migrate(_ c: PGConnection) throws {
        try c.query("SELECT pg_advisory_lock($1)", [Lock.migrations.rawValue])
        defer { _ = try? c.query("SELECT pg_advisory_unlock($1)", [Lock.migrations.rawValue]) }
        try c.batch("CREATE TABLE IF NOT EXISTS relais_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        let done = Set(try c.query("SELECT name FROM relais_migration").rows.map { $0.text("name") })
        for (name, sql) in PostgresSchema.migrations where !done.contains(name) {
            try c.transaction {
                try c.batch(sql)
                try c.query("INSERT INTO relais_migration (name) VALUES ($1)", [name])
            }
        }
    }

    static func iso(_ d: Date) -> String { Timestamp.string(d) }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func json<T: Encodable>(_ v: T) -> String { (try? encoder.encode(v)).map { String(decoding: $0, as: UTF8.self) } ?? "null" }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Takes a transaction-scoped advisory lock (released at commit or rollback).
    static func lock(_ c: PGConnection, _ key: Lock) throws {
        try c.query("SELECT pg_advisory_xact_lock($1)", [key.rawValue])
    }

    /// One more data version: every instance's caches (and referral index) follow it; the
    /// notification tells the others at once (they also poll).
    static func bumpVersion(_ c: PGConnection) throws {
        let v = try c.query("UPDATE meta SET value = value + 1 WHERE key = 'data_version' RETURNING value").first?.int("value") ?? 0
        try c.query("SELECT pg_notify('relais_data_version', $1)", [String(v)])
    }

    // MARK: Listings

    static let listingColumns = """
        id, content, demo, stale, hidden, last_verified, sources, provenance, parent_id, \
        to_char(admin_verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS verified_by_team, iso(updated_at) AS updated_at
        """

    static func listing(_ row: PGRow) -> Listing? {
        guard let content = decode(ListingContent.self, row.string("content")) else { return nil }
        return Listing(
            id: row.text("id"), content: content, demo: row.flag("demo"), stale: row.flag("stale"), hidden: row.flag("hidden"),
            lastVerified: row.string("last_verified"), sources: decode([String].self, row.string("sources")) ?? [],
            provenance: decode([String: FieldOrigin].self, row.string("provenance")) ?? [:], parentID: row.string("parent_id"),
            verifiedByTeam: row.string("verified_by_team"), updatedAt: row.string("updated_at"))
    }

    public func listing(id: String) throws -> Listing? {
        try pool.read { c in try c.query("SELECT \(Self.listingColumns) FROM service WHERE id = $1", [id]).first.flatMap(Self.listing) }
    }

    public func listings(ids: [String]) throws -> [Listing] {
        guard !ids.isEmpty else { return [] }
        return try pool.read { c in
            let rows = try c.query("SELECT \(Self.listingColumns) FROM service WHERE id = ANY($1::text[])", [PGTextArray(ids)]).rows
            let byID = Dictionary(rows.compactMap(Self.listing).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            return ids.compactMap { byID[$0] }
        }
    }

    public func listingCount() throws -> Int {
        try pool.read { c in try c.query("SELECT COUNT(*) AS n FROM service").first?.int("n") ?? 0 }
    }

    public func allListings(includeHidden: Bool = false) throws -> [Listing] {
        try pool.read { c in
            try c.query("SELECT \(Self.listingColumns) FROM service \(includeHidden ? "" : "WHERE hidden = 0") ORDER BY id COLLATE \"C\"").rows.compactMap(Self.listing)
        }
    }

    public func listingIDs() throws -> [String] {
        try pool.read { c in try c.query("SELECT id FROM service WHERE hidden = 0").rows.map { $0.text("id") } }
    }

    public func organizations(page: Int, perPage: Int) throws -> (total: Int, items: [(key: String, name: String)]) {
        try pool.read { c in
            let visible = "EXISTS (SELECT 1 FROM service s WHERE s.organization_id = o.id AND s.hidden = 0)"
            let total = try c.query("SELECT COUNT(*) AS n FROM organization o WHERE \(visible)").first?.int("n") ?? 0
            let rows = try c.query(
                "SELECT o.id, o.name FROM organization o WHERE \(visible) ORDER BY o.name COLLATE \"C\", o.id COLLATE \"C\" LIMIT $1 OFFSET $2",
                [max(1, perPage), max(0, (page - 1) * max(1, perPage))]).rows
            return (total, rows.map { (key: $0.text("id"), name: $0.text("name")) })
        }
    }

    public func changedListings(after: String, cursor: ChangedListing?, limit: Int) throws -> (total: Int, entries: [ChangedListing]) {
        try pool.read { c in
            // Removals: the last removal of each listing no longer in the directory.
            let feed = """
                SELECT iso(updated_at) AS at, id, 0 AS removed, NULL::text AS name FROM service WHERE hidden = 0 AND updated_at > $1::timestamptz
                UNION ALL
                SELECT DISTINCT ON (c.service_id) iso(c.at) AS at, c.service_id AS id, 1 AS removed, c.service_name AS name FROM change c
                WHERE c.action = 'removed' AND c.at > $1::timestamptz AND NOT EXISTS (SELECT 1 FROM service s WHERE s.id = c.service_id)
                ORDER BY id, at DESC
                """
            var past = ""
            var parameters: [any PGBindable] = [after]
            if let cursor {
                past = "WHERE (f.at > $2 OR (f.at = $2 AND f.id COLLATE \"C\" > $3))"
                parameters += [cursor.at, cursor.id]
            }
            let total = try c.query("SELECT COUNT(*) AS n FROM (\(feed)) f \(past)", parameters).first?.int("n") ?? 0
            let rows = try c.query(
                "SELECT * FROM (\(feed)) f \(past) ORDER BY f.at COLLATE \"C\", f.id COLLATE \"C\" LIMIT $\(parameters.count + 1)",
                parameters + [max(1, limit)]).rows
            return (total, rows.map { ChangedListing(id: $0.text("id"), at: $0.text("at"), removed: $0.flag("removed"), name: $0.string("name")) })
        }
    }

    /// An FTS5-like query's words: every word must match as a prefix (`Sainte Anne` → sainte*, anne*).
    static func searchWords(_ text: String) -> [String] {
        Text.fold(text).split(separator: " ").map(String.init).filter { !$0.isEmpty }
    }

    /// Pages deeper than this many rows are refused when no index serves the query's order.
    public static var unindexedWindow: Int { StoreRules.unindexedWindow }

    /// A page of listings, in the order SQLite gives (stale, folded name or rank, id).
    public func search(_ q: SearchQuery) throws -> ListingPage {
        try pool.read { c in
            var conditions: [String] = []
            var p = PGParameters()
            func bind(_ value: any PGBindable) -> String { p.bind(value) }
            if !q.includeHidden { conditions.append("s.hidden = 0") }
            if !q.includeStale { conditions.append("s.stale = 0") }
            if let v = q.kind?.rawValue { conditions.append("s.kind = \(bind(v))") }
            if let v = q.departement { conditions.append("s.departement = \(bind(v))") }
            if let v = q.modifiedAfter { conditions.append("s.updated_at > \(bind(v))::timestamptz") }
            if let v = q.postalCode { conditions.append("s.postal_code = \(bind(v))") }
            if let v = q.organization { conditions.append("s.organization_id = \(bind(v))") }
            var indexed = true
            if let language = q.language {
                // A French directory: a listing that names no language welcomes people in French.
                let unsaid = language == "fr" ? "COALESCE(jsonb_array_length(s.content_json -> 'languages'), 0) = 0 OR " : ""
                conditions.append("(\(unsaid)(s.content_json -> 'languages') ? \(bind(language)))")
                indexed = false
            }
            if let access = q.access {
                conditions.append("(s.content_json -> 'accessibility' -> 'features') ? \(bind(access.rawValue))")
                indexed = false
            }
            if let n = q.need {
                conditions.append("s.needs::jsonb ? \(bind(n))")
                indexed = false
            }
            var from = "service s"
            var order = "s.stale, s.search_name COLLATE \"C\", s.id COLLATE \"C\""
            var reverse = "s.stale DESC, s.search_name COLLATE \"C\" DESC, s.id COLLATE \"C\" DESC"
            let words = q.text.map(Self.searchWords) ?? []
            if !words.isEmpty {
                let placeholder = bind(PGTextArray(words))
                from = "(\(PostgresSearch.rankedMatches(wordsParameter: placeholder, extraConditions: ""))) f JOIN service s ON s.rowid = f.rowid"
                order = "s.stale, f.rank, s.id COLLATE \"C\""
                reverse = "s.stale DESC, f.rank DESC, s.id COLLATE \"C\" DESC"
                indexed = false
            }
            let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let version = try c.query("SELECT value FROM meta WHERE key = 'data_version'").first?.int("value") ?? 0
            let countKey = "\(version)|\(from)|\(whereSQL)|" + p.values.map { $0.pgText ?? "∅" }.joined(separator: "|")
            let total: Int
            if let cached = countCache.get(countKey) {
                total = cached
            } else {
                total = try c.query("SELECT COUNT(*) AS n FROM \(from) \(whereSQL)", p.values).first?.int("n") ?? 0
                countCache.set(countKey, total)
            }
            let perPage = max(1, q.perPage)
            guard let window = StoreRules.window(total: total, page: q.page, perPage: perPage) else {
                return ListingPage(totalItems: total, page: q.page, perPage: perPage, listings: [])
            }
            let (skip, take, backwards) = (window.skip, window.take, window.backwards)
            if !indexed && skip > StoreRules.unindexedWindow { throw StoreRules.tooDeep }
            let limit = bind(take)
            let skipped = bind(skip)
            let ids = try c.query("SELECT s.id FROM \(from) \(whereSQL) ORDER BY \(backwards ? reverse : order) LIMIT \(limit) OFFSET \(skipped)", p.values)
                .rows.map { $0.text("id") }
            let ordered = backwards ? Array(ids.reversed()) : ids
            guard !ordered.isEmpty else { return ListingPage(totalItems: total, page: q.page, perPage: perPage, listings: []) }
            let rows = try c.query("SELECT \(Self.listingColumns) FROM service WHERE id = ANY($1::text[])", [PGTextArray(ordered)]).rows
            var byID: [String: Listing] = [:]
            for row in rows { if let l = Self.listing(row) { byID[l.id] = l } }
            return ListingPage(totalItems: total, page: q.page, perPage: perPage, listings: ordered.compactMap { byID[$0] })
        }
    }

    // MARK: Versions and the referral index

    /// The data version, as last heard or read. Every question asks: the answer comes from
    /// memory while a listener (`LISTEN relais_data_version`, one connection per instance) hears
    /// each change — any instance's — within milliseconds, and reads it again every second in
    /// case a notification was lost. A write of this instance is seen by its next question at once.
    public func dataVersion() throws -> Int {
        startListening()
        let commits = PGPool.commits.load(ordering: .acquiring)
        let now = DispatchTime.now().uptimeNanoseconds
        if let v = version.withLock({ $0 }), v.commits == commits, now &- v.at < 2_000_000_000 { return v.value }
        let value = try pool.read { c in try c.query("SELECT value FROM meta WHERE key = 'data_version'").first?.int("value") ?? 0 }
        version.withLock { $0 = (value, commits, now) }
        return value
    }

    /// Starts the listener thread once (on the first question, not for a command that never asks).
    private func startListening() {
        guard listening.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let url = pool.url
        Thread.detachNewThread { [weak self] in
            var connection: PGConnection?
            while self != nil {
                do {
                    if connection == nil {
                        let c = try PGConnection(url: url)
                        try c.batch("LISTEN relais_data_version")
                        connection = c
                    }
                    guard let c = connection else { continue }
                    // Woken by a notification or after a second: either way the value is read from
                    // the table (a notification's payload may arrive out of order across instances).
                    c.waitForNotifications(upTo: 1.0)
                    guard c.isConnected else { connection = nil; continue }
                    let value = try c.query("SELECT value FROM meta WHERE key = 'data_version'").first?.int("value") ?? 0
                    guard let store = self else { return }
                    let commits = PGPool.commits.load(ordering: .acquiring)
                    store.version.withLock { $0 = (value, commits, DispatchTime.now().uptimeNanoseconds) }
                } catch {
                    connection = nil
                    Thread.sleep(forTimeInterval: 1)
                }
            }
        }
    }

    public func storeIdentity() throws -> Int64? {
        try pool.read { c in try c.query("SELECT value FROM meta WHERE key = 'store_id'").first?.int64("value") }
    }


    public func indexListings() throws -> [IndexListing] {
        var out: [IndexListing] = []
        try forEachIndexListing { out.append($0) }
        return out
    }

    /// Every listed listing, read in pages of 5,000 by id (memory bounded by a page). The
    /// canonical text is read and its long texts dropped here (``dropLongTexts``): removing them
    /// with jsonb operators in the query cost PostgreSQL seven times the read.
    public func forEachIndexListing(_ body: (IndexListing) throws -> Void) throws {
        let decoder = JSONDecoder()
        var after = ""
        while true {
            let rows = try pool.read { c in
                try c.query("""
                    SELECT id, content, stale, demo, last_verified, to_char(admin_verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS verified_by_team
                    FROM service WHERE hidden = 0 AND status IN ('active', 'temporarily closed') AND id COLLATE "C" > $1
                    ORDER BY id COLLATE "C" LIMIT 5000
                    """, [after]).rows
            }
            for r in rows {
                guard var content = try? decoder.decode(ListingContent.self, from: Data(r.text("content").utf8)) else { continue }
                Self.dropLongTexts(&content)
                try body(IndexListing(
                    id: r.text("id"), content: content, stale: r.flag("stale"), demo: r.flag("demo"), lastVerified: r.string("last_verified"),
                    verifiedByTeam: r.string("verified_by_team")))
            }
            guard rows.count == 5000, let last = rows.last else { return }
            after = last.text("id")
        }
    }

    /// What the referral engine never reads, as SQLite's index query leaves it out
    /// (`SQLiteStore.indexOmitted`; the contract's `indexListings` check holds both to it).
    static func dropLongTexts(_ c: inout ListingContent) {
        (c.description, c.scheduleText, c.fees, c.eligibility, c.registration, c.audienceNote) = (nil, nil, nil, nil, nil, nil)
        (c.sponsor, c.manager, c.alternateName, c.organization, c.website, c.address) = (nil, nil, nil, nil, nil, nil)
        (c.placeName, c.parentKey, c.sourceUpdated, c.phones, c.emails) = (nil, nil, nil, [], [])
        c.accessibility?.description = nil
        c.accessibility?.details = nil
        c.accessibility?.url = nil
    }

    // MARK: Geography

    public func geoCommunes() throws -> [Commune]? {
        try pool.read { c in
            let rows = try c.query("SELECT insee, name, postal_codes, latitude, longitude FROM geo_commune").rows
            guard !rows.isEmpty else { return nil }
            return rows.map {
                Commune(
                    insee: $0.text("insee"), name: $0.text("name"), postalCodes: $0.text("postal_codes").split(separator: ",").map(String.init),
                    centroid: GeoPoint(latitude: $0.double("latitude") ?? 0, longitude: $0.double("longitude") ?? 0))
            }
        }
    }

    public func geoParents() throws -> [String: String] {
        try pool.read { c in
            Dictionary(
                try c.query("SELECT insee, parent FROM geo_commune WHERE parent IS NOT NULL").rows.map { ($0.text("insee"), $0.text("parent")) },
                uniquingKeysWith: { a, _ in a })
        }
    }

    public func replaceGeoCommunes(_ communes: [Commune], parents: [String: String]) throws {
        try pool.write { c in
            try c.batch("DELETE FROM geo_commune")
            for chunk in stride(from: 0, to: communes.count, by: 2000).map({ communes[$0..<min($0 + 2000, communes.count)] }) {
                try c.query("""
                    INSERT INTO geo_commune (insee, name, postal_codes, latitude, longitude, parent)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[])
                    """, [
                        PGTextArray(chunk.map(\.insee)), PGTextArray(chunk.map(\.name)), PGTextArray(chunk.map { $0.postalCodes.joined(separator: ",") }),
                        PGTextArray(chunk.map { $0.centroid.latitude.pgText }), PGTextArray(chunk.map { $0.centroid.longitude.pgText }),
                        PGTextArray(chunk.map { parents[$0.insee] }),
                    ])
            }
        }
    }

    // MARK: Maintenance

    /// What can go wrong that PostgreSQL's own constraints do not catch: a listing whose content
    /// this version of Relais cannot read (written by another version, or by hand), a source
    /// record whose listing is gone. (The search columns are generated: they cannot drift.)
    public func integrityProblems() throws -> [String] {
        var problems: [String] = []
        let orphans = try pool.read { c in
            try c.query("SELECT COUNT(*) AS n FROM source_record r WHERE NOT EXISTS (SELECT 1 FROM service s WHERE s.id = r.service_id)").first?.int("n") ?? 0
        }
        if orphans > 0 { problems.append("\(orphans) enregistrements de source sans leur fiche") }
        let decoder = JSONDecoder()
        var unreadable: [String] = []
        var after = ""
        while true {
            let rows = try pool.read { c in
                try c.query("SELECT id, content FROM service WHERE id > $1 ORDER BY id LIMIT 5000", [after]).rows
            }
            for r in rows where (try? decoder.decode(ListingContent.self, from: Data(r.text("content").utf8))) == nil { unreadable.append(r.text("id")) }
            guard rows.count == 5000, let last = rows.last else { break }
            after = last.text("id")
        }
        if !unreadable.isEmpty {
            problems.append("\(unreadable.count) fiches au contenu illisible par cette version de Relais (\(unreadable.prefix(5).joined(separator: ", "))\(unreadable.count > 5 ? "…" : ""))")
        }
        return problems
    }

    /// Nothing to rebuild: the search vector is a generated column, always in step.
    public func rebuildFullTextIndex() throws {}

    /// PostgreSQL checkpoints on its own.
    public func checkpoint() throws {}
}

extension PostgresStore: DirectoryStore {}
