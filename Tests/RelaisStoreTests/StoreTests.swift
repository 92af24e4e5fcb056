import Foundation
import RelaisMerge
import RelaisModel
import RelaisStore
import RelaisStoreContract
import RelaisStoreSQLite
import RelaisTestSupport
import Testing

/// The store's contract on SQLite (every check on a new file), then what is SQLite's own.
@Suite struct SQLiteStoreTests {
    static func newStore(_ name: String = "store") throws -> (SQLiteStore, String) {
        let path = SharedData.temporaryDirectory(name).appendingPathComponent("relais.sqlite").path
        return (try SQLiteStore(path: path), path)
    }

    @Test(arguments: StoreContract.checks)
    func contract(_ check: StoreContract.Check) async throws {
        try await check.run(on: try Self.newStore("contract").0)
    }

    @Test func migrationsAreNamedAndIdempotent() async throws {
        let (store, path) = try Self.newStore()
        let reg = SourceRegistration(id: "t", title: "t", url: "file:///t", format: "csv")
        let id = try store.beginRun(source: reg, trigger: "test", at: Date())
        _ = try store.applyRun(id, batch: ImportBatch(source: reg, drafts: [ListingDraft(key: "1", content: ListingContent(name: "GEM Un", kind: .gem))]), at: Date())
        // Reopening the same file runs no migration twice and keeps the data.
        let again = try SQLiteStore(path: path)
        #expect(try again.listingCount() == 1)
    }

    /// A read-only command's store writes nothing: not a byte of the database, its WAL or
    /// anything beside it — even when it reads everything.
    @Test func readingOnlyWritesNothing() async throws {
        let (store, path) = try Self.newStore("readonly")
        let reg = SourceRegistration(id: "t", title: "t", url: "file:///t", format: "csv")
        let id = try store.beginRun(source: reg, trigger: "test", at: Date())
        _ = try store.applyRun(id, batch: ImportBatch(source: reg, drafts: [ListingDraft(key: "1", content: StoreContract.fullContent())]), at: Date())
        try store.checkpoint()
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        func snapshot() throws -> [String: Data] {
            var out: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where !name.hasSuffix("-shm") {
                out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
            }
            return out
        }
        let before = try snapshot()
        let reader = try SQLiteStore(readingOnly: path)
        #expect(try reader.listingCount() == 1)
        #expect(try reader.search(SearchQuery(text: "passage")).totalItems == 1)
        #expect(try reader.indexListings().count == 1)
        #expect(try reader.sources().count == 1)
        #expect(try snapshot() == before)
        // Writing through it is refused by SQLite itself.
        #expect(throws: (any Error).self) { try reader.markVerified(serviceID: "x", author: "a", at: Date()) }
        // A missing file is an error, not an empty store.
        #expect(throws: RelaisError.self) { try SQLiteStore(readingOnly: dir.appendingPathComponent("absent.sqlite").path) }
    }
}

/// The fast JSON writer the import path uses for the stored listing must write exactly
/// what `JSONEncoder` (sorted keys) writes: for every field set, and for none.
@Suite struct CanonicalJSONTests {
    static func encoder(_ value: some Encodable) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    @Test func theWriterIsJSONEncoderForEveryField() throws {
        let full = StoreContract.fullContent()
        // Every property of the model is set (the contract checks it too): a new field
        // that the writer forgets shows here as a difference.
        #expect(Mirror(reflecting: full).children.allSatisfy { child in
            let m = Mirror(reflecting: child.value)
            return !(m.displayStyle == .optional && m.children.isEmpty)
        })
        #expect(full.jsonString == (try Self.encoder(full)))
        let minimal = ListingContent(name: "GEM « Un » \\ \"deux\"\n", kind: .gem)
        #expect(minimal.jsonString == (try Self.encoder(minimal)))
        let decoded = try JSONDecoder().decode(ListingContent.self, from: Data(full.jsonString.utf8))
        #expect(decoded == full)
    }

    /// A listing stored by an older Relais (without the fields added since) is still read.
    @Test func olderListingsStayReadable() throws {
        let old = #"{"audiences":["personne"],"emails":[],"flags":[],"kind":"gem","modalities":["sur_place"],"name":"GEM Ancien","needs":[],"phones":[],"schedule":{"exceptions":[],"rules":[]},"sessions":[],"status":"active"}"#
        let c = try JSONDecoder().decode(ListingContent.self, from: Data(old.utf8))
        #expect(c.name == "GEM Ancien" && c.languages.isEmpty && c.accessibility == nil)
        let bare = #"{"kind":"gem","name":"GEM Nu","status":"active"}"#
        #expect(try JSONDecoder().decode(ListingContent.self, from: Data(bare.utf8)).name == "GEM Nu")
    }
}

/// A run bringing more new records than the store holds builds the listing table's indexes and
/// its full-text index once at its end (``SQLiteStore`` `bulkLoadThreshold`): the store comes out
/// as a run that keeps them up to date row by row leaves it, and a run not applied leaves them as they were.
@Suite struct BulkLoadTests {
    static let other = SourceRegistration(id: "autre", title: "Autre", url: "file:///autre", format: "csv")
    static let big = SourceRegistration(id: "grand", title: "Grand", url: "file:///grand", format: "csv")

    static func drafts(_ n: Int, variant: Int = 0) -> [ListingDraft] {
        let kinds: [Kind] = [.gem, .association_usagers, .groupe_parole, .ligne_ecoute]
        return (0..<n).map { i in
            var c = ListingContent(name: "Œuvre d’entraide n° \(i) \(["Lyon", "Élancourt", "Saint-Étienne"][i % 3])", kind: kinds[i % kinds.count])
            c.description = i % 2 == 0 ? "Groupe de parole et café-rencontre \(variant)" : nil
            c.address = Address(street: "\(i) rue Haute", postalCode: ["69001", "78990", "42000"][i % 3], commune: ["Lyon", "Élancourt", "Saint-Étienne"][i % 3],
                                departement: ["69", "78", "42"][i % 3])
            c.phones = [Phone("+3347\(String(format: "%07d", i))")]
            c.needs = [["isolement"], ["famille"], ["entraide", "isolement"]][i % 3]
            c.schedule = Schedule(rules: [ScheduleRule(days: [WeekdaySelector(weekday: 1 + i % 5)], times: [TimeSpan(open: 840, close: 1020)])])
            return ListingDraft(key: "k\(i)", content: c)
        }
    }

    /// What a reader sees of a store: every listing, searches, browsing by kind and département.
    static func view(_ store: SQLiteStore) async throws -> [String] {
        var out = try store.allListings(includeHidden: true).map { "\($0.id) \($0.content.name) \($0.sources)" }.sorted()
        for q in [SearchQuery(text: "oeuvre"), SearchQuery(text: "saint etienne"), SearchQuery(text: "café"), SearchQuery(kind: .gem),
                  SearchQuery(departement: "78", perPage: 7), SearchQuery(need: "famille", page: 2, perPage: 5), SearchQuery(text: "entraide 12")] {
            let page = try await store.search(q)
            out.append("\(q): \(page.totalItems) — " + page.listings.map(\.id).joined(separator: ","))
        }
        return out
    }

    static func fill(_ store: SQLiteStore) throws {
        // Another source first, one of whose listings the large run joins (same phone number).
        var twin = drafts(1)[0].content
        twin.name = "Maison des usagers"
        let small = [ListingDraft(key: "a", content: twin), ListingDraft(key: "b", content: ListingContent(name: "GEM La Boussole", kind: .gem))]
        _ = try store.applyRun(try store.beginRun(source: other, trigger: "test", at: Date()), batch: ImportBatch(source: other, drafts: small), at: Date())
        _ = try store.applyRun(try store.beginRun(source: big, trigger: "test", at: Date()), batch: ImportBatch(source: big, drafts: drafts(120)), at: Date())
        // The same source again, changed (never a bulk load: its records are known).
        _ = try store.applyRun(try store.beginRun(source: big, trigger: "test", at: Date()), batch: ImportBatch(source: big, drafts: drafts(130, variant: 1)), at: Date())
    }

    @Test func aBulkLoadEndsAsARowByRowRun() async throws {
        let bulk = try SQLiteStore(path: SharedData.temporaryDirectory("bulk").appendingPathComponent("relais.sqlite").path, bulkLoadThreshold: 50)
        let rows = try SQLiteStore(path: SharedData.temporaryDirectory("rows").appendingPathComponent("relais.sqlite").path, bulkLoadThreshold: .max)
        try Self.fill(bulk)
        try Self.fill(rows)
        #expect(try bulk.listingCount() == 131)  // 2 + 130, one joined
        #expect(try await Self.view(bulk) == (try await Self.view(rows)))
        #expect(try bulk.indexes(on: "service") == (try rows.indexes(on: "service")))
        #expect(try bulk.indexes(on: "service").contains("service_browse_departement"))
        #expect(try bulk.integrityProblems().isEmpty)
    }

    @Test func aBulkLoadNotAppliedLeavesTheIndexes() async throws {
        let store = try SQLiteStore(path: SharedData.temporaryDirectory("bulk-refused").appendingPathComponent("relais.sqlite").path, bulkLoadThreshold: 50)
        let before = try store.indexes(on: "service")
        let run = try store.beginRun(source: Self.big, trigger: "test", at: Date())
        let feed = RunFeed(drafts: Self.drafts(80), verdict: .refuse(message: "trop de lignes rejetées", issues: []))
        #expect(throws: RunNotApplied.self) {
            try store.applyRun(run, source: Self.big, feed: feed, expectedRecords: 80, httpStatus: nil, etag: nil, lastModified: nil, at: Date())
        }
        #expect(try store.listingCount() == 0)
        #expect(try store.indexes(on: "service") == before)
        #expect(try store.integrityProblems().isEmpty)
    }
}
