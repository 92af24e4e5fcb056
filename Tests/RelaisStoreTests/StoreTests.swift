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
