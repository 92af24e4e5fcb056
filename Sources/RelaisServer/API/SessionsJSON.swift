import Foundation
import RelaisModel
import RelaisNormalize
import RelaisReferral

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
