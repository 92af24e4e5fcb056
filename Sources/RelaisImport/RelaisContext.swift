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
        return RelaisContext(home: home, store: store, data: data, importer: importer)
    }

    /// Manifests of a folder (default `Importers/`), `${RELAIS_HOME}` expanded.
    public func manifests(in folder: URL? = nil) throws -> [Manifest] {
        try Manifest.loadAll(from: folder ?? home.importers, environment: importer.environment)
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
