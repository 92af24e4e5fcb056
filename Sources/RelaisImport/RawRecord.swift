import RelaisModel

/// What a reader extracts from one item of a payload, before normalisation:
/// texts as the source wrote them, plus whatever structure the format gives.
public struct RawRecord: Sendable {
    /// Where the item sits, for messages: "ligne 24", "page 2, élément 3".
    public var item: String
    /// The source's own identifier, if any.
    public var id: String?
    public var name: String?
    /// A kind decided by the reader (from the source's own typology or a heading).
    public var kind: Kind?
    /// Text that may reveal the kind (a heading, a category).
    public var kindHint: String?
    public var alternateName: String?
    public var description: String?
    public var organization: String?
    public var sponsor: String?
    public var manager: String?
    public var street: String?
    public var complement: String?
    public var postalCode: String?
    public var commune: String?
    /// An INSEE code given by the source (kept as given).
    public var insee: String?
    /// A whole address in one text, to split.
    public var addressText: String?
    public var placeName: String?
    /// The département, when nothing more precise is known.
    public var departementHint: String?
    public var latitude: Double?
    public var longitude: Double?
    /// No physical place (phone line, online resource).
    public var virtual: Bool = false
    public var phones: [String] = []
    /// Phones already known to be valid E.164 (structured sources).
    public var phoneNotes: [String: String] = [:]
    public var emails: [String] = []
    public var website: String?
    /// Schedule text in French, to parse.
    public var hoursText: String?
    /// Schedule in OSM syntax, given by the source.
    public var openingHours: String?
    /// Schedule already structured by the reader (HSDS rows, iCalendar RRULE).
    public var schedule: Schedule?
    public var sessions: [Session] = []
    /// Months the schedule applies (a season stated for the whole section: "d’octobre à juin").
    public var seasonMonths: [Int]?
    public var audienceText: String?
    public var audiences: [Audience] = []
    public var needs: [String] = []
    public var needsText: String?
    public var modalities: [Modality] = []
    public var status: ServiceStatus?
    public var fees: String?
    public var eligibility: String?
    public var registration: String?
    public var parentKey: String?
    public var sourceUpdated: String?
    /// The zone the reader's wall-clock times (sessions, structured schedule) are written in,
    /// when the format says it (an iCalendar TZID converted to Paris, a JSON-LD offset);
    /// nil: the listing's own zone, as French text and spreadsheets write hours.
    public var timesZone: CivilZone?
    /// The listing's zone when the source names it (else it follows the département).
    public var listingZone: CivilZone?
    /// Required fields the source schema demands but the item lacks.
    public var missingRequired: [String] = []
    public var flags: [Flag] = []

    public init(item: String) { self.item = item }

    /// Longest text accepted per field, in UTF-8 bytes: a description may be long, the
    /// texts that parsers read (hours, addresses, contacts) are short.
    public static let fieldLimits: [(field: String, limit: Int)] = [
        ("description", 20_000), ("alternateName", 1_000), ("organization", 1_000), ("sponsor", 1_000), ("manager", 1_000),
        ("street", 1_000), ("complement", 1_000), ("postalCode", 100), ("commune", 300), ("insee", 100), ("addressText", 2_000),
        ("placeName", 1_000), ("phones", 2_000), ("emails", 2_000), ("website", 2_000), ("hoursText", 4_000), ("openingHours", 2_000),
        ("audienceText", 2_000), ("needsText", 2_000), ("fees", 4_000), ("eligibility", 4_000), ("registration", 4_000),
        ("kindHint", 1_000), ("sourceUpdated", 100),
    ]

    /// Empties every field longer than its limit and says which (field, bytes, limit).
    public mutating func dropOversizedFields() -> [(field: String, bytes: Int, limit: Int)] {
        var dropped: [(String, Int, Int)] = []
        func check(_ value: inout String?, _ field: String, _ limit: Int) {
            if let v = value, v.utf8.count > limit {
                dropped.append((field, v.utf8.count, limit))
                value = nil
            }
        }
        func check(_ values: inout [String], _ field: String, _ limit: Int) {
            let long = values.filter { $0.utf8.count > limit }
            if let first = long.first {
                dropped.append((field, first.utf8.count, limit))
                values.removeAll { $0.utf8.count > limit }
            }
        }
        for (field, limit) in Self.fieldLimits {
            switch field {
            case "description": check(&description, field, limit)
            case "alternateName": check(&alternateName, field, limit)
            case "organization": check(&organization, field, limit)
            case "sponsor": check(&sponsor, field, limit)
            case "manager": check(&manager, field, limit)
            case "street": check(&street, field, limit)
            case "complement": check(&complement, field, limit)
            case "postalCode": check(&postalCode, field, limit)
            case "commune": check(&commune, field, limit)
            case "insee": check(&insee, field, limit)
            case "addressText": check(&addressText, field, limit)
            case "placeName": check(&placeName, field, limit)
            case "phones": check(&phones, field, limit)
            case "emails": check(&emails, field, limit)
            case "website": check(&website, field, limit)
            case "hoursText": check(&hoursText, field, limit)
            case "openingHours": check(&openingHours, field, limit)
            case "audienceText": check(&audienceText, field, limit)
            case "needsText": check(&needsText, field, limit)
            case "fees": check(&fees, field, limit)
            case "eligibility": check(&eligibility, field, limit)
            case "registration": check(&registration, field, limit)
            case "kindHint": check(&kindHint, field, limit)
            case "sourceUpdated": check(&sourceUpdated, field, limit)
            default: break
            }
        }
        return dropped
    }
}
