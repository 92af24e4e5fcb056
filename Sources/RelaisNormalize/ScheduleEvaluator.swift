import RelaisModel

/// French public holidays (jours fériés): fixed dates plus Easter Monday,
/// Ascension and Whit Monday.
public enum FrenchHolidays {
    public static func easter(_ year: Int) -> LocalDate {
        // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
        let a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4
        let f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: day)
    }

    public static func isHoliday(_ d: LocalDate) -> Bool {
        switch (d.month, d.day) {
        case (1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25): return true
        default: break
        }
        let e = easter(d.year).dayNumber
        return [e + 1, e + 39, e + 50].contains(d.dayNumber)
    }
}

/// Answers "when is it open?" for a ``Schedule``.
public struct ScheduleEvaluator: Sendable {
    public let schedule: Schedule
    private let countLimited: [Int: Set<Int>]  // rule index → allowed day numbers

    public init(_ schedule: Schedule) {
        self.schedule = schedule
        var limited: [Int: Set<Int>] = [:]
        for (i, rule) in schedule.rules.enumerated() {
            guard let count = rule.count, let anchor = rule.anchor else { continue }
            var allowed = Set<Int>()
            var d = anchor
            var guardDays = 0
            while allowed.count < count && guardDays < 3700 {
                if ScheduleEvaluator.matchesIgnoringCount(rule, d) { allowed.insert(d.dayNumber) }
                d = d.adding(days: 1)
                guardDays += 1
            }
            limited[i] = allowed
        }
        self.countLimited = limited
    }

    static func matchesIgnoringCount(_ rule: ScheduleRule, _ d: LocalDate) -> Bool {
        if let from = rule.validFrom, d < from { return false }
        if let until = rule.validUntil, until < d { return false }
        if let anchor = rule.anchor, d < anchor { return false }
        // Dates are a selector like the others: `2027 Dec 25 Sa` is that date if it is a Saturday.
        if !rule.dates.isEmpty && !rule.dates.contains(d) { return false }
        if !rule.months.isEmpty || !rule.monthDays.isEmpty {
            guard rule.months.contains(d.month) || rule.monthDays.contains(where: { $0.contains(d) }) else { return false }
        }
        if !rule.weeks.isEmpty {
            let week = d.isoWeek
            guard rule.weeks.contains(where: { $0.contains(week: week) }) else { return false }
        }
        // Weekdays and holidays of one selector are a union (`Mo-Fr,PH`). School holidays
        // (`SH`) need a school calendar Relais does not have: they never match.
        if !rule.days.isEmpty || rule.publicHolidays || rule.schoolHolidays {
            let dayHit = rule.days.contains { $0.matches(d) } || (rule.publicHolidays && FrenchHolidays.isHoliday(d))
            if !dayHit { return false }
        }
        if rule.interval > 1, let anchor = rule.anchor {
            if rule.isMonthly {
                let months = (d.year * 12 + d.month) - (anchor.year * 12 + anchor.month)
                if months % rule.interval != 0 { return false }
            } else {
                let anchorMonday = anchor.adding(days: 1 - anchor.weekday)
                let weeks = (d.dayNumber - anchorMonday.dayNumber) / 7
                if weeks % rule.interval != 0 { return false }
            }
        }
        return true
    }

    func matches(ruleAt i: Int, _ d: LocalDate) -> Bool {
        let rule = schedule.rules[i]
        guard ScheduleEvaluator.matchesIgnoringCount(rule, d) else { return false }
        if let allowed = countLimited[i] { return allowed.contains(d.dayNumber) }
        return true
    }

    /// Whether a schedule is open at every moment (`24/7`, every day 00:00–24:00, nothing off).
    public static func isAlwaysOpen(_ s: Schedule) -> Bool {
        guard !s.rules.isEmpty, s.exceptions.isEmpty else { return false }
        return s.rules.allSatisfy { r in
            !r.off && r.dates.isEmpty && r.months.isEmpty && r.monthDays.isEmpty && r.weeks.isEmpty && r.validFrom == nil && r.validUntil == nil
                && r.interval == 1 && r.count == nil && (r.days.isEmpty || Set(r.days.filter { $0.nth.isEmpty }.map(\.weekday)) == Set(1...7))
                && r.times.contains { $0.open == 0 && ($0.close ?? 0) >= 1440 }
        }
    }

    /// Opening spans of a date, after OSM override rules.
    public func spans(on d: LocalDate) -> [TimeSpan] {
        var result: [TimeSpan] = []
        for i in schedule.rules.indices where matches(ruleAt: i, d) {
            let rule = schedule.rules[i]
            if rule.off && !rule.times.isEmpty {
                // Closed for part of the day (`2026 Dec 31 18:00-20:00 off`): those spans go.
                result.removeAll { span in rule.times.contains { $0.open == span.open || Self.overlaps($0, span) } }
            } else if rule.off {
                result = []
            } else if rule.additive {
                result += rule.times
            } else {
                result = rule.times
            }
        }
        return result.sorted()
    }

    static func overlaps(_ a: TimeSpan, _ b: TimeSpan) -> Bool {
        let ae = a.close.map { $0 > a.open ? $0 : $0 + 1440 } ?? 1440, be = b.close.map { $0 > b.open ? $0 : $0 + 1440 } ?? 1440
        return a.open < be && b.open < ae
    }

    /// Occurrences starting on the dates from `start` for `days` days, in order,
    /// exception dates removed.
    public func occurrences(from start: LocalDate, days: Int) -> [Occurrence] {
        var out: [Occurrence] = []
        guard !schedule.rules.isEmpty else { return out }
        for n in 0..<max(0, days) {
            let d = start.adding(days: n)
            for span in spans(on: d) {
                let s = LocalDateTime(date: d, minutes: span.open)
                if schedule.exceptions.contains(s) { continue }
                let e = span.close.map { c in
                    // A close at or before the opening time falls on the next day.
                    c > span.open ? LocalDateTime(date: d, minutes: c) : LocalDateTime(date: d.adding(days: 1), minutes: c)
                }
                out.append(Occurrence(start: s, end: e))
            }
        }
        return out
    }

    /// The first occurrence that has not ended at `instant` (an ongoing one counts; one with
    /// an open end, `14:30+`, counts as ongoing until the end of its day), looking at most
    /// `horizonDays` ahead.
    public func next(after instant: LocalDateTime, horizonDays: Int = 400) -> Occurrence? {
        guard !schedule.rules.isEmpty else { return nil }
        // Yesterday too: a span past midnight may still be running.
        var day = instant.date.adding(days: -1)
        for _ in 0...horizonDays {
            for o in occurrences(from: day, days: 1) {
                let end = o.end ?? LocalDateTime(date: o.start.date, minutes: 1440)
                if o.start >= instant || end > instant { return o }
            }
            day = day.adding(days: 1)
        }
        return nil
    }
}
