import Foundation
import RelaisModel
import RelaisNormalize
import RelaisReferral

extension SessionQuery {
    /// `kind`, `near`, `radius_km`, `from`, `to`, `audience`, `limit`.
    public static func parse(_ p: [String: String], gazetteer: Gazetteer, now: Date) throws -> SessionQuery {
        func value(_ k: String) -> String? {
            guard let v = p[k]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        var kinds = SessionQuery.defaultKinds
        if let k = value("kind") {
            kinds = try k.split(separator: ",").map { part in
                guard let kind = Kind(rawValue: String(part)) else {
                    throw ReferralRequest.Invalid(parameter: "kind", message: "Type inconnu « \(part) ».", valid: Kind.allCases.map(\.rawValue))
                }
                return kind
            }
        }
        var radius = 30.0
        if let r = value("radius_km") {
            guard let v = Double(r), (1...300).contains(v) else { throw ReferralRequest.Invalid(parameter: "radius_km", message: "« \(r) » : attendu un nombre entre 1 et 300.") }
            radius = v
        }
        var limit = 50
        if let l = value("limit") {
            guard let v = Int(l), (1...200).contains(v) else { throw ReferralRequest.Invalid(parameter: "limit", message: "« \(l) » : attendu un entier entre 1 et 200.") }
            limit = v
        }
        var audience: Audience?
        if let a = value("audience") {
            guard let parsed = Audience(rawValue: a) else { throw ReferralRequest.Invalid(parameter: "audience", message: "Public inconnu « \(a) ».", valid: Audience.allCases.map(\.rawValue)) }
            audience = parsed
        }
        var origin: GeoPoint?
        var label: String?
        var zoneDepartement: String?
        if let near = value("near") {
            switch gazetteer.lookup(near) {
            case .point(let p, let l, let dep):
                origin = p
                label = l
                zoneDepartement = dep
            case .ambiguous(let communes):
                throw ReferralRequest.Invalid(parameter: "near", message: "Plusieurs communes s’appellent « \(near) » : précisez.",
                                              choices: communes.map { "\($0.name) (\(gazetteer.departementCode(insee: $0.insee) ?? $0.insee))" })
            case .notFound:
                throw ReferralRequest.Invalid(parameter: "near", message: "Lieu inconnu « \(near) ».")
            }
        }
        // "From" is a day of the place asked about, in its own time.
        let zone = CivilZone.forDepartement(zoneDepartement)
        let nowLocal = zone.local(atEpoch: Int(now.timeIntervalSince1970))
        var from = nowLocal
        if let f = value("from") {
            guard let d = LocalDate(iso: f.prefix(10)) else { throw ReferralRequest.Invalid(parameter: "from", message: "« \(f) » : attendu une date AAAA-MM-JJ.") }
            from = d == nowLocal.date ? nowLocal : LocalDateTime(date: d, minutes: 0)
        }
        var to = from.date.adding(days: 365)
        if let t = value("to") {
            guard let d = LocalDate(iso: t.prefix(10)), d >= from.date else { throw ReferralRequest.Invalid(parameter: "to", message: "« \(t) » : attendu une date AAAA-MM-JJ après « from ».") }
            to = d
        }
        var q = SessionQuery(kinds: kinds, origin: origin, originLabel: label, radiusKm: radius, from: from, to: to, audience: audience, limit: limit)
        q.zone = zone
        return q
    }
}

public enum SessionsJSON {
    public struct OccurrenceJSON: Codable, Sendable {
        var start: String
        var end: String?
        var all_day: Bool?
        var text: String
    }

    public struct Item: Codable {
        var listing_id: String
        var listing_name: String
        var kind: String
        var kind_label: String
        var title: String
        var starts_at: String
        var ends_at: String?
        var occurrences: [OccurrenceJSON]
        var recurring: Bool
        var distance_km: Double?
        var place: String?
        var online: Bool?
        var onsite: Bool?
        var registration: String?
        var price: String?
        var demo: Bool?
        var url: String
    }

    struct Body: Codable {
        var from: String
        var to: String
        var near: String?
        var radius_km: Double?
        var count: Int
        var sessions: [Item]
    }

    public static func items(_ sessions: [UpcomingSession], taxonomy: Taxonomy) -> [Item] {
        sessions.compactMap { s in
            guard let first = s.occurrences.first, let last = s.occurrences.last else { return nil }
            return Item(
                listing_id: s.listingID, listing_name: s.listingName, kind: s.kind.rawValue, kind_label: taxonomy.label(of: s.kind), title: s.title,
                starts_at: first.allDay ? first.start.date.description : s.zone.iso(first.start),
                ends_at: last.end.map(s.zone.iso),
                occurrences: s.occurrences.map { OccurrenceJSON(start: $0.allDay ? $0.start.date.description : s.zone.iso($0.start), end: $0.end.map(s.zone.iso), all_day: $0.allDay ? true : nil, text: FrenchFormat.occurrence($0)) },
                recurring: s.recurring, distance_km: s.distanceKm,
                place: s.session.flatMap { x in [x.placeName, x.place?.singleLine].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ").nilIfEmpty },
                online: s.session?.online, onsite: s.session?.onsite, registration: s.session?.registration, price: s.session?.price,
                demo: s.demo ? true : nil, url: "/ressources/\(s.listingID)")
        }
    }

    public static func render(_ q: SessionQuery, _ sessions: [UpcomingSession], taxonomy: Taxonomy) -> String {
        let list = items(sessions, taxonomy: taxonomy)
        return JSONOutput.string(Body(from: q.from.date.description, to: q.to.description, near: q.originLabel, radius_km: q.origin == nil ? nil : q.radiusKm, count: list.count, sessions: list))
    }
}
