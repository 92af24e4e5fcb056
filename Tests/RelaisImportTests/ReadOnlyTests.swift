import Foundation
import RelaisApp
import RelaisImport
import RelaisModel
import RelaisSources
import RelaisStore
import RelaisTestSupport
import Testing

/// The commands that only read (`search`, `refer`, `sessions`, `sources`) open the app
/// read-only: not a byte of the database changes, even when `Directory/national.yml` or a
/// manifest would have something to record.
@Suite struct ReadOnlyTests {
    @Test func aReadOnlyContextWritesNothing() async throws {
        let dir = SharedData.temporaryDirectory("readonly-context")
        let db = dir.appendingPathComponent("relais.sqlite").path
        let home = RelaisHome(root: SharedData.projectRoot)
        let writer = try await RelaisContext.open(db: db, home: home)
        _ = try await writer.importBundled()
        try await writer.store.checkpoint()
        func snapshot() throws -> [String: Data] {
            var out: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where !name.hasSuffix("-shm") {
                out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
            }
            return out
        }
        let before = try snapshot()
        let reader = try await RelaisContext.open(db: db, access: .readOnly, home: home)
        #expect(try await reader.store.search(SearchQuery(text: "entraide")).totalItems > 0)
        let answer = try await reader.referrals.answer(ReferralAsk(needs: ["isolement"], near: "75011"))
        #expect(!answer.answer.suggestions.isEmpty)
        _ = try await reader.manifestSet()
        _ = try await reader.referrals.sessions(QueryParameters(["near": "33000"]))
        #expect(try snapshot() == before)
        // A database that is not there is an error, not an empty directory.
        await #expect(throws: RelaisError.self) {
            _ = try await RelaisContext.open(db: dir.appendingPathComponent("typo.sqlite").path, access: .readOnly, home: home)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("typo.sqlite").path))
    }
}
