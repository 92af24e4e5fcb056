/// A civil date (proleptic Gregorian), with the arithmetic schedules need.
/// Pure integer maths: no Foundation calendar, no time zone database.
public struct LocalDate: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` (or `YYYYMMDD`).
    public init?(iso: some StringProtocol) {
        let digits = String(iso.filter { $0.isNumber })
        guard digits.count == 8, let v = Int(digits) else { return nil }
        let y = v / 10000, m = (v / 100) % 100, d = v % 100
        guard (1...12).contains(m), d >= 1, d <= LocalDate.daysIn(month: m, year: y) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var daysInMonth: Int { LocalDate.daysIn(month: month, year: year) }

    /// Days since 1970-01-01.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(dayNumber z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: m <= 2 ? y + 1 : y, month: m, day: d)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        let w = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday (3 with Monday = 0)
        return (w < 0 ? w + 7 : w) + 1
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// Which occurrence of its weekday in the month (1…5), and from the end (-1…-5).
    public var nthInMonth: (fromStart: Int, fromEnd: Int) {
        ((day - 1) / 7 + 1, -((daysInMonth - day) / 7 + 1))
    }

    /// ISO 8601 week number (1…53): the week holding the year's first Thursday is week 1.
    public var isoWeek: Int {
        let thursday = adding(days: 4 - weekday)
        let jan1 = LocalDate(year: thursday.year, month: 1, day: 1)
        return (thursday.dayNumber - jan1.dayNumber) / 7 + 1
    }

    /// Whether the date exists in the proleptic Gregorian calendar (month 1…12, day within the month).
    public var isValid: Bool { (1...12).contains(month) && day >= 1 && day <= LocalDate.daysIn(month: month, year: year) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public var description: String {
        String(format4(year)) + "-" + pad2(month) + "-" + pad2(day)
    }
}

/// A wall-clock date and time in Europe/Paris.
public struct LocalDateTime: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var date: LocalDate
    /// Minutes since midnight (0…1439).
    public var minutes: Int

    public init(date: LocalDate, minutes: Int) {
        self.date = date.adding(days: minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440)
        let m = minutes % 1440
        self.minutes = m < 0 ? m + 1440 : m
    }

    public init(date: LocalDate, hour: Int, minute: Int) {
        self.init(date: date, minutes: hour * 60 + minute)
    }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool {
        a.date != b.date ? a.date < b.date : a.minutes < b.minutes
    }

    /// `2026-11-26T18:00:00` (no offset; see ``ParisTime`` for one).
    public var description: String {
        "\(date)T\(pad2(minutes / 60)):\(pad2(minutes % 60)):00"
    }
}

func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
func format4(_ n: Int) -> String { n < 1000 ? String(repeating: "0", count: 4 - String(n).count) + String(n) : String(n) }

/// Europe/Paris civil time: CET (+01:00) and CEST (+02:00) under the EU rule.
/// A shorthand for ``CivilZone/paris``.
public enum ParisTime {
    /// UTC offset in seconds at an instant (seconds since the epoch).
    public static func offset(atEpoch t: Int) -> Int { CivilZone.paris.offset(atEpoch: t) }

    /// The instant of a wall-clock time (see ``CivilZone/epoch(of:)``).
    public static func epoch(of local: LocalDateTime) -> Int { CivilZone.paris.epoch(of: local) }

    public static func local(atEpoch t: Int) -> LocalDateTime { CivilZone.paris.local(atEpoch: t) }

    /// The offset that applies to a wall-clock time, as `+01:00` / `+02:00`.
    public static func offsetString(for local: LocalDateTime) -> String { CivilZone.paris.offsetString(for: local) }

    /// ISO 8601 with the Paris offset: `2026-11-26T18:00:00+01:00`.
    public static func iso(_ local: LocalDateTime) -> String { CivilZone.paris.iso(local) }
}

extension Int {
    /// `d` truncated toward zero when it is finite and within `range`; nil for NaN,
    /// infinities and numbers out of range (`1e300`), where `Int(d)` would trap.
    public init?(checked d: Double, in range: ClosedRange<Int> = Int(Int32.min)...Int(Int32.max)) {
        guard d.isFinite, d >= Double(range.lowerBound), d <= Double(range.upperBound) else { return nil }
        self = Int(d)
    }
}
