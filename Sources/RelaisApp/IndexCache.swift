import Foundation
import Logging
import RelaisImport
import RelaisModel
import RelaisReferral
import RelaisStore

/// The referral index, rebuilt from the store when its data version moves
/// (imports, admin edits — also those of another process on the same file).
/// While a rebuild runs, questions are answered from the previous index.
public actor IndexCache {
    let store: any ListingStore
    let taxonomy: Taxonomy
    let logger: Logger
    /// Where the index of the current data is kept between starts (nil: nowhere).
    let snapshotPath: String?
    /// Read-only processes read the snapshot but never write it.
    let writesSnapshot: Bool
    private var current: (version: Int, index: ReferralIndex)?
    private var building: Task<ReferralIndex, any Error>?
    private var buildingVersion = -1
    /// The file kept beside the store, read once by the first question of this process.
    private var snapshotRead: Task<(index: ReferralIndex, version: Int)?, Never>?
    /// How the index in use was made (tests and logs).
    public enum Origin: Sendable { case none, built, snapshot }
    public private(set) var origin = Origin.none

    /// `snapshotPath`: a file where the index of the current data is written after each build
    /// and read back at the next start (``IndexSnapshot``).
    public init(store: any ListingStore, taxonomy: Taxonomy, logger: Logger, snapshotPath: String? = nil, writesSnapshot: Bool = true) {
        self.writesSnapshot = writesSnapshot
        self.store = store
        self.taxonomy = taxonomy
        self.logger = logger
        self.snapshotPath = snapshotPath
    }

    /// The index for the store's current data.
    ///
    /// At a start, the index kept beside the store answers at once: it is this data's when
    /// nothing changed since it was written; when the store moved on since (an import at the
    /// start, another process's edit), it is this store's previous version, which answers while
    /// the current one is built — as after an import within a process. Only a process with no
    /// index of this store at all waits for a build.
    public func index() async throws -> ReferralIndex {
        let version = try await store.dataVersion()
        if current == nil, let path = snapshotPath {
            if snapshotRead == nil {
                let store = self.store, taxonomy = self.taxonomy, logger = self.logger
                snapshotRead = Task.detached(priority: .userInitiated) {
                    await Self.read(path, store: store, taxonomy: taxonomy, upTo: version, logger: logger)
                }
            }
            if let task = snapshotRead, let kept = await task.value, current == nil {
                current = (kept.version, kept.index)
                origin = .snapshot
            }
        }
        if let current, current.version == version { return current.index }
        if building == nil || buildingVersion != version {
            buildingVersion = version
            let store = self.store, taxonomy = self.taxonomy, logger = self.logger, path = writesSnapshot ? snapshotPath : nil
            building = Task.detached(priority: .userInitiated) {
                try await Self.make(store: store, taxonomy: taxonomy, version: version, snapshot: path, logger: logger)
            }
        }
        guard let task = building else { throw CancellationError() }  // (set just above when missing)
        // A previous index answers while the new one is built; the first one is awaited.
        if let current, version == buildingVersion {
            Task { await self.finish(task, version: version) }
            return current.index
        }
        let made = try await task.value
        finishNow(made, version: version)
        return made
    }

    /// The index of the store's current data, waiting for its build if need be (never an
    /// earlier version's): after a server's first import, before it answers.
    @discardableResult
    public func ready() async throws -> ReferralIndex {
        while true {
            let version = try await store.dataVersion()
            let index = try await index()
            if let current, current.version == version, current.index === index { return index }
            if let task = building, buildingVersion == version {
                let made = try await task.value
                finishNow(made, version: version)
                if current?.version == version { return made }
            }
        }
    }

    private func finish(_ task: Task<ReferralIndex, any Error>, version: Int) async {
        if let made = try? await task.value { finishNow(made, version: version) }
    }

    private func finishNow(_ made: ReferralIndex, version: Int) {
        if (current?.version ?? Int.min) < version {
            current = (version, made)
            origin = .built
        }
        if buildingVersion == version { building = nil }
    }

    /// The index in the file at `path`, if it is this store's, of `version` or an earlier one.
    static func read(_ path: String, store: any ListingStore, taxonomy: Taxonomy, upTo version: Int, logger: Logger) async -> (index: ReferralIndex, version: Int)? {
        guard let bytes = readWhole(path) else { return nil }
        let identity = (try? await store.storeIdentity()) ?? nil
        guard let identity, let tag = IndexSnapshot.tag(of: bytes), tag.store == identity,
            tag.dataVersion <= Int64(version), let index = IndexSnapshot.decode(bytes, taxonomy: taxonomy, tag: tag)
        else {
            // Why, for whoever reads the log: an upgrade of Relais, another store's file, or damage.
            let format = IndexSnapshot.formatNumber(of: bytes)
            let why: String
            if let format, format != IndexSnapshot.format {
                why = "written by another version of Relais (index format \(format), this one reads \(IndexSnapshot.format))"
            } else if let tag = IndexSnapshot.tag(of: bytes), tag.store != identity {
                why = "the index of another store"
            } else {
                why = "not readable as an index of this data (damaged, of a later version of the data, or made with other needs in the taxonomy)"
            }
            logger.info("index: \(path) is \(why): built from the store")
            return nil
        }
        if tag.dataVersion < Int64(version) {
            logger.info("index: \(path) holds an earlier version of this data (\(tag.dataVersion), now \(version)): it answers while the index is built again")
        }
        return (index, Int(tag.dataVersion))
    }

    /// The index of `version`, built from the store, then written to the snapshot file (when
    /// `snapshot` is set) in the background: the first answer does not wait for it.
    static func make(store: any ListingStore, taxonomy: Taxonomy, version: Int, snapshot: String?, logger: Logger) async throws -> ReferralIndex {
        let identity = snapshot == nil ? nil : (try? await store.storeIdentity()) ?? nil
        let index = try await build(store: store, taxonomy: taxonomy)
        if let snapshot, let identity {
            let tag = IndexSnapshot.Tag(store: identity, dataVersion: Int64(version))
            Task.detached(priority: .background) { Self.write(index, tag: tag, to: snapshot, logger: logger) }
        }
        return index
    }

    /// A file's bytes, read straight into one array (no second copy: a million listings' index is 100 MB).
    static func readWhole(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            guard let base = buffer.baseAddress else { count = 0; return }
            while done < size {
                let n = Glibc.read(fd, base + done, size - done)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { break }
                done += n
            }
            complete = done == size
            count = done
        }
        return complete ? bytes : nil
    }

    /// Writes the snapshot whole or not at all (a temporary file renamed over the old one).
    static func write(_ index: ReferralIndex, tag: IndexSnapshot.Tag, to path: String, logger: Logger) {
        sweep(beside: path)
        let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let bytes = IndexSnapshot.encode(index, tag: tag)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)), rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            logger.notice("index: cannot write \(path) (the next start builds the index from the store)")
            return
        }
    }

    /// Removes what a process killed while writing left beside the file (`relais.sqlite.index.PID-N.tmp`):
    /// that process is gone, and the file is an hour old.
    static func sweep(beside path: String, now: Date = Date()) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + "."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let owner = name.dropFirst(prefix.count).split(separator: "-").first.map(String.init) ?? ""
            guard ProcessLiveness.isGoneLocally(owner: "\(ProcessLiveness.hostName):\(owner)") else { continue }
            let file = folder + "/" + name
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
                now.timeIntervalSince(modified) > 3600
            else { continue }
            try? FileManager.default.removeItem(atPath: file)
        }
    }

    static func build(store: any ListingStore, taxonomy: Taxonomy) async throws -> ReferralIndex {
        var builder = ReferralIndex.Builder(taxonomy: taxonomy, capacity: try await store.listingCount())
        try await store.forEachIndexListing { builder.add($0) }
        let index = builder.build()
        // Give the memory of the build back to the system.
        #if os(Linux)
        _ = relais_malloc_trim(0)
        #endif
        return index
    }
}

#if os(Linux)
/// glibc's `malloc_trim`: returns freed heap pages to the system.
@_silgen_name("malloc_trim")
func relais_malloc_trim(_ pad: Int) -> Int32
#endif
