import Foundation
import Logging
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
    private var current: (version: Int, index: ReferralIndex)?
    private var building: Task<ReferralIndex, any Error>?
    private var buildingVersion = -1

    public init(store: any ListingStore, taxonomy: Taxonomy, logger: Logger) {
        self.store = store
        self.taxonomy = taxonomy
        self.logger = logger
    }

    /// The index for the store's current data.
    public func index() async throws -> ReferralIndex {
        let version = try await store.dataVersion()
        if let current, current.version == version { return current.index }
        if building == nil || buildingVersion != version {
            buildingVersion = version
            let store = self.store, taxonomy = self.taxonomy
            building = Task.detached(priority: .userInitiated) { try await Self.build(store: store, taxonomy: taxonomy) }
        }
        // A previous index answers while the new one is built; the first one is awaited.
        if let current, let task = building, version == buildingVersion {
            Task { await self.finish(task, version: version) }
            return current.index
        }
        let task = building!
        let index = try await task.value
        finishNow(index, version: version)
        return index
    }

    private func finish(_ task: Task<ReferralIndex, any Error>, version: Int) async {
        if let index = try? await task.value { finishNow(index, version: version) }
    }

    private func finishNow(_ index: ReferralIndex, version: Int) {
        if current == nil || current!.version < version { current = (version, index) }
        if buildingVersion == version { building = nil }
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
