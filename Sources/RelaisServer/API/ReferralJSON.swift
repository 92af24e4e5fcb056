import Foundation
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
        suggestions.map { s in
            let l = listings[s.id]
            let c = l?.content
            return Item(
                id: s.id, name: s.name, kind: s.kind.rawValue, kind_label: taxonomy.label(of: s.kind), distance_km: s.distanceKm, reasons: s.reasons,
                next_opening: s.nextOpening.map { $0.allDay ? $0.start.date.description : s.zone.iso($0.start) },
                next_opening_end: s.nextOpening?.end.map(s.zone.iso), next_opening_label: s.nextOpeningLabel,
                next_opening_text: s.nextOpening.map(FrenchFormat.occurrence), needs: s.needsServed,
                languages: c?.languages ?? [], accessibility: c?.accessibility?.features.map(\.rawValue) ?? [],
                contact: Contact(
                    phones: c?.phones.map(\.number) ?? [], email: c?.emails.first, website: c?.website,
                    address: c?.address.map(\.singleLine).flatMap { $0.isEmpty ? nil : $0 }, postal_code: c?.address?.postalCode,
                    commune: c?.address?.commune, registration: c?.registration),
                source: l?.sources.first, sources: l?.sources ?? [], last_verified: l?.lastVerified,
                verified_by_team: s.demo ? nil : l?.verifiedByTeam, demo: s.demo ? true : nil,
                demo_label: s.demo ? "données de démonstration" : nil, stale: s.stale ? true : nil, closed: s.closed ? true : nil,
                score: s.score, url: "/ressources/\(s.id)")
        }
    }

    /// The whole answer, keys in reading order. Written by hand (``JSONWriter``): Foundation's
    /// encoder was a fifth of a referral's time. `renderEncoded` is the same answer through
    /// `JSONEncoder`, kept as the tests' reference.
    public static func render(_ result: ReferralResult, taxonomy: Taxonomy) -> String {
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
        let list = items(answer, listings: listings, taxonomy: taxonomy)
        w.raw(",\"count\":")
        w.int(list.count)
        w.raw(",\"suggestions\":")
        w.array(list) { w, item in item.write(to: &w) }
        // Nothing to go to within the radius: say so, and name the nearest places beyond it.
        if let beyond = answer.nearestBeyond {
            w.raw(",\"nothing_near\":")
            w.json(JSONOutput.string(NothingNear(result)))
            w.raw(",\"nearest_beyond\":")
            w.array(items(beyond, listings: listings, taxonomy: taxonomy)) { w, item in item.write(to: &w) }
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
        var f = true
        w.open()
        w.field("accessibility", strings: accessibility, &f)
        if let closed { w.field("closed", closed, &f) }
        w.key("contact", &f); contact.write(to: &w)
        if let demo { w.field("demo", demo, &f) }
        w.field("demo_label", demo_label, &f); w.field("distance_km", distance_km, &f); w.field("id", id, &f); w.field("kind", kind, &f)
        w.field("kind_label", kind_label, &f); w.field("languages", strings: languages, &f); w.field("last_verified", last_verified, &f)
        w.field("name", name, &f); w.field("needs", strings: needs, &f); w.field("next_opening", next_opening, &f)
        w.field("next_opening_end", next_opening_end, &f); w.field("next_opening_label", next_opening_label, &f)
        w.field("next_opening_text", next_opening_text, &f); w.field("reasons", strings: reasons, &f); w.field("score", score, &f)
        w.field("source", source, &f); w.field("sources", strings: sources, &f)
        if let stale { w.field("stale", stale, &f) }
        w.field("url", url, &f); w.field("verified_by_team", verified_by_team, &f)
        w.close()
    }
}
