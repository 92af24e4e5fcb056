/// The civil time of a French territory, by rule, without a time zone database:
/// metropolitan France and Corsica follow the EU summer-time rule; Saint-Pierre-
/// et-Miquelon the North American one; the other overseas territories keep one
/// offset all year. Pure integer maths (seconds since the epoch, UTC).
public struct CivilZone: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The IANA name (`Europe/Paris`, `Indian/Reunion`).
    public let identifier: String
    /// Offset from UTC in seconds outside summer time.
    public let standardOffset: Int
    let summer: SummerRule

    enum SummerRule: String, Sendable, Hashable, Codable {
        case none
        /// Last Sunday of March to last Sunday of October, at 01:00 UTC (+1 h).
        case europe
        /// Second Sunday of March to first Sunday of November, at 02:00 local (+1 h).
        case northAmerica
    }

    init(_ identifier: String, _ standardOffset: Int, _ summer: SummerRule = .none) {
        self.identifier = identifier
        self.standardOffset = standardOffset
        self.summer = summer
    }

    public var description: String { identifier }

    /// « heure de Paris », « heure de La Réunion »… for a time read in another zone than the reader's.
    public var frenchName: String {
        switch identifier {
        case "Europe/Paris": return "heure de Paris"
        case "America/Guadeloupe": return "heure de la Guadeloupe"
        case "America/Martinique": return "heure de la Martinique"
        case "America/Cayenne": return "heure de la Guyane"
        case "Indian/Reunion": return "heure de La Réunion"
        case "Indian/Mayotte": return "heure de Mayotte"
        case "America/Miquelon": return "heure de Saint-Pierre-et-Miquelon"
        case "America/St_Barthelemy": return "heure de Saint-Barthélemy"
        case "America/Marigot": return "heure de Saint-Martin"
        case "Pacific/Wallis": return "heure de Wallis-et-Futuna"
        case "Pacific/Tahiti": return "heure de Tahiti"
        case "Pacific/Noumea": return "heure de Nouméa"
        default: return "heure UTC"
        }
    }

    public static let paris = CivilZone("Europe/Paris", 3600, .europe)
    public static let guadeloupe = CivilZone("America/Guadeloupe", -4 * 3600)
    public static let martinique = CivilZone("America/Martinique", -4 * 3600)
    public static let cayenne = CivilZone("America/Cayenne", -3 * 3600)
    public static let reunion = CivilZone("Indian/Reunion", 4 * 3600)
    public static let mayotte = CivilZone("Indian/Mayotte", 3 * 3600)
    public static let miquelon = CivilZone("America/Miquelon", -3 * 3600, .northAmerica)
    public static let saintBarthelemy = CivilZone("America/St_Barthelemy", -4 * 3600)
    public static let marigot = CivilZone("America/Marigot", -4 * 3600)
    public static let wallis = CivilZone("Pacific/Wallis", 12 * 3600)
    public static let tahiti = CivilZone("Pacific/Tahiti", -10 * 3600)
    public static let noumea = CivilZone("Pacific/Noumea", 11 * 3600)
    public static let utc = CivilZone("UTC", 0)

    public static let all: [CivilZone] = [paris, guadeloupe, martinique, cayenne, reunion, mayotte, miquelon, saintBarthelemy, marigot, wallis, tahiti, noumea, utc]

    /// The zone of a département or overseas collectivity code (`974`, `2A`, `75`); Paris when unknown.
    public static func forDepartement(_ code: String?) -> CivilZone {
        switch code {
        case "971": return guadeloupe
        case "972": return martinique
        case "973": return cayenne
        case "974": return reunion
        case "975": return miquelon
        case "976": return mayotte
        case "977": return saintBarthelemy
        case "978": return marigot
        case "986": return wallis
        case "987": return tahiti
        case "988": return noumea
        default: return paris
        }
    }

    /// A zone named by IANA (`Europe/Paris`, and the names of the same zone such as
    /// `Europe/Monaco` or `CET`) or by Windows as Outlook writes it (`Romance Standard Time`).
    public static func named(_ raw: String) -> CivilZone? {
        let name = raw.trimmingCharacters(in: "\" /")
        if let z = all.first(where: { $0.identifier.caseInsensitiveEquals(name) }) { return z }
        switch name.lowercased() {
        case "europe/monaco", "europe/brussels", "europe/luxembourg", "europe/berlin", "europe/zurich", "europe/andorra",
            "europe/madrid", "europe/rome", "europe/amsterdam", "europe/vienna", "cet", "met", "romance standard time",
            "w. europe standard time", "central europe standard time", "central european standard time",
            "(utc+01:00) brussels, copenhagen, madrid, paris", "france", "paris":
            return paris
        case "etc/utc", "etc/gmt", "gmt", "z", "zulu", "utc", "coordinated universal time", "greenwich standard time":
            return utc
        case "sa western standard time", "america/port_of_spain", "america/puerto_rico", "atlantic standard time (no dst)":
            return guadeloupe
        case "sa eastern standard time":
            return cayenne
        case "mauritius standard time", "indian/mauritius", "asia/dubai", "arabian standard time":
            return reunion
        case "e. africa standard time", "africa/nairobi":
            return mayotte
        case "saint pierre standard time":
            return miquelon
        case "hawaiian standard time":
            return tahiti
        case "central pacific standard time":
            return noumea
        // Other names of the same civil time, as calendar software writes them: IANA zones
        // on the EU rule at +01:00 since 1996, and Outlook's display names.
        case "europe/oslo", "europe/stockholm", "europe/copenhagen", "europe/prague", "europe/budapest", "europe/warsaw",
            "europe/belgrade", "europe/ljubljana", "europe/zagreb", "europe/bratislava", "europe/malta", "europe/tirane",
            "europe/sarajevo", "europe/skopje", "europe/podgorica", "europe/san_marino", "europe/vatican", "europe/vaduz",
            "europe/gibraltar", "europe/busingen", "africa/ceuta", "arctic/longyearbyen", "cest", "heure de paris",
            "(utc+01:00) amsterdam, berlin, bern, rome, stockholm, vienna", "(utc+01:00) belgrade, bratislava, budapest, ljubljana, prague",
            "(utc+01:00) sarajevo, skopje, warsaw, zagreb", "(gmt+01:00) brussels, copenhagen, madrid, paris":
            return paris
        case "(utc-04:00) georgetown, la paz, manaus, san juan", "america/dominica", "america/st_lucia", "america/barbados":
            return guadeloupe
        case "(utc-03:00) cayenne, fortaleza", "america/paramaribo":
            return cayenne
        case "(utc+04:00) port louis", "indian/mahe", "asia/muscat":
            return reunion
        case "(utc+03:00) nairobi", "indian/comoro", "indian/antananarivo":
            return mayotte
        case "(utc-10:00) hawaii", "pacific/honolulu":
            return tahiti
        case "(utc+11:00) solomon is., new caledonia", "pacific/guadalcanal", "pacific/efate":
            return noumea
        case "pacific/tarawa", "pacific/funafuti", "pacific/majuro":
            return wallis
        default:
            return nil
        }
    }

    // MARK: Offsets

    /// UTC offset in seconds at an instant (seconds since the epoch).
    public func offset(atEpoch t: Int) -> Int {
        switch summer {
        case .none:
            return standardOffset
        case .europe:
            let year = LocalDate(dayNumber: Self.floorDiv(t, 86400)).year
            let start = Self.lastSunday(year: year, month: 3).dayNumber * 86400 + 3600
            let end = Self.lastSunday(year: year, month: 10).dayNumber * 86400 + 3600
            return t >= start && t < end ? standardOffset + 3600 : standardOffset
        case .northAmerica:
            let year = LocalDate(dayNumber: Self.floorDiv(t + standardOffset, 86400)).year
            // 02:00 local standard time on the second Sunday of March; 02:00 local summer time on the first Sunday of November.
            let start = Self.nthSunday(2, year: year, month: 3).dayNumber * 86400 + 7200 - standardOffset
            let end = Self.nthSunday(1, year: year, month: 11).dayNumber * 86400 + 7200 - (standardOffset + 3600)
            return t >= start && t < end ? standardOffset + 3600 : standardOffset
        }
    }

    /// The instant of a wall-clock time. In the autumn overlap the earlier
    /// (summer) instant is chosen; in the spring gap the time is shifted forward.
    public func epoch(of local: LocalDateTime) -> Int {
        let naive = local.date.dayNumber * 86400 + local.minutes * 60
        guard summer != .none else { return naive - standardOffset }
        let asSummer = naive - (standardOffset + 3600)
        if offset(atEpoch: asSummer) == standardOffset + 3600 { return asSummer }
        return naive - standardOffset
    }

    /// The wall-clock time at an instant.
    public func local(atEpoch t: Int) -> LocalDateTime {
        let shifted = t + offset(atEpoch: t)
        let day = Self.floorDiv(shifted, 86400)
        return LocalDateTime(date: LocalDate(dayNumber: day), minutes: (shifted - day * 86400) / 60)
    }

    /// A wall-clock time of another zone, read in this one.
    public func convert(_ local: LocalDateTime, from zone: CivilZone) -> LocalDateTime {
        zone == self ? local : self.local(atEpoch: zone.epoch(of: local))
    }

    /// The offset that applies to a wall-clock time, as `+01:00`, `-04:00`, `Z` never.
    public func offsetString(for local: LocalDateTime) -> String {
        Self.offsetString(offset(atEpoch: epoch(of: local)))
    }

    static func offsetString(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let m = abs(seconds) / 60
        return sign + pad2(m / 60) + ":" + pad2(m % 60)
    }

    /// ISO 8601 with the zone's offset: `2026-11-26T18:00:00+01:00`.
    public func iso(_ local: LocalDateTime) -> String {
        local.description + offsetString(for: local)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : (a - b + 1) / b }

    static func lastSunday(year: Int, month: Int) -> LocalDate {
        let last = LocalDate(year: year, month: month, day: LocalDate.daysIn(month: month, year: year))
        return last.adding(days: -(last.weekday % 7))
    }

    static func nthSunday(_ n: Int, year: Int, month: Int) -> LocalDate {
        let first = LocalDate(year: year, month: month, day: 1)
        return first.adding(days: (7 - first.weekday) % 7 + 7 * (n - 1))
    }

    // MARK: Codable as the identifier

    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        self = CivilZone.named(name) ?? .paris
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(identifier)
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }

    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}
