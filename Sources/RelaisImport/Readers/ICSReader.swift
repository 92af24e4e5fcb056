import Foundation
import RelaisModel
import RelaisNormalize
import RelaisStore

/// iCalendar (RFC 5545) feeds: folded lines, escaped text, `TZID=Europe/Paris`,
/// UTC and floating times, all-day events (DTEND exclusive), `RRULE` (WEEKLY
/// and MONTHLY with `BYDAY` such as `-1TH` or `1TU,3TU`, `INTERVAL`, `UNTIL`,
/// `COUNT`), `RDATE`, `EXDATE`, `DURATION`, `STATUS:CANCELLED`.
///
/// A recurring event becomes a listing with a recurring schedule; dated events
/// become listings with sessions; VEVENTs linked by `RELATED-TO` are one
/// session of several days. Cancelled and past events are left out.
struct ICSReader: FormatReader {
    struct Property {
        var name: String
        var params: [String: String]
        var value: String
    }

    struct Event {
        var props: [Property] = []
        var line: Int
        func first(_ n: String) -> Property? { props.first { $0.name == n } }
        func all(_ n: String) -> [Property] { props.filter { $0.name == n } }
        func text(_ n: String) -> String? { first(n).map { ICSReader.unescape($0.value) } }
    }

    static func unfold(_ text: String) -> [(String, Int)] {
        var out: [(String, Int)] = []
        var line = 0
        for raw in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            if let f = raw.first, f == " " || f == "\t", !out.isEmpty {
                out[out.count - 1].0 += raw.dropFirst()
            } else if !raw.isEmpty {
                out.append((String(raw), line))
            }
        }
        return out
    }

    static func parseLine(_ l: String) -> Property? {
        // NAME;PARAM=V;PARAM="V:W":VALUE — the first colon outside quotes ends the parameters.
        var inQuotes = false
        var colon: String.Index?
        for i in l.indices {
            if l[i] == "\"" { inQuotes.toggle() }
            if l[i] == ":" && !inQuotes { colon = i; break }
        }
        guard let colon else { return nil }
        let head = l[..<colon].split(separator: ";").map(String.init)
        guard let name = head.first?.uppercased() else { return nil }
        var params: [String: String] = [:]
        for p in head.dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { params[kv[0].uppercased()] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return Property(name: name, params: params, value: String(l[l.index(after: colon)...]))
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escape = false
        for c in s {
            if escape {
                switch c {
                case "n", "N": out.append("\n")
                default: out.append(c)
                }
                escape = false
            } else if c == "\\" {
                escape = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// A DATE or DATE-TIME value as Paris wall-clock time (UTC converted, floating and
    /// TZID=Europe/Paris taken as is).
    static func time(_ value: String, params: [String: String]) -> (LocalDateTime, allDay: Bool)? {
        let v = value.trimmingCharacters(in: .whitespaces)
        guard let date = LocalDate(iso: v.prefix(8)) else { return nil }
        if params["VALUE"] == "DATE" || v.count == 8 { return (LocalDateTime(date: date, minutes: 0), true) }
        let t = v.dropFirst(9)
        guard t.count >= 4, let h = Int(t.prefix(2)), let m = Int(t.dropFirst(2).prefix(2)) else { return nil }
        let wall = LocalDateTime(date: date, hour: h, minute: m)
        if v.hasSuffix("Z") { return (ParisTime.local(atEpoch: (wall.date.dayNumber * 1440 + wall.minutes) * 60), false) }
        return (wall, false)
    }

    static func duration(_ s: String) -> Int? {
        // PT7H30M, P1D, PT90M → minutes.
        var minutes = 0
        var number = ""
        var inTime = false
        for c in s.uppercased() {
            if c.isNumber { number.append(c); continue }
            let n = Int(number) ?? 0
            number = ""
            guard n <= 1_000_000 else { return nil }  // n * 43200 must not overflow
            switch c {
            case "P": break
            case "T": inTime = true
            case "W": minutes += n * 7 * 1440
            case "D": minutes += n * 1440
            case "H": minutes += n * 60
            case "M": minutes += inTime ? n : n * 43200
            case "S": break
            default: return nil
            }
            if minutes > 366 * 1440 { return nil }  // more than a year is not the length of a session
        }
        return minutes
    }

    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult {
        guard let d = payload.documents.first else { return ReadResult() }
        let text = try self.text(d, ctx)
        let lines = Self.unfold(text)
        guard lines.first?.0.uppercased().hasPrefix("BEGIN:VCALENDAR") == true else {
            throw ReadError("\(d.url) : ce n’est pas un fichier iCalendar (BEGIN:VCALENDAR attendu en tête)")
        }
        var events: [Event] = []
        var current: Event?
        var depth: [String] = []
        for (l, n) in lines {
            guard let p = Self.parseLine(l) else { continue }
            if p.name == "BEGIN" {
                depth.append(p.value.uppercased())
                if p.value.uppercased() == "VEVENT" { current = Event(line: n) }
                continue
            }
            if p.name == "END" {
                if p.value.uppercased() == "VEVENT", let e = current { events.append(e); current = nil }
                _ = depth.popLast()
                continue
            }
            if depth.last == "VEVENT" { current?.props.append(p) }
        }
        guard depth.isEmpty else { throw ReadError("\(d.url) : iCalendar tronqué (BEGIN sans END)") }

        var result = ReadResult()
        // Siblings (RELATED-TO) form one multi-day session.
        var groups: [(key: String, events: [Event])] = []
        for e in events {
            if e.text("STATUS")?.uppercased() == "CANCELLED" {
                result.skipped += 1
                continue
            }
            let key = e.first("RELATED-TO")?.value ?? e.text("UID") ?? "ligne-\(e.line)"
            if let i = groups.firstIndex(where: { $0.key == key }) { groups[i].events.append(e) } else { groups.append((key, [e])) }
        }
        for (key, group) in groups {
            if let r = record(key: key, group, ctx: ctx, result: &result) { result.records.append(r) }
        }
        return result
    }

    func record(key: String, _ group: [Event], ctx: ReaderContext, result: inout ReadResult) -> RawRecord? {
        let first = group[0]
        let item = "VEVENT ligne \(first.line)"
        guard let dtstart = first.first("DTSTART"), let (start, allDay) = Self.time(dtstart.value, params: dtstart.params) else {
            result.issues.append(RunIssue(item: item, field: "DTSTART", reason: "missing or unreadable DTSTART", severity: .rejected))
            return nil
        }
        var r = RawRecord(item: item)
        r.id = key
        var summary = first.text("SUMMARY") ?? ""
        if group.count > 1 {
            // "Atelier Prospect – Bordeaux (journée 1/3)" → "Atelier Prospect – Bordeaux"
            summary = summary.replacingOccurrences(of: #"\s*\((journée|jour|séance|session)[^)]*\)\s*$"#, with: "", options: [.regularExpression, .caseInsensitive])
        }
        r.name = summary
        let description = first.text("DESCRIPTION")
        r.description = description
        r.kind = ctx.normalizer.classify(summary) ?? ctx.normalizer.classify(first.text("CATEGORIES")) ?? ctx.manifest.kind
        r.kindHint = first.text("CATEGORIES")
        let audienceSource = [summary, first.text("CATEGORIES")].compactMap { $0 }.joined(separator: " ")
        r.audiences = RecordNormalizer.audiences(in: audienceSource)
        if let desc = description {
            r.phones = [desc]
            r.emails = [desc]
        }
        r.website = first.text("URL")
        if let loc = first.text("LOCATION") {
            let f = Text.fold(loc)
            if f.hasPrefix("en ligne") || f.contains("visio") || f.hasPrefix("online") || f.contains("webinaire") {
                r.virtual = true
                r.modalities = [.en_ligne]
            } else {
                r.addressText = loc.replacingOccurrences(of: ";", with: ",")
                let parts = AddressText.split(r.addressText!)
                r.placeName = parts.complement
            }
        }
        if let geo = first.text("GEO")?.split(separator: ";"), geo.count == 2 {
            r.latitude = Double(geo[0])
            r.longitude = Double(geo[1])
        }
        func endOf(_ e: Event, start: LocalDateTime, allDay: Bool) -> LocalDateTime? {
            if let p = e.first("DTEND"), let (end, _) = Self.time(p.value, params: p.params) { return end }
            if let dur = e.text("DURATION").flatMap(Self.duration) { return LocalDateTime(date: start.date, minutes: start.minutes + dur) }
            return allDay ? nil : nil
        }
        if let rrule = first.text("RRULE") {
            guard var rule = Self.rule(rrule, start: start, end: endOf(first, start: start, allDay: allDay)) else {
                result.issues.append(RunIssue(item: item, field: "RRULE", reason: "unsupported RRULE \(rrule): kept as one dated session", severity: .warning))
                r.sessions = [Session(key: key, title: summary, occurrences: [Occurrence(start: start, end: endOf(first, start: start, allDay: allDay), allDay: allDay)])]
                return r
            }
            if rule.count != nil {
                // A finite series: dated sessions.
                rule.anchor = start.date
                let occ = ScheduleEvaluator(Schedule(rules: [rule])).occurrences(from: start.date, days: 3700)
                r.sessions = [Session(key: key, title: summary, occurrences: occ)]
            } else {
                let exdates = first.all("EXDATE").flatMap { p in p.value.split(separator: ",").compactMap { Self.time(String($0), params: p.params)?.0 } }
                if let until = rule.validUntil, until < ctx.today {
                    result.skipped += 1
                    return nil
                }
                r.schedule = Schedule(rules: [rule], exceptions: exdates)
            }
            return r
        }
        // Dated occurrences: each VEVENT of the group, plus RDATEs.
        var occurrences: [Occurrence] = []
        for e in group {
            guard let p = e.first("DTSTART"), let (s, ad) = Self.time(p.value, params: p.params) else { continue }
            let end = endOf(e, start: s, allDay: ad)
            if ad {
                // DTEND is exclusive: one occurrence per day covered.
                let lastDay = end.map { $0.date.adding(days: -1) } ?? s.date
                var day = s.date
                while day <= lastDay {
                    occurrences.append(Occurrence(start: LocalDateTime(date: day, minutes: 0), allDay: true))
                    day = day.adding(days: 1)
                }
            } else {
                occurrences.append(Occurrence(start: s, end: end))
            }
            let length = end.map { ($0.date.dayNumber - s.date.dayNumber) * 1440 + $0.minutes - s.minutes }
            for rd in e.all("RDATE") {
                for v in rd.value.split(separator: ",") {
                    guard let (t, _) = Self.time(String(v), params: rd.params) else { continue }
                    occurrences.append(Occurrence(start: t, end: length.map { LocalDateTime(date: t.date, minutes: t.minutes + $0) }))
                }
            }
            let ex = e.all("EXDATE").flatMap { p in p.value.split(separator: ",").compactMap { Self.time(String($0), params: p.params)?.0 } }
            occurrences.removeAll { ex.contains($0.start) }
        }
        occurrences.sort()
        let lastEnd = occurrences.last.map { $0.end ?? LocalDateTime(date: $0.start.date, minutes: 1439) }
        if let lastEnd, lastEnd < ctx.nowLocal {
            result.skipped += 1
            return nil
        }
        r.sessions = [Session(
            key: key, title: summary, occurrences: occurrences, placeName: r.placeName, online: r.virtual, onsite: !r.virtual,
            registration: r.website)]
        return r
    }

    /// RRULE → schedule rule (WEEKLY or MONTHLY with BYDAY); nil when not supported.
    static func rule(_ text: String, start: LocalDateTime, end: LocalDateTime?) -> ScheduleRule? {
        var parts: [String: String] = [:]
        for kv in text.split(separator: ";") {
            let p = kv.split(separator: "=", maxSplits: 1)
            if p.count == 2 { parts[p[0].uppercased()] = String(p[1]) }
        }
        guard let freq = parts["FREQ"]?.uppercased(), freq == "WEEKLY" || freq == "MONTHLY" else { return nil }
        var days: [WeekdaySelector] = []
        if let byday = parts["BYDAY"] {
            for d in byday.split(separator: ",") {
                let t = d.uppercased()
                guard let wd = WeekdaySelector.icalNames.firstIndex(of: String(t.suffix(2))) else { return nil }
                let n = Int(t.dropLast(2))
                if freq == "MONTHLY", n == nil { return nil }  // "every Tuesday of the month": not a monthly rank
                if let n, let k = days.firstIndex(where: { $0.weekday == wd + 1 && !$0.nth.isEmpty }) {
                    days[k].nth.append(n)
                } else {
                    days.append(WeekdaySelector(weekday: wd + 1, nth: n.map { [$0] } ?? []))
                }
            }
        } else if freq == "WEEKLY" {
            days = [WeekdaySelector(weekday: start.date.weekday)]
        } else {
            return nil  // BYMONTHDAY and the like
        }
        var rule = ScheduleRule(days: days, times: [TimeSpan(open: start.minutes, close: end.map { $0.minutes })])
        rule.interval = Int(parts["INTERVAL"] ?? "1") ?? 1
        rule.anchor = start.date
        rule.validFrom = start.date
        if let until = parts["UNTIL"], let (u, allDay) = time(until, params: [:]) {
            // An occurrence counts if it starts at or before UNTIL.
            rule.validUntil = allDay || u.minutes >= start.minutes ? u.date : u.date.adding(days: -1)
        }
        if let c = parts["COUNT"].flatMap({ Int($0) }) { rule.count = c }
        if let bymonth = parts["BYMONTH"] { rule.months = bymonth.split(separator: ",").compactMap { Int($0) } }
        return rule
    }
}
