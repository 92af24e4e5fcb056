import Foundation
import RelaisApp
import RelaisMerge
import RelaisFetch
import RelaisImport
import RelaisModel
import RelaisSources
import RelaisStore
import RelaisStoreSQLite
import RelaisTestSupport

/// A fresh store, the project's Directory/, and an importer whose clock is the
/// fixtures' reference date (2026-11-23T12:00:00+01:00).
struct TestEnvironment {
    static let referenceDate = Date(timeIntervalSince1970: 1_795_431_600)  // 2026-11-23T11:00:00Z
    static let data: DirectoryData = try! DirectoryData.load(from: RelaisHome(root: SharedData.projectRoot))

    let dir: URL
    let store: SQLiteStore
    let importer: Importer

    /// `environment`: more variables for the importer (`RELAIS_SPOOL_BYTES`…).
    init(clock: @escaping @Sendable () -> Date = { TestEnvironment.referenceDate }, environment: [String: String] = [:]) throws {
        dir = SharedData.temporaryDirectory("import")
        store = try SQLiteStore(path: dir.appendingPathComponent("test.sqlite").path)
        let fetcher = Fetcher(configuration: .init(timeouts: .init(connect: 2, total: 10), retry: .init(maxAttempts: 2, baseDelay: 0.05, maxDelay: 0.1)))
        importer = Importer(store: store, data: Self.data, fetcher: fetcher, clock: clock, environment: ["RELAIS_HOME": SharedData.projectRoot.path].merging(environment) { _, new in new })
    }

    func manifest(_ id: String, url: String, format: SourceFormat, kind: Kind? = nil, options: [String: String] = [:], fields: [String: String] = [:], staleAfterRuns: Int = 3) -> Manifest {
        Manifest(id: id, title: id, url: url, format: format, kind: kind, staleAfterRuns: staleAfterRuns, options: options, fields: fields)
    }

    func all() throws -> [Listing] { try store.allListings(includeHidden: true) }

    func listing(named name: String) throws -> Listing? {
        try all().first { $0.content.name == name }
    }

    func listings(containing part: String) throws -> [Listing] {
        try all().filter { $0.content.name.localizedCaseInsensitiveContains(part) }
    }

    /// A stable picture of the store, to check that a failed run changed nothing.
    func snapshot() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try all().map { "\($0.id)|\($0.stale)|\(String(decoding: try e.encode($0.content), as: UTF8.self))" }.sorted().joined(separator: "\n")
    }
}
