import RelaisModel

/// OpenStreetMap `opening_hours` strings ⇄ ``Schedule``.
///
/// Supported: weekday lists and ranges with nth selectors (`Tu[1,3]`, `Th[-1]`),
/// `PH`, month lists and ranges (`Oct-Jun`, `Aug off`), specific dates
/// (`2027 Jan 16`), time spans with open ends (`14:30+`) and spans past
/// midnight, `off`/`closed`, `24/7`, normal (`;`) and additional (`,`) rules.
/// Anything else is refused with a reason: a string that is not understood is
/// never half-read.
public enum OpeningHours {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    // MARK: Parsing

    public static func parse(_ raw: String) throws -> Schedule {
        let text = raw.trimmed
        guard !text.isEmpty else { throw ParseError(description: "empty opening_hours") }
        var rules: [ScheduleRule] = []
        for (ruleText, additive) in splitRules(text) {
            rules.append(try parseRule(ruleText, additive: additive))
        }
        return Schedule(rules: rules)
    }

    /// Whether a string is a valid `opening_hours` value (in the supported subset).
    public static func isValid(_ raw: String) -> Bool { (try? parse(raw)) != nil }

    /// Splits at `;` / `||` (normal rules) and at `, ` when what follows starts a new
    /// selector rather than another time span or day (additional rules).
    static func splitRules(_ text: String) -> [(String, Bool)] {
        var out: [(String, Bool)] = []
        for (i, part) in text.replacingOccurrences(of: "||", with: ";").split(separator: ";", omittingEmptySubsequences: true).enumerated() {
            _ = i
            let chunk = part.trimmingCharacters(in: .whitespaces)
            guard !chunk.isEmpty else { continue }
            // Additional rule: "Mo 10:00-12:00, We 14:00-16:00"
            var pieces: [String] = []
            var current = ""
            let chars = Array(chunk)
            var j = 0
            while j < chars.count {
                let c = chars[j]
                if c == ",", j + 1 < chars.count, chars[j + 1] == " " {
                    let rest = String(chars[(j + 1)...]).trimmingCharacters(in: .whitespaces)
                    let endsWithTime = current.last.map { $0.isNumber || $0 == "+" } ?? false
                    if endsWithTime, let f = rest.first, f.isLetter {
                        pieces.append(current)
                        current = ""
                        j += 1
                        continue
                    }
                }
                current.append(c)
                j += 1
            }
            pieces.append(current)
            for (k, p) in pieces.enumerated() {
                let t = p.trimmingCharacters(in: .whitespaces)
                if !t.isEmpty { out.append((t, k > 0)) }
            }
        }
        return out
    }

    static func parseRule(_ text: String, additive: Bool) throws -> ScheduleRule {
        var rule = ScheduleRule(additive: additive)
        var tokens = text.split(separator: " ").map(String.init)
        // Comments in quotes are not supported as rules: refuse rather than guess.
        if text.contains("\"") { throw ParseError(description: "comments are not supported: \(text)") }
        if tokens == ["24/7"] {
            rule.times = [TimeSpan(open: 0, close: 1440)]
            return rule
        }
        // Year + month + day: a specific date.
        if let first = tokens.first, first.count == 4, let year = Int(first), tokens.count >= 3,
            let m = monthNames.firstIndex(of: tokens[1]), let d = Int(tokens[2])
        {
            rule.dates = [LocalDate(year: year, month: m + 1, day: d)]
            tokens.removeFirst(3)
        }
        var consumedTimes = false
        for token in tokens {
            if token == "off" || token == "closed" {
                rule.off = true
                continue
            }
            if token == "open" { continue }
            if let first = token.first, first.isNumber {
                rule.times += try parseTimes(token)
                consumedTimes = true
                continue
            }
            guard !consumedTimes else { throw ParseError(description: "unexpected '\(token)' after the times in '\(text)'") }
            if let months = parseMonths(token) {
                guard rule.months.isEmpty, rule.days.isEmpty else { throw ParseError(description: "misplaced months '\(token)'") }
                rule.months = months
                continue
            }
            let (days, ph) = try parseWeekdays(token)
            rule.days += days
            rule.publicHolidays = rule.publicHolidays || ph
        }
        if rule.times.isEmpty && !rule.off {
            // "Mo-Fr" alone means open all day in OSM; for us it says nothing of the hours.
            throw ParseError(description: "no times in rule '\(text)'")
        }
        return rule
    }

    static func parseMonths(_ token: String) -> [Int]? {
        var months: [Int] = []
        for part in token.split(separator: ",") {
            let ends = part.split(separator: "-").map(String.init)
            guard let a = monthNames.firstIndex(of: ends[0]) else { return nil }
            if ends.count == 1 {
                months.append(a + 1)
            } else if ends.count == 2, let b = monthNames.firstIndex(of: ends[1]) {
                var m = a
                while true {
                    months.append(m + 1)
                    if m == b { break }
                    m = (m + 1) % 12
                }
            } else {
                return nil
            }
        }
        return months
    }

    static func parseWeekdays(_ token: String) throws -> ([WeekdaySelector], Bool) {
        var out: [WeekdaySelector] = []
        var ph = false
        // Split at commas outside brackets.
        var parts: [String] = []
        var depth = 0
        var cur = ""
        for c in token {
            if c == "[" { depth += 1 }
            if c == "]" { depth -= 1 }
            if c == ",", depth == 0 {
                parts.append(cur)
                cur = ""
            } else {
                cur.append(c)
            }
        }
        parts.append(cur)
        for part in parts {
            if part == "PH" {
                ph = true
                continue
            }
            var nth: [Int] = []
            var body = part
            if let open = part.firstIndex(of: "["), part.hasSuffix("]") {
                body = String(part[..<open])
                let inner = part[part.index(after: open)..<part.index(before: part.endIndex)]
                for n in inner.split(separator: ",") {
                    let ends = n.split(separator: "-", omittingEmptySubsequences: false)
                    if ends.count == 1 || (ends.count == 2 && ends[0].isEmpty) {
                        guard let v = Int(n), v != 0, (-5...5).contains(v) else { throw ParseError(description: "bad nth '\(n)'") }
                        nth.append(v)
                    } else if ends.count == 2, let a = Int(ends[0]), let b = Int(ends[1]), a >= 1, b <= 5, a <= b {
                        nth += Array(a...b)
                    } else {
                        throw ParseError(description: "bad nth '\(n)'")
                    }
                }
            }
            let ends = body.split(separator: "-").map(String.init)
            guard let a = WeekdaySelector.osmNames.firstIndex(of: ends[0]) else {
                throw ParseError(description: "unknown selector '\(part)'")
            }
            if ends.count == 1 {
                out.append(WeekdaySelector(weekday: a + 1, nth: nth))
            } else if ends.count == 2, let b = WeekdaySelector.osmNames.firstIndex(of: ends[1]), nth.isEmpty {
                var d = a
                while true {
                    out.append(WeekdaySelector(weekday: d + 1))
                    if d == b { break }
                    d = (d + 1) % 7
                }
            } else {
                throw ParseError(description: "bad weekday range '\(part)'")
            }
        }
        return (out, ph)
    }

    static func parseTimes(_ token: String) throws -> [TimeSpan] {
        try token.split(separator: ",").map { span in
            if span.hasSuffix("+") {
                let o = try minutes(span.dropLast())
                guard o < 24 * 60 else { throw ParseError(description: "bad opening time '\(span)'") }
                return TimeSpan(open: o, close: nil)
            }
            let ends = span.split(separator: "-")
            guard ends.count == 2 else { throw ParseError(description: "bad time span '\(span)'") }
            let o = try minutes(ends[0]), c = try minutes(ends[1])
            guard o < 24 * 60 else { throw ParseError(description: "bad opening time '\(ends[0])'") }
            return TimeSpan(open: o, close: c)
        }
    }

    static func minutes(_ s: Substring) throws -> Int {
        let parts = s.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            (0...48).contains(h), (0..<60).contains(m)
        else { throw ParseError(description: "bad time '\(s)'") }
        return h * 60 + m
    }

    // MARK: Formatting

    /// The canonical OSM string, or nil when a rule carries a recurrence OSM
    /// cannot say (every other week, a count, validity dates).
    public static func format(_ schedule: Schedule) -> String? {
        guard !schedule.rules.isEmpty else { return nil }
        var parts: [(String, Bool)] = []
        for rule in schedule.rules {
            guard rule.interval == 1, rule.count == nil else { return nil }
            parts.append((format(rule), rule.additive))
        }
        var out = ""
        for (i, p) in parts.enumerated() {
            if i > 0 { out += p.1 ? ", " : "; " }
            out += p.0
        }
        return out
    }

    public static func format(_ rule: ScheduleRule) -> String {
        if rule.days.isEmpty, rule.months.isEmpty, rule.dates.isEmpty, !rule.publicHolidays, !rule.off, rule.times == [TimeSpan(open: 0, close: 1440)] {
            return "24/7"
        }
        var pieces: [String] = []
        if !rule.dates.isEmpty {
            pieces.append(rule.dates.map { "\($0.year) \(monthNames[$0.month - 1]) \(pad($0.day))" }.joined(separator: ","))
        } else {
            if !rule.months.isEmpty { pieces.append(formatMonths(rule.months)) }
            var sel = formatDays(rule.days)
            if rule.publicHolidays { sel = sel.isEmpty ? "PH" : sel + ",PH" }
            if !sel.isEmpty { pieces.append(sel) }
        }
        if rule.off {
            pieces.append("off")
        } else {
            pieces.append(rule.times.map { t in
                t.close.map { "\(TimeSpan.hhmm(t.open))-\(TimeSpan.hhmm($0))" } ?? "\(TimeSpan.hhmm(t.open))+"
            }.joined(separator: ","))
        }
        return pieces.joined(separator: " ")
    }

    static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    static func formatMonths(_ months: [Int]) -> String {
        // Contiguous (wrapping) run → range; otherwise a list.
        let set = Set(months)
        if set.count >= 2, set.count < 12 {
            for start in 1...12 where set.contains(start) && !set.contains(start == 1 ? 12 : start - 1) {
                var run = [start]
                var m = start % 12 + 1
                while set.contains(m) && run.count < 12 {
                    run.append(m)
                    m = m % 12 + 1
                }
                if run.count == set.count {
                    return monthNames[run.first! - 1] + "-" + monthNames[run.last! - 1]
                }
            }
        }
        return months.map { monthNames[$0 - 1] }.joined(separator: ",")
    }

    /// `Mo,Tu,We,Th,Fr` → `Mo-Fr`; nth selectors kept as `Tu[1,3]`.
    public static func formatDays(_ days: [WeekdaySelector]) -> String {
        var parts: [String] = []
        let plain = days.filter { $0.nth.isEmpty }.map(\.weekday)
        let plainSet = Set(plain).sorted()
        var i = 0
        while i < plainSet.count {
            var j = i
            while j + 1 < plainSet.count && plainSet[j + 1] == plainSet[j] + 1 { j += 1 }
            let a = WeekdaySelector.osmNames[plainSet[i] - 1], b = WeekdaySelector.osmNames[plainSet[j] - 1]
            if j - i >= 2 {
                parts.append("\(a)-\(b)")
            } else {
                for k in i...j { parts.append(WeekdaySelector.osmNames[plainSet[k] - 1]) }
            }
            i = j + 1
        }
        for d in days where !d.nth.isEmpty {
            parts.append("\(WeekdaySelector.osmNames[d.weekday - 1])[\(d.nth.map(String.init).joined(separator: ","))]")
        }
        return parts.joined(separator: ",")
    }

    /// RFC 5545 form of a rule (`FREQ=MONTHLY;BYDAY=1TU,3TU`), for HSDS rows and display.
    public static func rrule(_ rule: ScheduleRule) -> String? {
        guard rule.dates.isEmpty, !rule.off, !rule.days.isEmpty else { return nil }
        var parts = [rule.isMonthly ? "FREQ=MONTHLY" : "FREQ=WEEKLY"]
        if rule.interval > 1 { parts.append("INTERVAL=\(rule.interval)") }
        parts.append("BYDAY=" + icalByDay(rule.days))
        if !rule.months.isEmpty { parts.append("BYMONTH=" + rule.months.map(String.init).joined(separator: ",")) }
        if let c = rule.count { parts.append("COUNT=\(c)") }
        if let u = rule.validUntil { parts.append("UNTIL=" + u.description.replacingOccurrences(of: "-", with: "")) }
        return parts.joined(separator: ";")
    }

    public static func icalByDay(_ days: [WeekdaySelector]) -> String {
        days.flatMap { d -> [String] in
            let name = WeekdaySelector.icalNames[d.weekday - 1]
            return d.nth.isEmpty ? [name] : d.nth.map { "\($0)\(name)" }
        }.joined(separator: ",")
    }
}
