import Foundation
import Logging
import RelaisFetch
import RelaisImport
import RelaisModel
import RelaisSources
import RelaisStore
import RelaisStorePostgres
import RelaisStoreSQLite

/// The composition root: everything `relais serve`, every command, the tests and the
/// benchmarks work with, assembled in one place — the store (held by its protocols),
/// `Directory/`, the importer, the referral index and the use cases.
public struct RelaisContext: Sendable {
    public let home: RelaisHome
    public let store: any DirectoryStore
    public let data: DirectoryData
    public let importer: Importer
    public let clock: @Sendable () -> Date
    public let logger: Logger
    /// The referral index, rebuilt when the listings change.
    public let index: IndexCache
    /// Referral questions and upcoming sessions.
    public let referrals: Referrals
    /// Opened for reading only: nothing is written (no migration, no national lines, no ledger repair).
    public let readOnly: Bool

    public var taxonomy: Taxonomy { data.taxonomy }

    /// How a command or the server opens the store.
    public enum Access: Sendable {
        /// Created if missing, migrated, the curated national lines brought up to date,
        /// runs of dead processes closed: `serve`, `import`, `refresh`, `admin`.
        case readWrite
        /// An existing, migrated store, read and never written: `search`, `refer`, `sessions`, `sources`.
        case readOnly
        /// Opened writable and migrated, but nothing else done on opening: `check`, which writes only when asked to repair.
        case maintenance
    }

    /// Opens the store `db` names — a SQLite file (the embedded default) or a PostgreSQL URL
    /// (`postgres://user@host/database`: several instances, one database) — and assembles the rest.
    public static func open(
        db: String, access: Access = .readWrite, home: RelaisHome? = nil, clock: @escaping @Sendable () -> Date = { Date() },
        fetcher: Fetcher = Fetcher(), environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "relais"),
        warmIndex: Bool = false
    ) async throws -> RelaisContext {
        if PostgresStore.isURL(db) {
            // No index file: instances share the database, not a disk (each builds its index).
            return try await open(
                store: try PostgresStore(url: db, readingOnly: access == .readOnly), readOnly: access != .readWrite, home: home, clock: clock,
                fetcher: fetcher, environment: environment, logger: logger, indexSnapshot: nil, warmIndex: warmIndex)
        }
        let store: SQLiteStore
        switch access {
        case .readWrite, .maintenance: store = try SQLiteStore(path: db)
        case .readOnly: store = try SQLiteStore(readingOnly: db)
        }
        return try await open(
            store: store, readOnly: access != .readWrite, home: home, clock: clock, fetcher: fetcher, environment: environment, logger: logger,
            indexSnapshot: db + ".index", warmIndex: warmIndex)
    }

    /// How `db` is shown in messages and logs: a PostgreSQL URL without its password.
    public static func display(db: String) -> String {
        PostgresStore.isURL(db) ? PostgresStore.redacted(db) : db
    }

    /// Whether `db` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(db: String) -> Bool { PostgresStore.isURL(db) }

    /// Assembles Relais over any store that implements the protocols (another backend, a test's).
    public static func open(
        store: any DirectoryStore, readOnly: Bool = false, home: RelaisHome? = nil, clock: @escaping @Sendable () -> Date = { Date() },
        fetcher: Fetcher = Fetcher(), environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "relais"),
        indexSnapshot: String? = nil, warmIndex: Bool = false
    ) async throws -> RelaisContext {
        let home = try home ?? RelaisHome.locate(environment: environment)
        // `warmIndex` (a server): the referral index (the file kept beside the store, or a build) is
        // read while the rest loads — the gazetteer, the server — so that the first question does
        // not wait for it (a million listings: about a second).
        let taxonomy = try DirectoryData.taxonomy(from: home)
        let index = IndexCache(store: store, taxonomy: taxonomy, logger: logger, snapshotPath: indexSnapshot, writesSnapshot: !readOnly)
        if warmIndex { Task.detached(priority: .userInitiated) { _ = try? await index.index() } }
        var override: (communes: [Commune], parents: [String: String])?
        if let communes = try await store.geoCommunes() { override = (communes, try await store.geoParents()) }
        let data = try DirectoryData.load(from: home, communes: override, taxonomy: taxonomy)
        var env = environment
        env["RELAIS_HOME"] = env["RELAIS_HOME"] ?? home.root.path
        let importer = Importer(store: store, data: data, fetcher: fetcher, clock: clock, environment: env, logger: logger)
        let context = RelaisContext(
            home: home, store: store, data: data, importer: importer, clock: clock, logger: logger, index: index,
            referrals: Referrals(index: index, listings: store, data: data, clock: clock), readOnly: readOnly)
        if !readOnly {
            await importer.syncNational()
            await context.closeAbandonedRuns(now: clock())
        }
        return context
    }

    /// Closes the runs left "running" by a process of this host that is gone (killed,
    /// crashed): they applied nothing, and say so in the ledger as interrupted.
    public func closeAbandonedRuns(now: Date) async {
        guard let running = try? await store.runningRuns() else { return }
        let gone = running.filter { $0.owner.map(ProcessLiveness.isGoneLocally) ?? false }.map(\.id)
        guard !gone.isEmpty else { return }
        try? await store.closeAbandonedRuns(gone, at: now)
    }

    /// The valid manifests of a folder (default `Importers/`), `${RELAIS_HOME}` expanded; an
    /// invalid file is left out (see ``manifestSet(in:)`` for its reason), never stops the others.
    public func manifests(in folder: URL? = nil) throws -> [Manifest] {
        try Manifest.load(from: folder ?? home.importers, environment: importer.environment).manifests
    }

    /// The manifests of a folder and the files that could not be read, each with its reason;
    /// a problem with a known source's file is written to that source's ledger too (unless read-only).
    public func manifestSet(in folder: URL? = nil) async throws -> ManifestSet {
        let set = try Manifest.load(from: folder ?? home.importers, environment: importer.environment)
        guard !readOnly else { return set }
        for problem in set.problems {
            guard let id = problem.sourceID else { continue }
            _ = try? await store.recordManifestProblem(
                sourceID: id, message: "manifeste invalide (\(problem.fileName)) : \(problem.key.map { "clé « \($0) » — " } ?? "")\(problem.message)", at: clock())
        }
        return set
    }

    /// Imports every enabled manifest whose URL is local (`file://`): the bundled
    /// demonstration sources. Used on first start when the store is empty.
    /// Each under its source's lease (`leaseDuration`: the server's): two instances starting
    /// together on one new database import each bundled source once (the second finds it
    /// leased and leaves it).
    public func importBundled(leaseDuration: TimeInterval = SchedulerSettings().leaseDuration, progress: (@Sendable (String) -> Void)? = nil) async throws -> [RunRecord] {
        var runs: [RunRecord] = []
        let owner = RefreshScheduler.defaultOwner()
        for m in try manifests() where m.enabled && m.url.lowercased().hasPrefix("file://") {
            let now = clock()
            guard try await store.acquireLease(source: m.registration, owner: owner, until: now.addingTimeInterval(leaseDuration), now: now) else { continue }
            runs.append(await importer.run(m, trigger: "first-start", progress: progress))
            try? await store.releaseLease(sourceID: m.id, owner: owner)
        }
        return runs
    }

    /// The refresh scheduler over this context's store, manifests and importer.
    public func scheduler(settings: SchedulerSettings = .init(), manifestsFolder: URL? = nil) -> RefreshScheduler {
        let importer = self.importer
        let context = self
        return RefreshScheduler(
            store: store, settings: settings, clock: clock, logger: logger,
            manifests: { try context.manifests(in: manifestsFolder) },
            manifestProblems: { (try? Manifest.load(from: manifestsFolder ?? context.home.importers, environment: importer.environment).problems) ?? [] },
            runner: { manifest, trigger in await importer.run(manifest, trigger: trigger) })
    }

    /// The admin use cases over this context.
    public func admin(scheduler: RefreshScheduler) -> AdminActions {
        AdminActions(store: store, scheduler: scheduler, editor: ListingEditor(data: data), clock: clock)
    }
}
