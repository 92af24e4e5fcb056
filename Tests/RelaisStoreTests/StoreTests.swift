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
