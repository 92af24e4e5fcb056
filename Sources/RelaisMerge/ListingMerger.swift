import Foundation
import RelaisModel
import RelaisNormalize

/// What one source says of a listing, with what decides between sources.
public struct MergeInput: Sendable {
    public var source: String
    /// Higher wins (curated national entries outrank imports).
    public var priority: Int
    /// When the source was fetched (ISO 8601); the more recent wins among equals.
    public var fetchedAt: String
    public var content: ListingContent

    public init(source: String, priority: Int, fetchedAt: String, content: ListingContent) {
        self.source = source
        self.priority = priority
        self.fetchedAt = fetchedAt
        self.content = content
    }
}

/// Merges what several sources and the admins say of one listing into the
/// listing people see, remembering where every field came from.
///
/// Rules: a curated edit wins over every source; otherwise the highest
/// priority source that gives a value wins, the most recently fetched among
/// equals; list fields that describe the same thing from several angles
/// (needs, audiences, modalities, sessions, flags) are united; two sources
/// giving different values for a field mark it as a conflict for review.
public enum ListingMerger {
    /// Fields an admin can edit, by their JSON name in ``ListingContent``.
    public static let editableFields: [String] = [
        "name", "alternateName", "kind", "description", "status", "organization", "sponsor", "manager", "needs",
        "audiences", "audienceNote", "modalities", "phones", "emails", "website", "address", "placeName", "point",
        "schedule", "scheduleText", "sessions", "fees", "eligibility", "registration", "languages", "accessibility",
    ]

    static let unitedFields: Set<String> = ["needs", "audiences", "modalities", "sessions", "flags", "languages"]
    static let ignoredForConflicts: Set<String> = ["flags", "sourceUpdated", "parentKey", "pointPrecision", "sessions"]

    public static func merge(_ inputs: [MergeInput], curated: [String: JSONValue] = [:], curatedAt: [String: String] = [:]) -> (ListingContent, [String: FieldOrigin]) {
        let ordered = inputs.sorted { ($0.priority, $0.fetchedAt, $0.source) > ($1.priority, $1.fetchedAt, $1.source) }
        guard let top = ordered.first else { preconditionFailure("merge of nothing") }
        let dicts = ordered.map { JSONValue.encode($0.content).objectValue ?? [:] }
        var result: [String: JSONValue] = dicts[0]
        var provenance: [String: FieldOrigin] = [:]
        let allKeys = Set(dicts.flatMap { $0.keys })
        for key in allKeys {
            let present = dicts.enumerated().filter { !($0.element[key]?.isEmptyish ?? true) }
            guard let winner = present.first else { continue }
            if unitedFields.contains(key), present.count > 1 {
                result[key] = .array(unite(present.map { $0.element[key]! }))
            } else {
                result[key] = winner.element[key]
            }
            // The point travels with its precision.
            if key == "point" { result["pointPrecision"] = dicts[winner.offset]["pointPrecision"] }
            let conflict = !ignoredForConflicts.contains(key) && !unitedFields.contains(key)
                && Set(present.map { $0.element[key]!.canonical }).count > 1
            provenance[key] = FieldOrigin(source: ordered[winner.offset].source, at: ordered[winner.offset].fetchedAt, conflict: conflict)
        }
        for (key, value) in curated {
            result[key] = value
            provenance[key] = FieldOrigin(source: "curation", at: curatedAt[key] ?? "", conflict: false)
        }
        // A curated point is exact.
        if curated["point"] != nil { result["pointPrecision"] = .string(GeoPrecision.source.rawValue) }
        var content = (try? JSONValue.object(result).decode(ListingContent.self)) ?? top.content
        let conflicts = provenance.filter { $0.value.conflict }.map(\.key).sorted()
        content.flags.removeAll { $0.code == "conflict" }
        for field in conflicts {
            content.flags.append(Flag("conflict", field: field, "Les sources ne s’accordent pas sur ce champ : à vérifier."))
        }
        return (content, provenance)
    }

    static func unite(_ arrays: [JSONValue]) -> [JSONValue] {
        var seen = Set<String>()
        var out: [JSONValue] = []
        for case .array(let items) in arrays {
            for item in items where seen.insert(item.canonical).inserted { out.append(item) }
        }
        return out
    }

    /// Keys under which two listings from different sources may be the same
    /// resource: normalised name and commune, phones, e-mails, specific web pages.
    public static func identityKeys(_ c: ListingContent) -> [String] {
        var keys: [String] = []
        let place = c.address?.insee ?? c.address?.postalCode ?? (c.kind.isRemote ? "distance" : nil)
        if let place { keys.append("name:\(Text.fold(c.name))|\(place)") }
        keys += c.phones.filter { $0.number.count > 6 }.map { "phone:\($0.number)" }
        keys += c.emails.map { "email:\($0)" }
        if let w = c.website, let u = URLComponents(string: w), let host = u.host?.lowercased(), u.path.count > 1 {
            keys.append("web:\(host.replacingOccurrences(of: "www.", with: ""))\(u.path.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/")))")
        }
        return keys
    }
}

