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

    /// The order nth selectors are written in: 1…5, then -1…-5.
    public static func nthOrder(_ a: Int, _ b: Int) -> Bool { (a < 0 ? 10 - a : a) < (b < 0 ? 10 - b : b) }

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

/// ISO week numbers `from…to`, every `step` weeks (OSM `week 01-53/2`).
public struct WeekRange: Codable, Sendable, Hashable {
    public var from: Int
    public var to: Int
    public var step: Int

    public init(from: Int, to: Int, step: Int = 1) {
        self.from = from
        self.to = to
        self.step = max(1, step)
    }

    public func contains(week w: Int) -> Bool {
        guard w >= from, w <= to else { return false }
        return (w - from) % max(1, step) == 0
    }
}

/// Days of every year, `Dec 24` or `Dec 24-Jan 02` (OSM monthday ranges without a year).
public struct MonthDayRange: Codable, Sendable, Hashable {
    public var fromMonth: Int
    public var fromDay: Int
    public var toMonth: Int
    public var toDay: Int

    public init(fromMonth: Int, fromDay: Int, toMonth: Int, toDay: Int) {
        self.fromMonth = fromMonth
        self.fromDay = fromDay
        self.toMonth = toMonth
        self.toDay = toDay
    }

    public func contains(_ d: LocalDate) -> Bool {
        let a = fromMonth * 100 + fromDay, b = toMonth * 100 + toDay, x = d.month * 100 + d.day
        return a <= b ? (x >= a && x <= b) : (x >= a || x <= b)
    }
}

/// One rule of a recurring schedule: which days, which hours. The rules of a
/// ``Schedule`` follow OpenStreetMap `opening_hours` semantics: a later rule
/// that matches a date replaces what earlier rules said of it, unless it is
/// `additive` (OSM's `,` rule separator). Selectors of one rule intersect
/// (validity ∧ months ∧ days of the year ∧ weeks ∧ weekdays or holidays).
/// Beyond OSM, a rule can carry an RFC 5545 recurrence frame (interval,
/// anchor, until, count), so HSDS and iCalendar schedules keep their meaning.
public struct ScheduleRule: Codable, Sendable, Hashable {
    /// Months 1…12 when the rule applies; empty = all year.
    public var months: [Int]
    /// Days of every year (`Dec 24-Jan 02`); empty = all.
    public var monthDays: [MonthDayRange]
    /// ISO weeks (`week 01-53/2`); empty = all.
    public var weeks: [WeekRange]
    /// Weekdays; empty = every day.
    public var days: [WeekdaySelector]
    /// Public holidays (`PH`) as the selector.
    public var publicHolidays: Bool
    /// School holidays (`SH`) as the selector. Relais has no school calendar:
    /// such a rule is kept and published, but never matches a date.
    public var schoolHolidays: Bool
    /// Specific dates (`2027 Jan 16`); when set, `days` and `months` are ignored.
    public var dates: [LocalDate]
    public var times: [TimeSpan]
    /// `off`: closed on the selected days.
    public var off: Bool
    public var additive: Bool
    /// The rule's comment (OSM `"sur rendez-vous"`).
    public var comment: String?
    /// Every `interval` weeks (or months) counted from `anchor`.
    public var interval: Int
    public var anchor: LocalDate?
    /// Inclusive validity bounds.
    public var validFrom: LocalDate?
    public var validUntil: LocalDate?
    /// At most `count` occurrences from `anchor`.
    public var count: Int?

    public init(
        months: [Int] = [], monthDays: [MonthDayRange] = [], weeks: [WeekRange] = [], days: [WeekdaySelector] = [],
        publicHolidays: Bool = false, schoolHolidays: Bool = false, dates: [LocalDate] = [],
        times: [TimeSpan] = [], off: Bool = false, additive: Bool = false, comment: String? = nil, interval: Int = 1,
        anchor: LocalDate? = nil, validFrom: LocalDate? = nil, validUntil: LocalDate? = nil, count: Int? = nil
    ) {
        self.months = months
        self.monthDays = monthDays
        self.weeks = weeks
        self.days = days
        self.publicHolidays = publicHolidays
        self.schoolHolidays = schoolHolidays
        self.dates = dates
        self.times = times
        self.off = off
        self.additive = additive
        self.comment = comment
        self.interval = interval
        self.anchor = anchor
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.count = count
    }

    /// Whether any weekday of the rule is restricted to nth occurrences (a monthly rule).
    public var isMonthly: Bool { days.contains { !$0.nth.isEmpty } }

    enum CodingKeys: String, CodingKey {
        case months, monthDays, weeks, days, publicHolidays, schoolHolidays, dates, times, off, additive, comment
        case interval, anchor, validFrom, validUntil, count
    }

    /// Every key is optional when read, so listings stored before a field existed stay readable.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        months = try c.decodeIfPresent([Int].self, forKey: .months) ?? []
        monthDays = try c.decodeIfPresent([MonthDayRange].self, forKey: .monthDays) ?? []
        weeks = try c.decodeIfPresent([WeekRange].self, forKey: .weeks) ?? []
        days = try c.decodeIfPresent([WeekdaySelector].self, forKey: .days) ?? []
        publicHolidays = try c.decodeIfPresent(Bool.self, forKey: .publicHolidays) ?? false
        schoolHolidays = try c.decodeIfPresent(Bool.self, forKey: .schoolHolidays) ?? false
        dates = try c.decodeIfPresent([LocalDate].self, forKey: .dates) ?? []
        times = try c.decodeIfPresent([TimeSpan].self, forKey: .times) ?? []
        off = try c.decodeIfPresent(Bool.self, forKey: .off) ?? false
        additive = try c.decodeIfPresent(Bool.self, forKey: .additive) ?? false
        comment = try c.decodeIfPresent(String.self, forKey: .comment)
        interval = max(1, try c.decodeIfPresent(Int.self, forKey: .interval) ?? 1)
        anchor = try c.decodeIfPresent(LocalDate.self, forKey: .anchor)
        validFrom = try c.decodeIfPresent(LocalDate.self, forKey: .validFrom)
        validUntil = try c.decodeIfPresent(LocalDate.self, forKey: .validUntil)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
    }

    /// The same keys as ``JSONWriter`` writes: selectors added later are left out when unused.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(additive, forKey: .additive)
        try c.encodeIfPresent(anchor, forKey: .anchor)
        try c.encodeIfPresent(comment, forKey: .comment)
        try c.encodeIfPresent(count, forKey: .count)
        try c.encode(dates, forKey: .dates)
        try c.encode(days, forKey: .days)
        try c.encode(interval, forKey: .interval)
        if !monthDays.isEmpty { try c.encode(monthDays, forKey: .monthDays) }
        try c.encode(months, forKey: .months)
        try c.encode(off, forKey: .off)
        try c.encode(publicHolidays, forKey: .publicHolidays)
        if schoolHolidays { try c.encode(schoolHolidays, forKey: .schoolHolidays) }
        try c.encode(times, forKey: .times)
        try c.encodeIfPresent(validFrom, forKey: .validFrom)
        try c.encodeIfPresent(validUntil, forKey: .validUntil)
        if !weeks.isEmpty { try c.encode(weeks, forKey: .weeks) }
    }
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
