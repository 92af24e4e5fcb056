import Foundation
import RelaisModel
import RelaisNormalize

/// Rebuilds one listing from what every source says of it and its curated edits,
/// and says what changed: the listing to write (with its change log), nothing, or
/// its removal. Pure: the store reads the records, curations and current listing,
/// and writes what comes out.
public enum ListingRecompute {
    /// What one source says of the listing.
    public struct Record: Sendable {
        public var sourceID: String
        public var priority: Int
        public var demo: Bool
        /// The record's content as JSON (``ListingContent``).
        public var draftJSON: String
        public var fetchedAt: String
        public var missingRuns: Int

        public init(sourceID: String, priority: Int, demo: Bool, draftJSON: String, fetchedAt: String, missingRuns: Int) {
            self.sourceID = sourceID
            self.priority = priority
            self.demo = demo
            self.draftJSON = draftJSON
            self.fetchedAt = fetchedAt
            self.missingRuns = missingRuns
        }
    }

    /// An admin's edit of one field.
    public struct Curation: Sendable {
        public var field: String
        public var valueJSON: String
        public var at: String

        public init(field: String, valueJSON: String, at: String) {
            self.field = field
            self.valueJSON = valueJSON
            self.at = at
        }
    }

    /// The listing as the store holds it now.
    public struct Current: Sendable {
        public var name: String
        public var contentJSON: String
        public var stale: Bool
        public var pinned: Bool
        public var adminVerifiedAt: String?

        public init(name: String, contentJSON: String, stale: Bool, pinned: Bool, adminVerifiedAt: String?) {
            self.name = name
            self.contentJSON = contentJSON
            self.stale = stale
            self.pinned = pinned
            self.adminVerifiedAt = adminVerifiedAt
        }
    }

    /// One field that changed, for the change log.
    public struct FieldChange: Sendable, Equatable {
        public var field: String
        public var before: String?
        public var after: String?
    }

    /// The listing to write.
    public struct Write: Sendable {
        public var content: ListingContent
        public var contentJSON: String
        public var provenance: [String: FieldOrigin]
        public var stale: Bool
        public var demo: Bool
        public var sources: [String]
        public var lastVerified: String?
        /// The source whose records name the parent (an antenna's `parentKey`).
        public var parentSource: String?
        public var isNew: Bool
        public var becameStale: Bool
        public var restored: Bool
        /// Field by field, for a listing that existed (stale and restored are said apart).
        public var changes: [FieldChange]
    }

    public enum Outcome: Sendable {
        /// No record left and not kept by an admin: the listing goes.
        case remove(name: String)
        /// Nothing to do (no listing, no record).
        case none
        /// The content is the same: only its sources, demo mark and verification date are kept current.
        case unchanged(sources: [String], demo: Bool, lastVerified: String?, parentKey: String?, parentSource: String?)
        case write(Write)
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? { try? JSONDecoder().decode(type, from: Data(text.utf8)) }

    public static func recompute(records: [Record], curations: [Curation], current: Current?, now: String) -> Outcome {
        let pinned = current?.pinned ?? false
        if records.isEmpty && !pinned {
            guard let current else { return .none }
            return .remove(name: current.name)
        }
        let live = records.filter { $0.missingRuns == 0 }
        let basis = live.isEmpty ? records : live
        var curated: [String: JSONValue] = [:]
        var curatedAt: [String: String] = [:]
        for c in curations {
            if let v = decode(JSONValue.self, c.valueJSON) {
                curated[c.field] = v
                curatedAt[c.field] = c.at
            }
        }
        var content: ListingContent
        var provenance: [String: FieldOrigin]
        var knownJSON: String?
        if basis.count == 1, curated.isEmpty, let only = basis.first, let draft = decode(ListingContent.self, only.draftJSON) {
            content = draft
            knownJSON = only.draftJSON
            provenance = ["*": FieldOrigin(source: only.sourceID, at: only.fetchedAt)]
        } else if basis.isEmpty, let old = current.flatMap({ decode(ListingContent.self, $0.contentJSON) }) {
            // Kept by an admin after its sources dropped it: only curation moves it.
            (content, provenance) = ListingMerger.merge([MergeInput(source: "relais", priority: -1, fetchedAt: now, content: old)], curated: curated, curatedAt: curatedAt)
        } else {
            let inputs = basis.compactMap { r -> MergeInput? in
                guard let c = decode(ListingContent.self, r.draftJSON) else { return nil }
                return MergeInput(source: r.sourceID, priority: r.priority, fetchedAt: r.fetchedAt, content: c)
            }
            guard !inputs.isEmpty else { return .none }
            (content, provenance) = ListingMerger.merge(inputs, curated: curated, curatedAt: curatedAt)
        }
        let stale = !records.isEmpty && live.isEmpty && !pinned
        let demo = records.contains { $0.demo }
        let sources = Array(Set(records.map(\.sourceID))).sorted()
        let lastSeen = live.map { String($0.fetchedAt.prefix(10)) }.max()
        let adminVerified = current?.adminVerifiedAt.map { String($0.prefix(10)) }
        let lastVerified = [lastSeen, adminVerified].compactMap { $0 }.max()
        let parentSource = content.parentKey == nil ? nil : records.first?.sourceID
        let contentJSON = knownJSON ?? content.jsonString
        let wasStale = current?.stale ?? false
        if let current, current.contentJSON == contentJSON, wasStale == stale {
            return .unchanged(sources: sources, demo: demo, lastVerified: lastVerified, parentKey: content.parentKey, parentSource: parentSource)
        }
        var write = Write(
            content: content, contentJSON: contentJSON, provenance: provenance, stale: stale, demo: demo, sources: sources,
            lastVerified: lastVerified, parentSource: parentSource, isNew: current == nil, becameStale: stale && !wasStale,
            restored: !stale && wasStale, changes: [])
        // Field by field (stale and restored are said apart; additions are read from the records).
        if let current, !write.becameStale, let before = decode(JSONValue.self, current.contentJSON)?.objectValue, let after = JSONValue.encode(content).objectValue {
            for key in Set(before.keys).union(after.keys).sorted() where key != "flags" {
                let b = before[key], a = after[key]
                if (b?.canonical ?? "null") != (a?.canonical ?? "null") && !((b?.isEmptyish ?? true) && (a?.isEmptyish ?? true)) {
                    write.changes.append(FieldChange(field: key, before: b?.canonical, after: a?.canonical))
                }
            }
        }
        return .write(write)
    }
}
