import RelaisModel
import RelaisMerge

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
    /// Languages as the source writes them: names (« français, LSF ») or ISO 639 codes, one
    /// text per language or a whole list in one.
    public var languages: [String] = []
    /// Accessibility as the source writes it (« Accès de plain-pied, boucle magnétique »).
    public var accessibilityText: String?
    public var accessibilityDetails: String?
    /// A page describing the place's access (Accèslibre).
    public var accessibilityURL: String?
    /// Required fields the source schema demands but the item lacks.
    public var missingRequired: [String] = []
    public var flags: [Flag] = []

    public init(item: String) { self.item = item }

    /// Longest text accepted per field, in UTF-8 bytes: a description may be long, the
    /// texts that parsers read (hours, addresses, contacts) are short.
    nonisolated(unsafe) public static let fieldLimits: [(field: String, limit: Int, text: WritableKeyPath<RawRecord, String?>?, list: WritableKeyPath<RawRecord, [String]>?)] = [
        ("description", 20_000, \.description, nil), ("alternateName", 1_000, \.alternateName, nil), ("organization", 1_000, \.organization, nil),
        ("sponsor", 1_000, \.sponsor, nil), ("manager", 1_000, \.manager, nil), ("street", 1_000, \.street, nil), ("complement", 1_000, \.complement, nil),
        ("postalCode", 100, \.postalCode, nil), ("commune", 300, \.commune, nil), ("insee", 100, \.insee, nil), ("addressText", 2_000, \.addressText, nil),
        ("placeName", 1_000, \.placeName, nil), ("phones", 2_000, nil, \.phones), ("emails", 2_000, nil, \.emails), ("website", 2_000, \.website, nil),
        ("hoursText", 4_000, \.hoursText, nil), ("openingHours", 2_000, \.openingHours, nil), ("audienceText", 2_000, \.audienceText, nil),
        ("needsText", 2_000, \.needsText, nil), ("fees", 4_000, \.fees, nil), ("eligibility", 4_000, \.eligibility, nil),
        ("registration", 4_000, \.registration, nil), ("kindHint", 1_000, \.kindHint, nil), ("sourceUpdated", 100, \.sourceUpdated, nil),
        ("languages", 1_000, nil, \.languages), ("accessibilityText", 4_000, \.accessibilityText, nil),
        ("accessibilityDetails", 4_000, \.accessibilityDetails, nil), ("accessibilityURL", 2_000, \.accessibilityURL, nil),
    ]

    /// Empties every field longer than its limit and says which (field, bytes, limit).
    public mutating func dropOversizedFields() -> [(field: String, bytes: Int, limit: Int)] {
        var dropped: [(String, Int, Int)] = []
        for (field, limit, text, list) in Self.fieldLimits {
            if let text, let v = self[keyPath: text], v.utf8.count > limit {
                dropped.append((field, v.utf8.count, limit))
                self[keyPath: text] = nil
            }
            if let list, let first = self[keyPath: list].first(where: { $0.utf8.count > limit }) {
                dropped.append((field, first.utf8.count, limit))
                self[keyPath: list].removeAll { $0.utf8.count > limit }
            }
        }
        return dropped
    }
}
