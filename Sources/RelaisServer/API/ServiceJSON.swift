import Foundation
import RelaisModel
import RelaisNormalize
import NIOCore

/// A listing as the API shows it: Open Referral HSDS 3.0 service shape
/// (`phones`, `schedules`, `service_at_locations` → `location` → `addresses`),
/// plus Relais's fields (kind, needs, audiences, sessions, OSM opening hours,
/// provenance, freshness, demonstration flag).
public struct ServiceJSON: Codable, Sendable {
    public struct PhoneJSON: Codable, Sendable {
        var number: String
        var description: String?
    }
    public struct AddressJSON: Codable, Sendable {
        var address_1: String?
        var address_2: String?
        var city: String?
        var postal_code: String?
        var insee: String?
        var departement: String?
        var region: String?
        var country: String
        var address_type: String
    }
    public struct AccessibilityJSON: Codable, Sendable {
        var description: String?
        var details: String?
        var url: String?
        /// Relais's reading of it: `fauteuil`, `plain_pied`, `boucle_magnetique`…
        var features: [String]
        var features_labels: [String]
    }
    public struct LocationJSON: Codable, Sendable {
        var location_type: String
        var name: String?
        var latitude: Double?
        var longitude: Double?
        var geo_precision: String?
        var addresses: [AddressJSON]
        var accessibility: [AccessibilityJSON]
    }
    public struct LanguageJSON: Codable, Sendable {
        var name: String
        var code: String
    }
    public struct ServiceAtLocationJSON: Codable, Sendable {
        var location: LocationJSON
    }
    public struct ScheduleJSON: Codable, Sendable {
        var freq: String?
        var interval: Int?
        var byday: String?
        var bymonth: String?
        var opens_at: String?
        var closes_at: String?
        var dtstart: String?
        var valid_from: String?
        var valid_to: String?
        var count: Int?
        var closed: Bool?
        var timezone_name: String
        var rrule: String?
        var opening_hours: String?
    }
    public struct OccurrenceJSON: Codable, Sendable {
        var start: String
        var end: String?
        var all_day: Bool?
    }
    public struct SessionJSON: Codable, Sendable {
        var title: String
        var starts_at: String?
        var ends_at: String?
        var occurrences: [OccurrenceJSON]
        var cancelled: Bool?
        var place: String?
        var online: Bool
        var onsite: Bool
        var registration: String?
        var price: String?
        var note: String?
    }
    public struct OrganizationJSON: Codable, Sendable {
        var name: String
    }
    public struct FlagJSON: Codable, Sendable {
        var code: String
        var field: String?
        var message: String
    }

    var id: String
    var name: String
    var alternate_name: String?
    var description: String?
    var status: String
    var kind: String
    var kind_label: String
    var needs: [String]
    var audiences: [String]
    var modalities: [String]
    var email: String?
    var emails: [String]
    var url: String?
    var organization: OrganizationJSON?
    var sponsor: String?
    var manager: String?
    var audience_note: String?
    var phones: [PhoneJSON]
    var languages: [LanguageJSON]
    var opening_hours: String?
    var schedule_text: String?
    var schedules: [ScheduleJSON]
    var sessions: [SessionJSON]
    var service_at_locations: [ServiceAtLocationJSON]
    var fees_description: String?
    var eligibility_description: String?
    var application_process: String?
    var demo: Bool
    var demo_label: String?
    var stale: Bool
    /// The last day a source run listed it: an update from the source, not a check.
    var last_verified: String?
    /// The day an admin last checked it by hand (« marquer vérifié »); never for demonstration data.
    var verified_by_team: String?
    var last_modified: String?
    var sources: [String]
    var provenance: [String: FieldOrigin]
    var flags: [FlagJSON]
    var parent_id: String?

    public init(_ l: Listing, taxonomy: Taxonomy) {
        let c = l.content
        id = l.id
        name = c.name
        alternate_name = c.alternateName
        description = c.description
        status = c.status.hsdsValue
        kind = c.kind.rawValue
        kind_label = taxonomy.label(of: c.kind)
        needs = taxonomy.needs(of: c)
        audiences = c.audiences.map(\.rawValue)
        modalities = c.modalities.map(\.rawValue)
        email = c.emails.first
        emails = c.emails
        url = c.website
        organization = c.organization.map { OrganizationJSON(name: $0) }
        sponsor = c.sponsor
        manager = c.manager
        audience_note = c.audienceNote
        phones = c.phones.map { PhoneJSON(number: $0.number, description: $0.note) }
        languages = c.languages.map { LanguageJSON(name: Language.name($0), code: $0) }
        opening_hours = OpeningHours.published(c)
        schedule_text = c.scheduleText
        schedules = c.schedule.rules.flatMap { rule -> [ScheduleJSON] in
            let spans = rule.times.isEmpty ? [nil] : rule.times.map { Optional($0) }
            return spans.map { span in
                ScheduleJSON(
                    freq: rule.days.isEmpty ? nil : (rule.isMonthly ? "MONTHLY" : "WEEKLY"), interval: rule.interval > 1 ? rule.interval : nil,
                    byday: rule.days.isEmpty ? nil : OpeningHours.icalByDay(rule.days),
                    bymonth: rule.months.isEmpty ? nil : rule.months.map(String.init).joined(separator: ","),
                    opens_at: span.map { TimeSpan.hhmm($0.open) }, closes_at: span?.close.map { TimeSpan.hhmm($0 % 1440) },
                    dtstart: rule.anchor?.description, valid_from: rule.validFrom?.description, valid_to: rule.validUntil?.description,
                    count: rule.count, closed: rule.off ? true : nil, timezone_name: c.zone.identifier, rrule: OpeningHours.rrule(rule),
                    opening_hours: rule.interval == 1 && rule.count == nil ? OpeningHours.format(rule) : nil)
            }
        }
        sessions = c.sessions.map { Self.session($0, zone: c.zone) }
        let virtual = c.kind.isRemote && c.address?.street == nil
        let a = c.address
        service_at_locations = [ServiceAtLocationJSON(location: LocationJSON(
            location_type: virtual ? "virtual" : "physical", name: c.placeName, latitude: virtual ? nil : c.point?.latitude,
            longitude: virtual ? nil : c.point?.longitude, geo_precision: virtual ? nil : c.pointPrecision?.rawValue,
            addresses: a.map {
                [AddressJSON(address_1: $0.street, address_2: $0.complement, city: $0.commune, postal_code: $0.postalCode, insee: $0.insee,
                             departement: $0.departement, region: $0.region, country: $0.country, address_type: "physical")]
            } ?? [],
            accessibility: c.accessibility.map { a in
                [AccessibilityJSON(description: a.description, details: a.details, url: a.url, features: a.features.map(\.rawValue), features_labels: a.features.map(\.label))]
            } ?? []))]
        fees_description = c.fees
        eligibility_description = c.eligibility
        application_process = c.registration
        demo = l.demo
        demo_label = l.demo ? "données de démonstration" : nil
        stale = l.stale
        last_verified = l.lastVerified
        verified_by_team = l.demo ? nil : l.verifiedByTeam
        last_modified = c.sourceUpdated
        sources = l.sources
        provenance = l.provenance
        flags = c.flags.map { FlagJSON(code: $0.code, field: $0.field, message: $0.message) }
        parent_id = l.parentID
    }

    static func session(_ s: Session, zone: CivilZone) -> SessionJSON {
        SessionJSON(
            title: s.title, starts_at: s.first.map { zone.iso($0.start) },
            ends_at: s.last.map { o in zone.iso(o.end ?? o.start) },
            occurrences: s.occurrences.map { OccurrenceJSON(start: $0.allDay ? $0.start.date.description : zone.iso($0.start), end: $0.end.map { zone.iso($0) }, all_day: $0.allDay ? true : nil) },
            cancelled: s.cancelled ? true : nil, place: [s.placeName, s.place?.singleLine].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ").nilIfEmpty,
            online: s.online, onsite: s.onsite, registration: s.registration, price: s.price, note: s.note)
    }
}

/// Open Referral's Page object.
public struct PageJSON<T: Codable & Sendable>: Codable, Sendable {
    var total_items: Int
    var total_pages: Int
    var page_number: Int
    var size: Int
    var first_page: Bool
    var last_page: Bool
    var empty: Bool
    var contents: [T]
    /// The change feed (`modified_after`): the cursor of the next page, nil on the last.
    var next_cursor: String?
}

extension ByteBuffer {
    init(data: Data) {
        self.init(bytes: [UInt8](data))
    }
}

public enum JSONOutput {
    /// Sorted keys, slashes unescaped; `snakeCase` for the admin API, whose types are camelCase Swift.
    public static func encode<T: Encodable>(_ v: T, pretty: Bool = false, snakeCase: Bool = false) -> Data {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        if snakeCase { e.keyEncodingStrategy = .convertToSnakeCase }
        return (try? e.encode(v)) ?? Data("{}".utf8)
    }

    public static func string<T: Encodable>(_ v: T, pretty: Bool = false) -> String {
        String(decoding: encode(v, pretty: pretty), as: UTF8.self)
    }

    public static func page(_ p: ListingPage, taxonomy: Taxonomy) -> PageJSON<ServiceJSON> {
        PageJSON(
            total_items: p.totalItems, total_pages: p.totalPages, page_number: p.page, size: p.listings.count,
            first_page: p.page <= 1, last_page: p.page >= p.totalPages, empty: p.listings.isEmpty,
            contents: p.listings.map { ServiceJSON($0, taxonomy: taxonomy) })
    }
}
