/// A phone number in E.164 with an optional note ("de 14h à 18h", "secrétariat").
public struct Phone: Codable, Sendable, Hashable {
    public var number: String
    public var note: String?

    public init(_ number: String, note: String? = nil) {
        self.number = number
        self.note = note
    }
}

/// Everything a source can say about one listing, normalised. A source record
/// produces one; the store merges those of every source (and curated edits)
/// into the listing people see.
public struct ListingContent: Codable, Sendable, Hashable {
    public var name: String
    public var alternateName: String?
    public var kind: Kind
    public var description: String?
    public var status: ServiceStatus
    public var organization: String?
    /// Sponsoring association (GEM parrain) and managing body (gestionnaire).
    public var sponsor: String?
    public var manager: String?
    /// Needs the listing declares (the taxonomy adds defaults by kind).
    public var needs: [String]
    public var audiences: [Audience]
    /// Who is welcome, as the source says it ("Jeunes adultes 18-30 ans").
    public var audienceNote: String?
    public var modalities: [Modality]
    public var phones: [Phone]
    public var emails: [String]
    public var website: String?
    public var address: Address?
    public var placeName: String?
    public var point: GeoPoint?
    public var pointPrecision: GeoPrecision?
    public var schedule: Schedule
    /// The schedule as the source wrote it, kept whether or not it was understood.
    public var scheduleText: String?
    public var sessions: [Session]
    public var fees: String?
    public var eligibility: String?
    public var registration: String?
    /// Key (in the same source) of the listing this one is an antenna of.
    public var parentKey: String?
    /// The date the source says it last updated the record (`YYYY-MM-DD`).
    public var sourceUpdated: String?
    public var flags: [Flag]
    /// The IANA zone its hours and sessions are written in, when not Europe/Paris
    /// (an overseas listing: `Indian/Reunion`, `America/Guadeloupe`…).
    public var timeZone: String?
    /// Languages people are welcomed in: ISO 639 codes (`fr`, `ar`, `fsl` for LSF). Empty: not said.
    public var languages: [String]
    /// How the place can be reached with a disability (nil: not said).
    public var accessibility: Accessibility?

    /// The civil time its schedule and sessions are in.
    public var zone: CivilZone { timeZone.flatMap(CivilZone.named) ?? .paris }

    public init(
        name: String, alternateName: String? = nil, kind: Kind, description: String? = nil,
        status: ServiceStatus = .active, organization: String? = nil, sponsor: String? = nil, manager: String? = nil,
        needs: [String] = [], audiences: [Audience] = [], audienceNote: String? = nil, modalities: [Modality] = [],
        phones: [Phone] = [], emails: [String] = [], website: String? = nil, address: Address? = nil,
        placeName: String? = nil, point: GeoPoint? = nil, pointPrecision: GeoPrecision? = nil,
        schedule: Schedule = Schedule(), scheduleText: String? = nil, sessions: [Session] = [], fees: String? = nil,
        eligibility: String? = nil, registration: String? = nil, parentKey: String? = nil,
        sourceUpdated: String? = nil, flags: [Flag] = [], timeZone: String? = nil, languages: [String] = [], accessibility: Accessibility? = nil
    ) {
        self.timeZone = timeZone
        self.languages = languages
        self.accessibility = accessibility
        self.name = name
        self.alternateName = alternateName
        self.kind = kind
        self.description = description
        self.status = status
        self.organization = organization
        self.sponsor = sponsor
        self.manager = manager
        self.needs = needs
        self.audiences = audiences
        self.audienceNote = audienceNote
        self.modalities = modalities
        self.phones = phones
        self.emails = emails
        self.website = website
        self.address = address
        self.placeName = placeName
        self.point = point
        self.pointPrecision = pointPrecision
        self.schedule = schedule
        self.scheduleText = scheduleText
        self.sessions = sessions
        self.fees = fees
        self.eligibility = eligibility
        self.registration = registration
        self.parentKey = parentKey
        self.sourceUpdated = sourceUpdated
        self.flags = flags
    }
}

extension ListingContent {
    /// Reads what any version of Relais wrote: a field it did not know yet (a listing
    /// stored before `languages` existed) takes its empty value instead of making the
    /// whole listing unreadable. Only the name, the kind and the status are required.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ k: CodingKeys) throws -> String? { try c.decodeIfPresent(String.self, forKey: k) }
        func list<T: Decodable>(_ k: CodingKeys, _: T.Type = T.self) throws -> [T] { try c.decodeIfPresent([T].self, forKey: k) ?? [] }
        self.init(
            name: try c.decode(String.self, forKey: .name), alternateName: try text(.alternateName), kind: try c.decode(Kind.self, forKey: .kind),
            description: try text(.description), status: try c.decode(ServiceStatus.self, forKey: .status), organization: try text(.organization),
            sponsor: try text(.sponsor), manager: try text(.manager), needs: try list(.needs), audiences: try list(.audiences),
            audienceNote: try text(.audienceNote), modalities: try list(.modalities), phones: try list(.phones), emails: try list(.emails),
            website: try text(.website), address: try c.decodeIfPresent(Address.self, forKey: .address), placeName: try text(.placeName),
            point: try c.decodeIfPresent(GeoPoint.self, forKey: .point), pointPrecision: try c.decodeIfPresent(GeoPrecision.self, forKey: .pointPrecision),
            schedule: try c.decodeIfPresent(Schedule.self, forKey: .schedule) ?? Schedule(), scheduleText: try text(.scheduleText),
            sessions: try list(.sessions), fees: try text(.fees), eligibility: try text(.eligibility), registration: try text(.registration),
            parentKey: try text(.parentKey), sourceUpdated: try text(.sourceUpdated), flags: try list(.flags), timeZone: try text(.timeZone),
            languages: try list(.languages), accessibility: try c.decodeIfPresent(Accessibility.self, forKey: .accessibility))
    }
}

/// One source record after reading and normalising: its stable key in the
/// source, and what it says.
public struct ListingDraft: Codable, Sendable, Hashable {
    public var key: String
    public var content: ListingContent

    public init(key: String, content: ListingContent) {
        self.key = key
        self.content = content
    }
}

/// Where a listing's field value came from.
public struct FieldOrigin: Codable, Sendable, Hashable {
    /// A source id, or `curation` for an admin's edit.
    public var source: String
    /// When that source was fetched (ISO 8601), or when the edit was made.
    public var at: String
    /// Another source said something else.
    public var conflict: Bool

    public init(source: String, at: String, conflict: Bool = false) {
        self.source = source
        self.at = at
        self.conflict = conflict
    }
}

/// A listing as the directory shows it: merged content plus its life in Relais.
public struct Listing: Codable, Sendable, Hashable {
    public var id: String
    public var content: ListingContent
    /// Demonstration data, labelled "données de démonstration" wherever shown.
    public var demo: Bool
    /// Vanished from every source that listed it; kept until an admin or the stale rule removes it.
    public var stale: Bool
    public var hidden: Bool
    /// Date (`YYYY-MM-DD`) the listing was last confirmed: by a source run or an admin.
    public var lastVerified: String?
    /// Date (`YYYY-MM-DD`) an admin last checked it by hand (« marquer vérifié »); nil when no one has.
    /// Only this is a verification: an import is an update from the source.
    public var verifiedByTeam: String?
    /// Sources that list it.
    public var sources: [String]
    public var provenance: [String: FieldOrigin]
    /// Id of the listing this one is an antenna of.
    public var parentID: String?
    /// When its record in the store last changed (`2026-12-06T21:15:00Z`), when the store says.
    public var updatedAt: String?

    public init(
        id: String, content: ListingContent, demo: Bool = false, stale: Bool = false, hidden: Bool = false,
        lastVerified: String? = nil, sources: [String] = [], provenance: [String: FieldOrigin] = [:], parentID: String? = nil,
        verifiedByTeam: String? = nil, updatedAt: String? = nil
    ) {
        self.updatedAt = updatedAt
        self.verifiedByTeam = verifiedByTeam
        self.id = id
        self.content = content
        self.demo = demo
        self.stale = stale
        self.hidden = hidden
        self.lastVerified = lastVerified
        self.sources = sources
        self.provenance = provenance
        self.parentID = parentID
    }
}

/// A listing as the referral index reads it: the canonical content without what the engine never reads
/// (description, notes) left out, and its life in the directory.
public struct IndexListing: Sendable {
    public var id: String
    public var content: ListingContent
    public var stale: Bool
    public var demo: Bool
    public var lastVerified: String?
    /// See ``Listing/verifiedByTeam``.
    public var verifiedByTeam: String?

    public init(id: String, content: ListingContent, stale: Bool, demo: Bool, lastVerified: String?, verifiedByTeam: String? = nil) {
        self.verifiedByTeam = verifiedByTeam
        self.id = id
        self.content = content
        self.stale = stale
        self.demo = demo
        self.lastVerified = lastVerified
    }
}
