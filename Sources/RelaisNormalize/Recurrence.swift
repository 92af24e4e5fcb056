import RelaisModel

// RFC 5545 recurrence (§3.3.10 RECUR, §3.8.5 RRULE/RDATE/EXDATE) in pure integer
// date maths: no Foundation calendar, no time zone database. Rules are expanded in
// the wall-clock time of their DTSTART (a zone's local time, or floating time);
// the caller converts the occurrences to the zone it publishes in.

/// A DATE or DATE-TIME value as iCalendar writes it (`20270114`, `20270114T183000`,
/// `20270114T173000Z`). Seconds are read and dropped: Relais counts in minutes.
public enum ICalDateTime: Sendable, Hashable, CustomStringConvertible {
    case date(LocalDate)
    /// A local time: floating, or in the zone named by a TZID parameter.
    case local(LocalDateTime)
    /// A UTC time (`Z`).
    case utc(LocalDateTime)

    /// Parses `YYYYMMDD` or `YYYYMMDDTHHMMSS[Z]`; nil for anything else (total: no trap on any input).
    public static func parse(_ raw: some StringProtocol) -> ICalDateTime? {
        let b = Array(raw.utf8.prefix(20))
        guard raw.utf8.count <= 16 else { return nil }
        func digits(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= b.count else { return nil }
            var v = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = digits(0..<4), let m = digits(4..<6), let d = digits(6..<8), (1...12).contains(m),
              d >= 1, d <= LocalDate.daysIn(month: m, year: y) else { return nil }
        let date = LocalDate(year: y, month: m, day: d)
        if b.count == 8 { return .date(date) }
        guard b.count == 15 || (b.count == 16 && (b[15] == UInt8(ascii: "Z") || b[15] == UInt8(ascii: "z"))),
              b[8] == UInt8(ascii: "T") || b[8] == UInt8(ascii: "t"),
              let h = digits(9..<11), let mi = digits(11..<13), let s = digits(13..<15),
              (0...23).contains(h), (0...59).contains(mi), (0...60).contains(s) else { return nil }
        let t = LocalDateTime(date: date, hour: h, minute: mi)
        return b.count == 16 ? .utc(t) : .local(t)
    }

    /// The date and time as written (a DATE is midnight), whatever the zone.
    public var wallClock: LocalDateTime {
        switch self {
        case .date(let d): return LocalDateTime(date: d, minutes: 0)
        case .local(let t), .utc(let t): return t
        }
    }

    public var isDate: Bool { if case .date = self { return true } else { return false } }

    public var description: String {
        let digits = wallClock.description.filter { $0.isNumber }
        switch self {
        case .date: return String(digits.prefix(8))
        case .local: return String(digits.prefix(8)) + "T" + String(digits.dropFirst(8)).prefix(6)
        case .utc: return String(digits.prefix(8)) + "T" + String(digits.dropFirst(8)).prefix(6) + "Z"
        }
    }
}

/// A recurrence rule that could not be read, with a message in French for the admin.
public struct RecurrenceError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = FrenchTypography.apply(message) }
    public var description: String { message }
}

/// French spacing around guillemets and before `:` `;` `?` `!`, so messages can be
/// written with plain spaces in source code.
public enum FrenchTypography {
    public static func apply(_ s: String) -> String {
        s.replacing("« ", with: "«\u{A0}").replacing(" »", with: "\u{A0}»").replacing(" :", with: "\u{A0}:")
            .replacing(" ;", with: "\u{202F};").replacing(" ?", with: "\u{202F}?").replacing(" !", with: "\u{202F}!")
    }
}

extension StringProtocol {
    /// Trims the given characters at both ends (no Foundation).
    func trimmed(_ set: String) -> Substring {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return s
    }
}

/// An RFC 5545 `RRULE` value (§3.3.10), parsed and checked. Every number is
/// bounded when read; `parse` never traps.
public struct RecurrenceRule: Sendable, Hashable, CustomStringConvertible {
    public enum Frequency: Int, Sendable, Hashable, Comparable, CaseIterable {
        case yearly, monthly, weekly, daily, hourly, minutely
        public static func < (a: Frequency, b: Frequency) -> Bool { a.rawValue < b.rawValue }
        public var name: String { ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY"][rawValue] }
    }

    /// A `BYDAY` item: ISO weekday (1 = Monday … 7 = Sunday) and an optional ordinal (`2WE`, `-1TH`).
    public struct WeekdayNum: Sendable, Hashable {
        public var weekday: Int
        public var ordinal: Int?
        public init(weekday: Int, ordinal: Int? = nil) {
            self.weekday = weekday
            self.ordinal = ordinal
        }
    }

    public var frequency: Frequency
    public var interval: Int = 1
    public var count: Int?
    public var until: ICalDateTime?
    public var byDay: [WeekdayNum] = []
    public var byMonthDay: [Int] = []
    public var byMonth: [Int] = []
    public var byYearDay: [Int] = []
    public var byWeekNo: [Int] = []
    public var byHour: [Int] = []
    public var byMinute: [Int] = []
    public var bySetPos: [Int] = []
    /// `WKST`, ISO weekday (Monday by default).
    public var weekStart: Int = 1

    public init(frequency: Frequency) { self.frequency = frequency }

    /// Bounds on what is read: a rule longer than this is not a calendar's.
    public static let maxLength = 2000
    public static let maxListItems = 400
    public static let maxInterval = 100_000
    public static let maxCount = Int(Int32.max)

    static let dayNames = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    static func dayName(_ weekday: Int) -> String { (1...7).contains(weekday) ? dayNames[weekday - 1] : "??" }

    /// Parses `FREQ=MONTHLY;BYDAY=2WE,4WE;UNTIL=20270630T220000Z` (an optional `RRULE:` prefix is accepted).
    public static func parse(_ raw: String) -> Result<RecurrenceRule, RecurrenceError> {
        guard raw.utf8.count <= maxLength else {
            return .failure(RecurrenceError("RRULE trop longue (\(raw.utf8.count) octets, \(maxLength) au plus)"))
        }
        var text = Substring(raw.trimmed(" \t\r\n"))
        if text.uppercased().hasPrefix("RRULE:") { text = text.dropFirst(6) }
        var seen = Set<String>()
        var parts: [(String, Substring)] = []
        for segment in text.split(separator: ";", omittingEmptySubsequences: true) {
            guard let eq = segment.firstIndex(of: "=") else {
                return .failure(RecurrenceError("RRULE : « \(segment.prefix(40)) » n’est pas de la forme NOM=VALEUR"))
            }
            let key = String(segment[..<eq].uppercased().trimmed(" "))
            let value = segment[segment.index(after: eq)...]
            guard !value.isEmpty else { return .failure(RecurrenceError("RRULE : \(key.prefix(20)) sans valeur")) }
            guard seen.insert(key).inserted else { return .failure(RecurrenceError("RRULE : \(key.prefix(20)) donné deux fois")) }
            parts.append((key, value))
        }
        guard let freqText = parts.first(where: { $0.0 == "FREQ" })?.1 else {
            return .failure(RecurrenceError("RRULE : FREQ manquant (DAILY, WEEKLY, MONTHLY ou YEARLY attendu)"))
        }
        let freqName = freqText.uppercased()
        if freqName == "SECONDLY" {
            return .failure(RecurrenceError("RRULE : FREQ=SECONDLY n’est pas pris en charge (Relais compte en minutes)"))
        }
        guard let freq = Frequency.allCases.first(where: { $0.name == freqName }) else {
            return .failure(RecurrenceError("RRULE : fréquence inconnue « \(freqText.prefix(20)) »"))
        }
        var rule = RecurrenceRule(frequency: freq)

        func list(_ key: String, _ v: Substring, _ range: ClosedRange<Int>, zero: Bool = false) -> Result<[Int], RecurrenceError> {
            let items = v.split(separator: ",", omittingEmptySubsequences: false)
            guard items.count <= maxListItems else { return .failure(RecurrenceError("RRULE : \(key) a trop de valeurs (\(maxListItems) au plus)")) }
            var out: [Int] = []
            for item in items {
                guard let n = integer(item, range), zero || n != 0 else {
                    return .failure(RecurrenceError("RRULE : valeur de \(key) invalide « \(item.prefix(20)) » (entier de \(range.lowerBound) à \(range.upperBound)\(zero ? "" : ", sauf 0") attendu)"))
                }
                out.append(n)
            }
            return .success(out)
        }

        for (key, v) in parts {
            switch key {
            case "FREQ":
                continue
            case "INTERVAL":
                guard let n = integer(v, 1...maxInterval) else {
                    return .failure(RecurrenceError("RRULE : INTERVAL invalide « \(v.prefix(20)) » (entier de 1 à \(maxInterval) attendu)"))
                }
                rule.interval = n
            case "COUNT":
                guard let n = integer(v, 1...maxCount) else {
                    return .failure(RecurrenceError("RRULE : COUNT invalide « \(v.prefix(20)) » (entier de 1 à \(maxCount) attendu)"))
                }
                rule.count = n
            case "UNTIL":
                guard let u = ICalDateTime.parse(v) else {
                    return .failure(RecurrenceError("RRULE : UNTIL invalide « \(v.prefix(20)) » (date AAAAMMJJ ou date-heure AAAAMMJJTHHMMSSZ attendue)"))
                }
                rule.until = u
            case "WKST":
                guard let i = dayNames.firstIndex(of: v.uppercased()) else {
                    return .failure(RecurrenceError("RRULE : WKST invalide « \(v.prefix(20)) » (MO à SU attendu)"))
                }
                rule.weekStart = i + 1
            case "BYDAY":
                let items = v.split(separator: ",", omittingEmptySubsequences: false)
                guard items.count <= maxListItems else { return .failure(RecurrenceError("RRULE : BYDAY a trop de valeurs")) }
                for item in items {
                    let t = item.uppercased().trimmed(" ")
                    guard t.count >= 2, let i = dayNames.firstIndex(of: String(t.suffix(2))) else {
                        return .failure(RecurrenceError("RRULE : jour BYDAY invalide « \(item.prefix(20)) » (MO, TU, WE, TH, FR, SA, SU, précédés d’un rang comme 2WE ou -1TH)"))
                    }
                    let prefix = t.dropLast(2)
                    var ordinal: Int?
                    if !prefix.isEmpty {
                        guard let n = integer(prefix, -53...53), n != 0 else {
                            return .failure(RecurrenceError("RRULE : rang BYDAY invalide « \(item.prefix(20)) » (de -53 à 53, sauf 0)"))
                        }
                        ordinal = n
                    }
                    rule.byDay.append(WeekdayNum(weekday: i + 1, ordinal: ordinal))
                }
            case "BYMONTHDAY":
                switch list(key, v, -31...31) { case .success(let l): rule.byMonthDay = l; case .failure(let e): return .failure(e) }
            case "BYMONTH":
                switch list(key, v, 1...12) { case .success(let l): rule.byMonth = l; case .failure(let e): return .failure(e) }
            case "BYYEARDAY":
                switch list(key, v, -366...366) { case .success(let l): rule.byYearDay = l; case .failure(let e): return .failure(e) }
            case "BYWEEKNO":
                switch list(key, v, -53...53) { case .success(let l): rule.byWeekNo = l; case .failure(let e): return .failure(e) }
            case "BYHOUR":
                switch list(key, v, 0...23, zero: true) { case .success(let l): rule.byHour = l; case .failure(let e): return .failure(e) }
            case "BYMINUTE":
                switch list(key, v, 0...59, zero: true) { case .success(let l): rule.byMinute = l; case .failure(let e): return .failure(e) }
            case "BYSECOND":
                switch list(key, v, 0...60, zero: true) {
                case .success(let l) where l.allSatisfy { $0 == 0 }: break
                case .success: return .failure(RecurrenceError("RRULE : BYSECOND autre que 0 n’est pas pris en charge (Relais compte en minutes)"))
                case .failure(let e): return .failure(e)
                }
            case "BYSETPOS":
                switch list(key, v, -366...366) { case .success(let l): rule.bySetPos = l; case .failure(let e): return .failure(e) }
            case "RSCALE", "SKIP":
                return .failure(RecurrenceError("RRULE : \(key) (calendriers non grégoriens, RFC 7529) n’est pas pris en charge"))
            default:
                if key.hasPrefix("X-") { continue }
                return .failure(RecurrenceError("RRULE : partie inconnue « \(key.prefix(20)) »"))
            }
        }
        if rule.count != nil && rule.until != nil {
            return .failure(RecurrenceError("RRULE : COUNT et UNTIL ne peuvent pas être donnés ensemble"))
        }
        return .success(rule)
    }

    /// A signed decimal integer of at most 10 digits, within `range`; nil otherwise (never overflows).
    static func integer(_ s: some StringProtocol, _ range: ClosedRange<Int>) -> Int? {
        var body = Substring(s).utf8[...]
        var negative = false
        if let f = body.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") {
            negative = f == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.count <= 10 else { return nil }
        var v = 0
        for c in body {
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        if negative { v = -v }
        return range.contains(v) ? v : nil
    }

    /// The rule written back in RFC 5545 syntax.
    public var description: String {
        var parts = ["FREQ=\(frequency.name)"]
        if let until { parts.append("UNTIL=\(until)") }
        if let count { parts.append("COUNT=\(count)") }
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        func l(_ k: String, _ v: [Int]) { if !v.isEmpty { parts.append(k + "=" + v.map(String.init).joined(separator: ",")) } }
        l("BYMONTH", byMonth)
        l("BYWEEKNO", byWeekNo)
        l("BYYEARDAY", byYearDay)
        l("BYMONTHDAY", byMonthDay)
        if !byDay.isEmpty {
            parts.append("BYDAY=" + byDay.map { ($0.ordinal.map(String.init) ?? "") + Self.dayName($0.weekday) }.joined(separator: ","))
        }
        l("BYHOUR", byHour)
        l("BYMINUTE", byMinute)
        l("BYSETPOS", bySetPos)
        if weekStart != 1 { parts.append("WKST=\(Self.dayName(weekStart))") }
        return parts.joined(separator: ";")
    }
}

/// What an expansion produced: occurrences in order, and whether the limit or the
/// work budget cut it short.
public struct RecurrenceExpansion: Sendable, Hashable {
    public var occurrences: [LocalDateTime]
    public var truncated: Bool
    public init(occurrences: [LocalDateTime] = [], truncated: Bool = false) {
        self.occurrences = occurrences
        self.truncated = truncated
    }
}

/// Expands recurrence rules into dated occurrences within a window.
///
/// Work is linear in the periods (years, months, weeks, days…) between the first
/// period that can reach the window and the window's end: without `COUNT`, the
/// periods before the window are skipped arithmetically; with `COUNT`, they are
/// counted from DTSTART. Both are bounded: at most `limit` occurrences (5,000 by
/// default) and ``workBudget`` candidate days, past which the expansion stops and
/// says it was truncated. A hostile `COUNT=1000000000` or an unbounded rule
/// therefore costs no more than the window asked for.
public enum Recurrence {
    public static let defaultLimit = 5000
    /// Candidate days examined at most by one expansion.
    public static let workBudget = 500_000

    /// The occurrences of `rule` from `start` (DTSTART, wall-clock time of its zone)
    /// that fall within `from…through`, plus `rdates`, minus `exdates`.
    ///
    /// - Parameters:
    ///   - startIsOccurrence: RFC 5545: DTSTART is always the first occurrence and counts
    ///     for `COUNT`, even when the rule does not select it. `false` follows python-
    ///     dateutil, which yields only what the rule selects.
    ///   - localTimeOfUTC: converts a UTC `UNTIL` to DTSTART's wall-clock time (identity for floating times).
    public static func expand(
        _ rule: RecurrenceRule, start: LocalDateTime, from: LocalDateTime, through: LocalDateTime,
        limit: Int = defaultLimit, rdates: [LocalDateTime] = [], exdates: [LocalDateTime] = [],
        startIsOccurrence: Bool = true, localTimeOfUTC: (LocalDateTime) -> LocalDateTime = { $0 }
    ) -> RecurrenceExpansion {
        // Bounds for callers that pass anything: dates of years 1…9999, at most a million occurrences.
        let limit = min(max(0, limit), 1_000_000)
        let first = LocalDateTime(date: LocalDate(year: 1, month: 1, day: 1), minutes: 0)
        let last = LocalDateTime(date: LocalDate(year: 9999, month: 12, day: 31), minutes: 1439)
        guard start >= first, start <= last, start.date.isValid else { return RecurrenceExpansion() }
        let from = max(from, first), through = min(through, last)
        let rdates = rdates.prefix(100_000), exdates = exdates.prefix(100_000)
        var expander = Expander(rule: rule, start: start, localTimeOfUTC: localTimeOfUTC)
        var result = expander.run(from: from, through: through, limit: limit + rdates.count + exdates.count, startIsOccurrence: startIsOccurrence)
        if !rdates.isEmpty || !exdates.isEmpty {
            let ex = Set(exdates)
            var all = Set(result.occurrences)
            for r in rdates where r >= from && r <= through { all.insert(r) }
            result.occurrences = all.filter { !ex.contains($0) }.sorted()
        }
        if result.occurrences.count > limit {
            result.occurrences.removeLast(result.occurrences.count - limit)
            result.truncated = true
        }
        return result
    }

    /// The same, with UTC `UNTIL` values read in `zone` (nil: floating time).
    public static func expand(
        _ rule: RecurrenceRule, start: LocalDateTime, zone: CivilZone?, from: LocalDateTime, through: LocalDateTime,
        limit: Int = defaultLimit, rdates: [LocalDateTime] = [], exdates: [LocalDateTime] = [], startIsOccurrence: Bool = true
    ) -> RecurrenceExpansion {
        expand(rule, start: start, from: from, through: through, limit: limit, rdates: rdates, exdates: exdates, startIsOccurrence: startIsOccurrence) { t in
            guard let zone else { return t }
            return zone.local(atEpoch: (t.date.dayNumber * 1440 + t.minutes) * 60)
        }
    }

    /// Whether DTSTART is itself selected by the rule (RFC 5545 asks feeds to keep them in step).
    public static func isSynchronized(_ rule: RecurrenceRule, start: LocalDateTime) -> Bool {
        var e = Expander(rule: rule, start: start, localTimeOfUTC: { $0 })
        let r = e.run(from: start, through: start, limit: 1, startIsOccurrence: false)
        return r.occurrences.first == start
    }
}

/// One expansion's state: the rule's selectors with RFC 5545 defaults applied,
/// as flat lookup tables.
struct Expander {
    let rule: RecurrenceRule
    let start: LocalDateTime
    let untilLocal: LocalDateTime?
    var monthMask = [Bool](repeating: false, count: 13)
    let hasMonth: Bool
    var monthDayPos = [Bool](repeating: false, count: 32)
    var monthDayNeg = [Bool](repeating: false, count: 32)
    let hasMonthDay: Bool
    var plainWeekday = [Bool](repeating: false, count: 8)
    /// (weekday, ordinal) pairs, for MONTHLY and YEARLY only.
    var nthWeekdays: [(Int, Int)] = []
    let hasWeekday: Bool
    var yearDayPos = [Bool](repeating: false, count: 367)
    var yearDayNeg = [Bool](repeating: false, count: 367)
    let hasYearDay: Bool
    let weekNos: Set<Int>
    /// Hours and minutes of day-level frequencies (sorted); for HOURLY/MINUTELY, filters (empty = any).
    let hours: [Int]
    let minutes: [Int]
    let setPos: [Int]
    /// Ordinals count within the month (MONTHLY, or YEARLY with BYMONTH) or the year.
    let nthInMonth: Bool
    /// INTERVAL and WKST clamped, for rules built in code rather than parsed.
    let interval: Int
    let weekStart: Int

    init(rule: RecurrenceRule, start: LocalDateTime, localTimeOfUTC: (LocalDateTime) -> LocalDateTime) {
        self.rule = rule
        interval = min(max(1, rule.interval), RecurrenceRule.maxInterval)
        weekStart = (1...7).contains(rule.weekStart) ? rule.weekStart : 1
        self.start = start
        switch rule.until {
        case .none: untilLocal = nil
        case .date(let d)?: untilLocal = LocalDateTime(date: d, minutes: 1439)  // a DATE bound includes its whole day
        case .local(let t)?: untilLocal = t
        case .utc(let t)?: untilLocal = localTimeOfUTC(t)
        }
        var byMonth = rule.byMonth
        var byMonthDay = rule.byMonthDay
        var plain: [Int] = []
        var nth: [(Int, Int)] = []
        for d in rule.byDay {
            if let n = d.ordinal, rule.frequency <= .monthly { nth.append((d.weekday, n)) } else { plain.append(d.weekday) }
        }
        if rule.byWeekNo.isEmpty && rule.byYearDay.isEmpty && rule.byMonthDay.isEmpty && rule.byDay.isEmpty {
            switch rule.frequency {
            case .yearly:
                if byMonth.isEmpty { byMonth = [start.date.month] }
                byMonthDay = [start.date.day]
            case .monthly:
                byMonthDay = [start.date.day]
            case .weekly:
                plain = [start.date.weekday]
            default:
                break
            }
        }
        for m in byMonth where (1...12).contains(m) { monthMask[m] = true }
        hasMonth = !byMonth.isEmpty
        for d in byMonthDay where d != 0 && abs(d) <= 31 {
            if d > 0 { monthDayPos[d] = true } else { monthDayNeg[-d] = true }
        }
        hasMonthDay = !byMonthDay.isEmpty
        for w in plain where (1...7).contains(w) { plainWeekday[w] = true }
        nthWeekdays = nth
        hasWeekday = !plain.isEmpty || !nth.isEmpty
        for d in rule.byYearDay where d != 0 && abs(d) <= 366 {
            if d > 0 { yearDayPos[d] = true } else { yearDayNeg[-d] = true }
        }
        hasYearDay = !rule.byYearDay.isEmpty
        weekNos = Set(rule.byWeekNo)
        if rule.byHour.isEmpty {
            hours = rule.frequency < .hourly ? [start.minutes / 60] : []
        } else {
            hours = Array(Set(rule.byHour)).sorted()
        }
        if rule.byMinute.isEmpty {
            minutes = rule.frequency < .minutely ? [start.minutes % 60] : []
        } else {
            minutes = Array(Set(rule.byMinute)).sorted()
        }
        setPos = rule.bySetPos
        nthInMonth = rule.frequency == .monthly || (rule.frequency == .yearly && !byMonth.isEmpty)
    }

    // MARK: Periods

    func weekStart(of d: LocalDate) -> LocalDate {
        d.adding(days: -((d.weekday - weekStart + 7) % 7))
    }

    /// Index of the period holding `t`, counted in the rule's unit (years, months, weeks, days, hours, minutes).
    func unitIndex(_ t: LocalDateTime) -> Int {
        switch rule.frequency {
        case .yearly: return t.date.year
        case .monthly: return t.date.year * 12 + t.date.month - 1
        case .weekly: return Self.floorDiv(weekStart(of: t.date).dayNumber, 7)
        case .daily: return t.date.dayNumber
        case .hourly: return t.date.dayNumber * 24 + t.minutes / 60
        case .minutely: return t.date.dayNumber * 1440 + t.minutes
        }
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : (a - b + 1) / b }

    /// The first instant of period `k` (k intervals after DTSTART's period), and its candidate days.
    func period(_ k: Int) -> (start: LocalDateTime, days: [LocalDate])? {
        let step = k * interval
        switch rule.frequency {
        case .yearly:
            let y = start.date.year + step
            guard y <= 9999 else { return nil }
            var days: [LocalDate] = []
            for m in 1...12 where !hasMonth || monthMask[m] {
                for d in 1...LocalDate.daysIn(month: m, year: y) { days.append(LocalDate(year: y, month: m, day: d)) }
            }
            return (LocalDateTime(date: LocalDate(year: y, month: 1, day: 1), minutes: 0), days)
        case .monthly:
            let idx = start.date.year * 12 + start.date.month - 1 + step
            let y = Self.floorDiv(idx, 12), m = idx - y * 12 + 1
            guard y <= 9999 else { return nil }
            let first = LocalDate(year: y, month: m, day: 1)
            if hasMonth && !monthMask[m] { return (LocalDateTime(date: first, minutes: 0), []) }
            return (LocalDateTime(date: first, minutes: 0), (1...first.daysInMonth).map { LocalDate(year: y, month: m, day: $0) })
        case .weekly:
            let first = weekStart(of: start.date).adding(days: 7 * step)
            guard first.year <= 9999 else { return nil }
            return (LocalDateTime(date: first, minutes: 0), (0..<7).map { first.adding(days: $0) })
        case .daily:
            let d = start.date.adding(days: step)
            guard d.year <= 9999 else { return nil }
            return (LocalDateTime(date: d, minutes: 0), [d])
        case .hourly:
            let h = start.date.dayNumber * 24 + start.minutes / 60 + step
            let day = Self.floorDiv(h, 24)
            let d = LocalDate(dayNumber: day)
            guard d.year <= 9999 else { return nil }
            return (LocalDateTime(date: d, minutes: (h - day * 24) * 60), [d])
        case .minutely:
            let mins = start.date.dayNumber * 1440 + start.minutes + step
            let day = Self.floorDiv(mins, 1440)
            let d = LocalDate(dayNumber: day)
            guard d.year <= 9999 else { return nil }
            return (LocalDateTime(date: d, minutes: mins - day * 1440), [d])
        }
    }

    // MARK: Day selection

    func dayMatches(_ d: LocalDate) -> Bool {
        if hasMonth && !monthMask[d.month] { return false }
        let dim = d.daysInMonth
        if hasMonthDay && !(monthDayPos[d.day] || monthDayNeg[dim - d.day + 1]) { return false }
        let yearLength = LocalDate.isLeap(d.year) ? 366 : 365
        let doy = d.dayNumber - LocalDate(year: d.year, month: 1, day: 1).dayNumber + 1
        if hasYearDay && !(yearDayPos[doy] || yearDayNeg[yearLength - doy + 1]) { return false }
        if !weekNos.isEmpty {
            let (w, weeks) = weekNumber(d)
            if !(weekNos.contains(w) || weekNos.contains(w - weeks - 1)) { return false }
        }
        if hasWeekday {
            let wd = d.weekday
            if !plainWeekday[wd] {
                var hit = false
                for (weekday, n) in nthWeekdays where weekday == wd {
                    if nthInMonth {
                        if n > 0 ? (d.day - 1) / 7 + 1 == n : -((dim - d.day) / 7 + 1) == n { hit = true; break }
                    } else {
                        if n > 0 ? (doy - 1) / 7 + 1 == n : -((yearLength - doy) / 7 + 1) == n { hit = true; break }
                    }
                }
                if !hit { return false }
            }
        }
        return true
    }

    /// Week number of `d` in its week-numbering year (weeks start on WKST; week 1
    /// holds at least four days of the year, i.e. January 4th), and that year's number of weeks.
    func weekNumber(_ d: LocalDate) -> (Int, Int) {
        func week1(_ y: Int) -> LocalDate { weekStart(of: LocalDate(year: y, month: 1, day: 4)) }
        var y = d.year
        if d >= week1(y + 1) { y += 1 } else if d < week1(y) { y -= 1 }
        let w1 = week1(y)
        return ((d.dayNumber - w1.dayNumber) / 7 + 1, (week1(y + 1).dayNumber - w1.dayNumber) / 7)
    }

    /// The candidate times of a period, in order, before BYSETPOS.
    func candidates(_ p: (start: LocalDateTime, days: [LocalDate])) -> [LocalDateTime] {
        var out: [LocalDateTime] = []
        switch rule.frequency {
        case .yearly, .monthly, .weekly, .daily:
            for d in p.days where dayMatches(d) {
                for h in hours { for m in minutes { out.append(LocalDateTime(date: d, minutes: h * 60 + m)) } }
            }
        case .hourly:
            guard let d = p.days.first, dayMatches(d) else { return [] }
            let h = p.start.minutes / 60
            guard hours.isEmpty || hours.contains(h) else { return [] }
            for m in minutes { out.append(LocalDateTime(date: d, minutes: h * 60 + m)) }
        case .minutely:
            guard let d = p.days.first, dayMatches(d) else { return [] }
            let h = p.start.minutes / 60, m = p.start.minutes % 60
            guard hours.isEmpty || hours.contains(h), minutes.isEmpty || minutes.contains(m) else { return [] }
            out.append(p.start)
        }
        guard !setPos.isEmpty, !out.isEmpty else { return out }
        var picked = Set<Int>()
        for pos in setPos {
            let i = pos > 0 ? pos - 1 : out.count + pos
            if i >= 0 && i < out.count { picked.insert(i) }
        }
        return picked.sorted().map { out[$0] }
    }

    // MARK: Running

    mutating func run(from: LocalDateTime, through: LocalDateTime, limit: Int, startIsOccurrence: Bool) -> RecurrenceExpansion {
        var result = RecurrenceExpansion()
        guard from <= through else { return result }
        var produced = 0
        var startPending = startIsOccurrence
        var stopped = false

        /// Emits one occurrence; false when the expansion is over.
        func emit(_ c: LocalDateTime) -> Bool {
            if let u = untilLocal, c > u { return false }
            if let count = rule.count, produced >= count { return false }
            produced += 1
            if c > through { return false }
            if c >= from {
                guard result.occurrences.count < limit else {
                    result.truncated = true
                    return false
                }
                result.occurrences.append(c)
            }
            return true
        }

        var k = 0
        if rule.count == nil && from > start {
            // Without COUNT nothing before the window matters: jump to the period that holds `from`.
            let skip = (unitIndex(from) - unitIndex(start)) / interval - 1
            if skip > 0 { k = skip }
            startPending = false
        }
        var work = 0
        while !stopped {
            guard let p = period(k) else { break }
            if p.start > through { break }
            if let u = untilLocal, p.start > u { break }
            work += max(1, p.days.count)
            if work > Recurrence.workBudget {
                result.truncated = true
                break
            }
            for c in candidates(p) where c >= start {
                if startPending {
                    startPending = false
                    if c != start, !emit(start) { stopped = true; break }
                }
                if !emit(c) { stopped = true; break }
            }
            k += 1
        }
        if startPending && !stopped { _ = emit(start) }
        return result
    }
}
