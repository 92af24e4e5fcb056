import Foundation
import Logging
import RelaisFetch
import RelaisModel
import RelaisStore

/// Everything a command or the server needs: the store, `Directory/`, the
/// manifests folder, and an importer over them.
public struct RelaisContext: Sendable {
    public let home: RelaisHome
    public let store: SQLiteStore
    public let data: DirectoryData
    public let importer: Importer

    /// Opens the store at `db` (created and migrated if needed), loads
    /// `Directory/` (with the gazetteer imported from La Poste when the store
    /// has one) and brings the curated national entries up to date.
    public static func open(db: String, home: RelaisHome? = nil, clock: @escaping @Sendable () -> Date = { Date() },
                            fetcher: Fetcher = Fetcher(), environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RelaisContext {
        let home = try home ?? RelaisHome.locate(environment: environment)
        let store = try SQLiteStore(path: db)
        var override: (communes: [Commune], parents: [String: String])?
        if let communes = try store.geoCommunes() { override = (communes, try store.geoParents()) }
        let data = try DirectoryData.load(from: home, communes: override)
        var env = environment
        env["RELAIS_HOME"] = env["RELAIS_HOME"] ?? home.root.path
        let importer = Importer(store: store, data: data, fetcher: fetcher, clock: clock, environment: env)
        importer.syncNational()
        let context = RelaisContext(home: home, store: store, data: data, importer: importer)
        context.closeAbandonedRuns(now: clock())
        return context
    }

    /// Closes the runs left "running" by a process of this host that is gone (killed,
    /// crashed): they applied nothing, and say so in the ledger as interrupted.
    public func closeAbandonedRuns(now: Date) {
        guard let running = try? store.runningRuns() else { return }
        let gone = running.filter { $0.owner.map(ProcessLiveness.isGoneLocally) ?? false }.map(\.id)
        try? store.closeAbandonedRuns(gone, at: now)
    }

    /// The valid manifests of a folder (default `Importers/`), `${RELAIS_HOME}` expanded; an
    /// invalid file is left out (see ``manifestSet(in:)`` for its reason), never stops the others.
    public func manifests(in folder: URL? = nil) throws -> [Manifest] {
        try manifestSet(in: folder).manifests
    }

    /// The manifests of a folder and the files that could not be read, each with its reason;
    /// a problem with a known source's file is written to that source's ledger too.
    public func manifestSet(in folder: URL? = nil) throws -> ManifestSet {
        let set = try Manifest.load(from: folder ?? home.importers, environment: importer.environment)
        for problem in set.problems {
            guard let id = problem.sourceID else { continue }
            try? store.recordManifestProblem(sourceID: id, message: "manifeste invalide (\(problem.fileName)) : \(problem.key.map { "clé « \($0) » — " } ?? "")\(problem.message)", at: importer.clock())
        }
        return set
    }

    /// Imports every enabled manifest whose URL is local (`file://`): the bundled
    /// demonstration sources. Used on first start when the store is empty.
    public func importBundled(progress: (@Sendable (String) -> Void)? = nil) async throws -> [RunRecord] {
        var runs: [RunRecord] = []
        for m in try manifests() where m.enabled && m.url.lowercased().hasPrefix("file://") {
            runs.append(await importer.run(m, trigger: "first-start", progress: progress))
        }
        return runs
    }
}
