/// A weekday, optionally restricted to its nth occurrences in the month
/// (`Tu[1,3]`, `Th[-1]`).
public struct WeekdaySelector: Codable, Sendable, Hashable {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    public var weekday: Int
    /// Empty: every week. Otherwise 1…5 from the start of the month, -1…-5 from its end.
    public var nth: [Int]

    public init(weekday: Int, nth: [Int] = []) {
        self.weekday = weekday
        self.nth = nth
    }

    public func matches(_ date: LocalDate) -> Bool {
        guard date.weekday == weekday else { return false }
        if nth.isEmpty { return true }
        let (a, b) = date.nthInMonth
        return nth.contains(a) || nth.contains(b)
    }

    public static let osmNames = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    public static let icalNames = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
}

/// An opening span in minutes from midnight. `close` may be nil (open end,
/// OSM `14:30+`) or smaller than `open` (closes after midnight).
public struct TimeSpan: Codable, Sendable, Hashable, Comparable {
    public var open: Int
    public var close: Int?

    public init(open: Int, close: Int?) {
        self.open = open
        self.close = close
    }

    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { (a.open, a.close ?? -1) < (b.open, b.close ?? -1) }

    /// Length in minutes (an open end counts as zero).
    public var duration: Int {
        guard let close else { return 0 }
        return close > open ? close - open : close + 1440 - open
    }

    public static func hhmm(_ m: Int) -> String { pad2(m / 60) + ":" + pad2(m % 60) }
}

/// One rule of a recurring schedule: which days, which hours. The rules of a
/// ``Schedule`` follow OpenStreetMap `opening_hours` semantics: a later rule
/// that matches a date replaces what earlier rules said of it, unless it is
/// `additive` (OSM's `,` rule separator). Beyond OSM, a rule can carry an
/// RFC 5545 recurrence frame (interval, anchor, until, count), so HSDS and
/// iCalendar schedules keep their meaning.
public struct ScheduleRule: Codable, Sendable, Hashable {
    /// Months 1…12 when the rule applies; empty = all year.
    public var months: [Int]
    /// Weekdays; empty = every day.
    public var days: [WeekdaySelector]
    /// Public holidays (`PH`) as the selector.
    public var publicHolidays: Bool
    /// Specific dates (`2027 Jan 16`); when set, `days` and `months` are ignored.
    public var dates: [LocalDate]
    public var times: [TimeSpan]
    /// `off`: closed on the selected days.
    public var off: Bool
    public var additive: Bool
    /// Every `interval` weeks (or months) counted from `anchor`.
    public var interval: Int
    public var anchor: LocalDate?
    /// Inclusive validity bounds.
    public var validFrom: LocalDate?
    public var validUntil: LocalDate?
    /// At most `count` occurrences from `anchor`.
    public var count: Int?

    public init(
        months: [Int] = [], days: [WeekdaySelector] = [], publicHolidays: Bool = false, dates: [LocalDate] = [],
        times: [TimeSpan] = [], off: Bool = false, additive: Bool = false, interval: Int = 1,
        anchor: LocalDate? = nil, validFrom: LocalDate? = nil, validUntil: LocalDate? = nil, count: Int? = nil
    ) {
        self.months = months
        self.days = days
        self.publicHolidays = publicHolidays
        self.dates = dates
        self.times = times
        self.off = off
        self.additive = additive
        self.interval = interval
        self.anchor = anchor
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.count = count
    }

    /// Whether any weekday of the rule is restricted to nth occurrences (a monthly rule).
    public var isMonthly: Bool { days.contains { !$0.nth.isEmpty } }
}

/// A recurring schedule: rules, exception dates and the raw text it came from.
public struct Schedule: Codable, Sendable, Hashable {
    public var rules: [ScheduleRule]
    /// Occurrences removed (iCalendar EXDATE), as wall-clock start times.
    public var exceptions: [LocalDateTime]

    public init(rules: [ScheduleRule] = [], exceptions: [LocalDateTime] = []) {
        self.rules = rules
        self.exceptions = exceptions
    }

    public var isEmpty: Bool { rules.isEmpty }
}

/// One dated occurrence of a session (wall-clock Europe/Paris).
public struct Occurrence: Codable, Sendable, Hashable, Comparable {
    public var start: LocalDateTime
    public var end: LocalDateTime?
    /// A whole day with no hours (no time must be invented).
    public var allDay: Bool

    public init(start: LocalDateTime, end: LocalDateTime? = nil, allDay: Bool = false) {
        self.start = start
        self.end = end
        self.allDay = allDay
    }

    public static func < (a: Occurrence, b: Occurrence) -> Bool { a.start < b.start }
}

/// A dated event: a Prospect workshop (several days), an information meeting,
/// a one-off talk group.
public struct Session: Codable, Sendable, Hashable {
    public var key: String
    public var title: String
    public var occurrences: [Occurrence]
    public var cancelled: Bool
    public var place: Address?
    public var placeName: String?
    public var point: GeoPoint?
    public var online: Bool
    public var onsite: Bool
    public var registration: String?
    public var price: String?
    public var note: String?

    public init(
        key: String, title: String, occurrences: [Occurrence], cancelled: Bool = false, place: Address? = nil,
        placeName: String? = nil, point: GeoPoint? = nil, online: Bool = false, onsite: Bool = true,
        registration: String? = nil, price: String? = nil, note: String? = nil
    ) {
        self.key = key
        self.title = title
        self.occurrences = occurrences.sorted()
        self.cancelled = cancelled
        self.place = place
        self.placeName = placeName
        self.point = point
        self.online = online
        self.onsite = onsite
        self.registration = registration
        self.price = price
        self.note = note
    }

    public var first: Occurrence? { occurrences.first }
    public var last: Occurrence? { occurrences.last }
}
