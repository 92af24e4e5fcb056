import Foundation
import RelaisModel
import RelaisNormalize

/// Decides, record by record, what one source run does to the directory: which
/// records are unchanged, changed, new listings, or the same resource as a
/// listing of another source; then which listings the run no longer sees go
/// stale or away, and whether the run shrinks the source too much to be applied.
/// Pure: what it needs of the store comes in as values and lookups, and what it
/// decides goes out as decisions the store applies in one transaction.
public struct RunPlanner: Sendable {
    /// A record of this source already in the store.
    public struct Existing: Sendable, Hashable {
        public var serviceID: String
        public var hash: String
        public var missingRuns: Int

        public init(serviceID: String, hash: String, missingRuns: Int) {
            self.serviceID = serviceID
            self.hash = hash
            self.missingRuns = missingRuns
        }
    }

    public enum Decision: Sendable, Equatable {
        /// The same key twice in one payload (an exact duplicate row): one listing.
        case duplicate
        /// Unchanged; `restored` when it had gone missing before.
        case seen(serviceID: String, restored: Bool)
        /// Its content changed: its listing is rebuilt.
        case updated(serviceID: String)
        /// New to this source, and the same resource as a listing of another source.
        case joined(serviceID: String)
        /// New, a listing of its own.
        case created(serviceID: String)
    }

    /// A record the run did not see.
    public struct Vanished: Sendable, Hashable {
        public var key: String
        public var serviceID: String
        /// How many runs in a row it has been missing, this one included.
        public var missingRuns: Int
    }

    public let source: SourceRegistration
    let existing: [String: Existing]
    public private(set) var seen = Set<String>()
    /// Existing listings whose content must be rebuilt (changed, joined, restored, stale, removed), in order.
    public private(set) var touched: [String] = []
    private var touchedSet = Set<String>()

    public init(source: SourceRegistration, existing: [String: Existing]) {
        self.source = source
        self.existing = existing
    }

    mutating func touch(_ id: String) {
        if touchedSet.insert(id).inserted { touched.append(id) }
    }

    /// What becomes of one record. `twin` finds the listing of another source that is
    /// the same resource (see ``TwinChoice``), asked only for records new to this source.
    public mutating func decide(key: String, hash: String, content: ListingContent, twin: (ListingContent) throws -> String?) rethrows -> Decision {
        guard seen.insert(key).inserted else { return .duplicate }
        if let old = existing[key] {
            if old.hash == hash {
                if old.missingRuns > 0 { touch(old.serviceID) }
                return .seen(serviceID: old.serviceID, restored: old.missingRuns > 0)
            }
            touch(old.serviceID)
            return .updated(serviceID: old.serviceID)
        }
        if let t = try twin(content) {
            touch(t)
            return .joined(serviceID: t)
        }
        return .created(serviceID: Self.listingID(source: source.id, key: key))
    }

    /// The id of a listing a record creates: stable across runs and processes.
    public static func listingID(source: String, key: String) -> String { "r" + String(Text.hash(source, key).prefix(11)) }

    /// Live listings of this source the run did not see, and all of them before it.
    public func shrink() -> (live: Int, vanishing: Int) {
        let live = existing.values.filter { $0.missingRuns == 0 }.count
        let vanishing = existing.filter { !seen.contains($0.key) && $0.value.missingRuns == 0 }.count
        return (live, vanishing)
    }

    /// The message of a run the shrink guard holds, nil when it may be applied.
    public func held(by guardrail: ShrinkGuard?) -> String? {
        guard let guardrail else { return nil }
        let (live, vanishing) = shrink()
        return guardrail.holds(live: live, vanishing: vanishing) ? guardrail.message(live: live, vanishing: vanishing) : nil
    }

    /// Records the run did not see: stale first (one more missing run each), removed
    /// after `staleAfterRuns` further runs — unless their listing is pinned by an admin.
    /// Marks the listings to rebuild.
    public mutating func vanished(pinned: (String) throws -> Bool) rethrows -> (missing: [Vanished], removed: [Vanished]) {
        var missing: [Vanished] = [], removed: [Vanished] = []
        for (key, record) in existing.sorted(by: { $0.key < $1.key }) where !seen.contains(key) {
            let v = Vanished(key: key, serviceID: record.serviceID, missingRuns: record.missingRuns + 1)
            if v.missingRuns > source.staleAfterRuns {
                if try pinned(record.serviceID) { continue }
                removed.append(v)
                touch(record.serviceID)
            } else {
                missing.append(v)
                if v.missingRuns == 1 { touch(record.serviceID) }
            }
        }
        return (missing, removed)
    }
}

/// Finds, among the listings of other sources, the same resource as a new record:
/// the same name in the same commune, or the same phone, e-mail or web page with
/// the same kind.
public enum TwinChoice {
    /// `candidates(key)`: listings of other sources holding that identity key, with their kind.
    public static func choose(_ content: ListingContent, keys: [String], candidates: (String) throws -> [(serviceID: String, kind: String)]) rethrows -> String? {
        var scores: [String: Int] = [:]
        for key in keys {
            for c in try candidates(key) {
                if key.hasPrefix("name:") {
                    scores[c.serviceID, default: 0] += 10
                } else if c.kind == content.kind.rawValue {
                    scores[c.serviceID, default: 0] += 3
                }
            }
        }
        // The best score of at least 3; among equals, the smallest id (the same answer every time).
        return scores.filter { $0.value >= 3 }.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }
}
