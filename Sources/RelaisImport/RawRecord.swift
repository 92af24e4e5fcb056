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
    /// Required fields the source schema demands but the item lacks.
    public var missingRequired: [String] = []
    public var flags: [Flag] = []

    public init(item: String) { self.item = item }
}
