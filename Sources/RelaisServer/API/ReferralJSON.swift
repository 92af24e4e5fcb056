import Foundation
import Synchronization
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisApp

/// The referral answer as JSON: the emergency block (crisis first), then the disclaimer, then
/// the question as understood, then the suggestions (in that order in the text).
public enum ReferralJSON {
    struct Emergency: Codable {
        var title: String
        var lines: [EmergencyLine]
    }

    struct Place: Codable {
        var label: String
        var latitude: Double
        var longitude: Double
        var departement: String?
    }

    struct Question: Codable {
        var needs: [String]
        var audience: String
        var near: Place?
        var radius_km: Double
        var modalite: String?
        var date: String
        var within_days: Int?
        var limit: Int
        var langue: String?
        var accessible: String?
    }

    public struct Contact: Codable, Sendable {
        var phones: [String]
        var email: String?
        var website: String?
        var address: String?
        var postal_code: String?
        var commune: String?
        var registration: String?
    }

    public struct Item: Codable, Sendable {
        var id: String
        var name: String
        var kind: String
        var kind_label: String
        var distance_km: Double?
        var reasons: [String]
        var next_opening: String?
        var next_opening_end: String?
        var next_opening_label: String?
        var next_opening_text: String?
        var needs: [String]
        var languages: [String]
        var accessibility: [String]
        var contact: Contact
        var source: String?
        var sources: [String]
        /// The last day a source run listed it (an update, not a check).
        var last_verified: String?
        /// The day an admin last checked it by hand, if any (never for demonstration data).
        var verified_by_team: String?
        var demo: Bool?
        var demo_label: String?
        var stale: Bool?
        var closed: Bool?
        var score: Double
        var url: String
    }

    public static func items(_ answer: ReferralAnswer, listings: [String: Listing], taxonomy: Taxonomy) -> [Item] {
        items(answer.suggestions, listings: listings, taxonomy: taxonomy)
    }

    static func items(_ suggestions: [Suggestion], listings: [String: Listing], taxonomy: Taxonomy) -> [Item] {
        suggestions.map { item($0, listing: listings[$0.id], taxonomy: taxonomy) }
    }

    static func item(_ s: Suggestion, listing l: Listing?, taxonomy: Taxonomy) -> Item {
        let c = l?.content
        let d = Dynamic(s)
        return Item(
            id: s.id, name: s.name, kind: s.kind.rawValue, kind_label: taxonomy.label(of: s.kind), distance_km: d.distance_km, reasons: d.reasons,
            next_opening: d.next_opening, next_opening_end: d.next_opening_end, next_opening_label: d.next_opening_label,
            next_opening_text: d.next_opening_text, needs: d.needs,
            languages: c?.languages ?? [], accessibility: c?.accessibility?.features.map(\.rawValue) ?? [],
            contact: Contact(
                phones: c?.phones.map(\.number) ?? [], email: c?.emails.first, website: c?.website,
                address: c?.address.map(\.singleLine).flatMap { $0.isEmpty ? nil : $0 }, postal_code: c?.address?.postalCode,
                commune: c?.address?.commune, registration: c?.registration),
            source: l?.sources.first, sources: l?.sources ?? [], last_verified: l?.lastVerified,
            verified_by_team: s.demo ? nil : l?.verifiedByTeam, demo: s.demo ? true : nil,
            demo_label: s.demo ? "données de démonstration" : nil, stale: s.stale ? true : nil, closed: s.closed ? true : nil,
            score: d.score, url: "/ressources/\(s.id)")
    }

    /// The suggestions, each assembled from its parts kept in `fragments` and what the question decides.
    static func write(_ suggestions: [Suggestion], listings: [String: Listing], version: Int, taxonomy: Taxonomy, fragments: ReferralFragments, to w: inout JSONWriter) {
        let parts = fragments.fragments(suggestions, listings: listings, version: version, taxonomy: taxonomy)
        w.raw("[")
        for (k, (s, part)) in zip(suggestions, parts).enumerated() {
            if k > 0 { w.raw(",") }
            let d = Dynamic(s)
            w.json(part.head)
            d.write(distanceTo: &w)
            w.json(part.middle)
            d.write(to: &w)
            w.json(part.tail)
        }
        w.raw("]")
    }

    /// The whole answer, keys in reading order. Written by hand (``JSONWriter``): Foundation's
    /// encoder was a fifth of a referral's time. `renderEncoded` is the same answer through
    /// `JSONEncoder`, kept as the tests' reference.
    public static func render(_ result: ReferralResult, taxonomy: Taxonomy, fragments: ReferralFragments? = nil) -> String {
        let (request, answer, listings) = (result.request, result.answer, result.listings)
        var w = JSONWriter()
        w.raw("{\"emergency\":")
        if let lines = answer.emergency {
            w.json(JSONOutput.string(Emergency(title: emergencyTitle, lines: lines)))
        } else {
            w.raw("null")
        }
        w.raw(",\"disclaimer\":")
        w.string(answer.disclaimer)
        w.raw(",\"question\":")
        question(request).write(to: &w)
        w.raw(",\"count\":")
        w.int(answer.suggestions.count)
        w.raw(",\"suggestions\":")
        func suggestions(_ list: [Suggestion]) {
            if let fragments, let version = result.version {
                write(list, listings: listings, version: version, taxonomy: taxonomy, fragments: fragments, to: &w)
            } else {
                w.array(items(list, listings: listings, taxonomy: taxonomy)) { w, item in item.write(to: &w) }
            }
        }
        suggestions(answer.suggestions)
        // Nothing to go to within the radius: say so, and name the nearest places beyond it.
        if let beyond = answer.nearestBeyond {
            w.raw(",\"nothing_near\":")
            w.json(JSONOutput.string(NothingNear(result)))
            w.raw(",\"nearest_beyond\":")
            suggestions(beyond)
        }
        w.raw("}")
        return w.out
    }

    static let emergencyTitle = "En cas d’urgence ou de danger, appelez d’abord :"

    static func question(_ request: RelaisApp.ReferralRequest) -> Question {
        let q = request.question
        return Question(
            needs: q.needs, audience: q.audience.rawValue,
            near: request.place.map { Place(label: $0.label, latitude: $0.point.latitude, longitude: $0.point.longitude, departement: $0.departement) },
            radius_km: q.radiusKm, modalite: q.modality?.rawValue, date: request.date.description, within_days: q.withinDays, limit: q.limit,
            langue: q.language, accessible: q.access?.rawValue)
    }

    /// The same answer through `JSONEncoder`: the reference ``render`` is checked against.
    public static func renderEncoded(_ result: ReferralResult, taxonomy: Taxonomy) -> String {
        let (request, answer, listings) = (result.request, result.answer, result.listings)
        let emergency = answer.emergency.map { Emergency(title: emergencyTitle, lines: $0) }
        let list = items(answer, listings: listings, taxonomy: taxonomy)
        func encode<T: Encodable>(_ v: T) -> String { JSONOutput.string(v) }
        var text = "{\"emergency\":\(emergency.map(encode) ?? "null"),\"disclaimer\":\(encode(answer.disclaimer)),\"question\":\(encode(question(request))),\"count\":\(list.count),\"suggestions\":\(encode(list))"
        if let beyond = answer.nearestBeyond {
            text += ",\"nothing_near\":\(encode(NothingNear(result)))"
            text += ",\"nearest_beyond\":\(encode(items(beyond, listings: listings, taxonomy: taxonomy)))"
        }
        return text + "}"
    }
}

// Keys in sorted order, as `JSONOutput` (sorted keys) writes them.

extension ReferralJSON.Place: JSONWritable {
    func write(to w: inout JSONWriter) {
        var f = true
        w.open()
        w.field("departement", departement, &f); w.field("label", label, &f); w.field("latitude", latitude, &f); w.field("longitude", longitude, &f)
        w.close()
    }
}

extension ReferralJSON.Question: JSONWritable {
    func write(to w: inout JSONWriter) {
        var f = true
        w.open()
        w.field("accessible", accessible, &f); w.field("audience", audience, &f); w.field("date", date, &f); w.field("langue", langue, &f)
        w.field("limit", limit, &f); w.field("modalite", modalite, &f)
        if let near { w.key("near", &f); near.write(to: &w) }
        w.field("needs", strings: needs, &f); w.field("radius_km", radius_km, &f); w.field("within_days", within_days, &f)
        w.close()
    }
}

extension ReferralJSON.Contact: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open()
        w.field("address", address, &f); w.field("commune", commune, &f); w.field("email", email, &f); w.field("phones", strings: phones, &f)
        w.field("postal_code", postal_code, &f); w.field("registration", registration, &f); w.field("website", website, &f)
        w.close()
    }
}

extension ReferralJSON.Item: JSONWritable {
    public func write(to w: inout JSONWriter) {
        writeHead(to: &w)
        dynamic.write(distanceTo: &w)
        writeMiddle(to: &w)
        dynamic.write(to: &w)
        writeTail(to: &w)
    }

    /// What the question decides, in the key order of the whole item.
    var dynamic: ReferralJSON.Dynamic {
        ReferralJSON.Dynamic(
            distance_km: distance_km, needs: needs, next_opening: next_opening, next_opening_end: next_opening_end,
            next_opening_label: next_opening_label, next_opening_text: next_opening_text, reasons: reasons, score: score)
    }

    // The parts that do not depend on the question (keys sorted, as `JSONOutput` writes them):
    // head { accessibility … demo_label, then distance_km; middle id … name; then needs … score;
    // tail source … verified_by_team }. The head always writes its first key, so the others
    // start with a comma.
    func writeHead(to w: inout JSONWriter) {
        var f = true
        w.open()
        w.field("accessibility", strings: accessibility, &f)
        if let closed { w.field("closed", closed, &f) }
        w.key("contact", &f); contact.write(to: &w)
        if let demo { w.field("demo", demo, &f) }
        w.field("demo_label", demo_label, &f)
    }

    func writeMiddle(to w: inout JSONWriter) {
        var f = false
        w.field("id", id, &f); w.field("kind", kind, &f)
        w.field("kind_label", kind_label, &f); w.field("languages", strings: languages, &f); w.field("last_verified", last_verified, &f)
        w.field("name", name, &f)
    }

    func writeTail(to w: inout JSONWriter) {
        var f = false
        w.field("source", source, &f); w.field("sources", strings: sources, &f)
        if let stale { w.field("stale", stale, &f) }
        w.field("url", url, &f); w.field("verified_by_team", verified_by_team, &f)
        w.close()
    }
}

extension ReferralJSON {
    /// An item's fields that the question decides.
    struct Dynamic {
        var distance_km: Double?
        var needs: [String]
        var next_opening: String?
        var next_opening_end: String?
        var next_opening_label: String?
        var next_opening_text: String?
        var reasons: [String]
        var score: Double

        init(distance_km: Double?, needs: [String], next_opening: String?, next_opening_end: String?, next_opening_label: String?,
             next_opening_text: String?, reasons: [String], score: Double) {
            (self.distance_km, self.needs, self.next_opening, self.next_opening_end) = (distance_km, needs, next_opening, next_opening_end)
            (self.next_opening_label, self.next_opening_text, self.reasons, self.score) = (next_opening_label, next_opening_text, reasons, score)
        }

        init(_ s: Suggestion) {
            let iso = s.nextOpening.map { FrenchFormat.iso($0, zone: s.zone) }
            self.init(
                distance_km: s.distanceKm, needs: s.needsServed, next_opening: iso?.start, next_opening_end: iso?.end,
                next_opening_label: s.nextOpeningLabel, next_opening_text: s.nextOpening.map(FrenchFormat.occurrence), reasons: s.reasons,
                score: s.score)
        }

        func write(distanceTo w: inout JSONWriter) {
            var f = false
            w.field("distance_km", distance_km, &f)
        }

        func write(to w: inout JSONWriter) {
            var f = false
            w.field("needs", strings: needs, &f); w.field("next_opening", next_opening, &f)
            w.field("next_opening_end", next_opening_end, &f); w.field("next_opening_label", next_opening_label, &f)
            w.field("next_opening_text", next_opening_text, &f); w.field("reasons", strings: reasons, &f); w.field("score", score, &f)
        }
    }

    /// An item's three parts that do not depend on the question, written once.
    struct Fragment {
        var head: String
        var middle: String
        var tail: String

        init(_ item: Item) {
            var w = JSONWriter()
            item.writeHead(to: &w)
            head = w.out
            w = JSONWriter()
            item.writeMiddle(to: &w)
            middle = w.out
            w = JSONWriter()
            item.writeTail(to: &w)
            tail = w.out
        }
    }
}

/// The suggestions' JSON parts that do not depend on the question (contact, address, names,
/// sources), written once per listing and data version: an answer assembles them around what
/// the question decides (distance, needs served, next opening, reasons, score). Bounded: past
/// `capacity` listings it starts again empty. One per server (a store's versions are its own).
public final class ReferralFragments: Sendable {
    private let state = Mutex<(version: Int, byID: [String: ReferralJSON.Fragment])>((-1, [:]))
    let capacity: Int

    public init(capacity: Int = 20_000) { self.capacity = capacity }

    func fragments(_ suggestions: [Suggestion], listings: [String: Listing], version: Int, taxonomy: Taxonomy) -> [ReferralJSON.Fragment] {
        var out: [ReferralJSON.Fragment?] = state.withLock { s in
            if s.version != version { s = (version, [:]) }
            return suggestions.map { s.byID[$0.id] }
        }
        var made: [(String, ReferralJSON.Fragment)] = []
        for k in out.indices where out[k] == nil {
            let fragment = ReferralJSON.Fragment(ReferralJSON.item(suggestions[k], listing: listings[suggestions[k].id], taxonomy: taxonomy))
            out[k] = fragment
            made.append((suggestions[k].id, fragment))
        }
        if !made.isEmpty {
            state.withLock { s in
                guard s.version == version else { return }
                if s.byID.count + made.count > capacity { s.byID = [:] }
                for (id, f) in made { s.byID[id] = f }
            }
        }
        return out.compactMap { $0 }
    }
}
