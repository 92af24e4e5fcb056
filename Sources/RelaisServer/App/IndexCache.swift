import Foundation
import Logging
import RelaisModel
import RelaisReferral
import RelaisStore

/// The referral index, rebuilt from the store when its data version moves
/// (imports, admin edits — also those of another process on the same file).
/// While a rebuild runs, questions are answered from the previous index.
public actor IndexCache {
    let store: SQLiteStore
    let taxonomy: Taxonomy
    let logger: Logger
    private var current: (version: Int, index: ReferralIndex)?
    private var building: Task<ReferralIndex, any Error>?
    private var buildingVersion = -1

    public init(store: SQLiteStore, taxonomy: Taxonomy, logger: Logger) {
        self.store = store
        self.taxonomy = taxonomy
        self.logger = logger
    }

    /// The index for the store's current data.
    public func index() async throws -> ReferralIndex {
        let version = try store.dataVersion()
        if let current, current.version == version { return current.index }
        if building == nil || buildingVersion != version {
            buildingVersion = version
            let store = self.store, taxonomy = self.taxonomy
            building = Task.detached(priority: .userInitiated) { try Self.build(store: store, taxonomy: taxonomy) }
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

    static func build(store: SQLiteStore, taxonomy: Taxonomy) throws -> ReferralIndex {
        let decoder = JSONDecoder()
        var strings: [String: [String]] = [:]  // the same few JSON arrays repeat: decode each once
        func decodeStrings(_ s: String) -> [String] {
            if let hit = strings[s] { return hit }
            let v = (try? decoder.decode([String].self, from: Data(s.utf8))) ?? []
            strings[s] = v
            return v
        }
        var inputs: [ReferralIndex.Input] = []
        try store.forEachIndexRow { r in
            guard let kind = Kind(rawValue: r.kind), let status = ServiceStatus(hsds: r.status) else { return }
            var c = ListingContent(name: r.name, kind: kind, status: status)
            c.needs = decodeStrings(r.needs)
            c.audiences = decodeStrings(r.audiences).compactMap(Audience.init(rawValue:))
            c.modalities = decodeStrings(r.modalities).compactMap(Modality.init(rawValue:))
            if let lat = r.latitude, let lon = r.longitude, !kind.isRemote { c.point = GeoPoint(latitude: lat, longitude: lon) }
            if let s = r.schedule, let schedule = try? decoder.decode(Schedule.self, from: Data(s.utf8)) { c.schedule = schedule }
            if let s = r.sessions, let sessions = try? decoder.decode([Session].self, from: Data(s.utf8)) { c.sessions = sessions }
            if r.byAppointment { c.flags = [Flag("by_appointment", "Sur rendez-vous.")] }
            c.timeZone = r.timeZone
            c.pointPrecision = r.pointPrecision.flatMap(GeoPrecision.init(rawValue:))
            inputs.append(ReferralIndex.Input(id: r.id, content: c, stale: r.stale, demo: r.demo, lastVerified: r.lastVerified))
        }
        let index = ReferralIndex(taxonomy: taxonomy, listings: inputs)
        inputs = []
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
