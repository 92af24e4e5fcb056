import Foundation
import RelaisModel
import RelaisMerge
import RelaisNormalize

/// iCalendar (RFC 5545) feeds, as Outlook, Google, Thunderbird and CMS plugins write them.
///
/// Reading: content lines are unfolded at the byte level (CRLF or LF followed by one
/// space or tab), *then* decoded, since folds may cut a multi-byte UTF-8 character
/// (§3.1). Parameters may be quoted; text values are unescaped (`\,` `\;` `\n` `\\`).
/// Times are UTC (`Z`), floating, or local to a `TZID`: an IANA or Windows name that
/// ``CivilZone/named(_:)`` knows, or the feed's own `VTIMEZONE`, whose observances
/// (TZOFFSETTO, DTSTART, RRULE, RDATE) give the offsets; a VTIMEZONE that behaves like
/// a known zone is read as that zone. Recurrences (`RRULE`, `RDATE`, `EXDATE`) are
/// expanded by ``Recurrence``; `RECURRENCE-ID` overrides move, rename, relocate or
/// cancel one occurrence (highest `SEQUENCE` wins); `STATUS:CANCELLED` cancels a series
/// or one occurrence. All-day events (`VALUE=DATE`, DTEND exclusive) give one dated
/// day per day covered; `DURATION` stands for DTEND.
///
/// What a series becomes:
/// - A rule that ``ScheduleRule`` says exactly (WEEKLY, or MONTHLY by ranked weekdays
///   such as `2TU,4TU` or `-1TH`, with INTERVAL counted from DTSTART, UNTIL, BYMONTH; in
///   Paris time or floating; DTSTART selected by the rule) stays a recurring schedule,
///   EXDATEs as its exceptions.
/// - If such a series has overrides, it is split after the last overridden occurrence:
///   up to it, the occurrences are dated (a session, moved ones with their new time, and
///   a session of their own when their title or place changed; cancelled ones left out);
///   from the next day, the schedule carries on. Both parts are exact, the listing keeps
///   its readable rule (`Tu[2,4] 18:00-20:00`), and whoever lists dated occurrences sees
///   the moved one where it really is.
/// - Anything else (COUNT, RDATE, BYMONTHDAY, BYSETPOS, DAILY, YEARLY, another zone,
///   all-day series…) is expanded into dated occurrences from DTSTART (at most
///   ``historyDays`` back) to ``windowDays`` after the import date: re-imports roll the
///   window forward.
///
/// VEVENTs linked by `RELATED-TO` are one session of several days. Cancelled and past
/// events are left out. Every size and count is bounded, and the work is linear in the
/// input: components, overrides and exceptions are looked up in dictionaries.
struct ICSReader: FormatReader {
    var format: SourceFormat { .ics }

    /// Days after the import date over which series are expanded into dated occurrences.
    static let windowDays = 400
    /// Days before the import date kept of an expanded series.
    static let historyDays = 366
    static let maxLineBytes = 256 * 1024
    static let maxEvents = 50_000
    static let maxPropertiesPerComponent = 1000
    static let maxDepth = 8
    static let maxDateValues = 2000
    static let maxOccurrencesPerRecord = Recurrence.defaultLimit

    struct Property {
        var name: String
        var params: [String: String]
        var value: String
    }

    /// A component (VEVENT, VTIMEZONE, STANDARD…) with its properties by name.
    struct Component {
        var name: String
        var line: Int
        var props: [Property] = []
        var byName: [String: [Int]] = [:]
        var children: [Component] = []

        init(name: String, line: Int) {
            self.name = name
            self.line = line
        }

        mutating func add(_ p: Property) {
            byName[p.name, default: []].append(props.count)
            props.append(p)
        }

        func first(_ n: String) -> Property? { byName[n]?.first.map { props[$0] } }
        func all(_ n: String) -> [Property] { (byName[n] ?? []).map { props[$0] } }
        func text(_ n: String) -> String? { first(n).map { ICSReader.unescape($0.value) } }
    }

    // MARK: Lines

    /// Unfolds content lines at the byte level (RFC 5545 §3.1): a line break (CRLF, LF
    /// or CR) followed by one space or tab is removed with that character. Returns the
    /// unfolded bytes, one logical line per `\n`, and each logical line's first physical line.
    static func unfold(_ bytes: [UInt8]) -> (bytes: [UInt8], lines: [Int]) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var lines = [1]
        var physical = 1
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0D || b == 0x0A {
                var next = i + 1
                if b == 0x0D, next < n, bytes[next] == 0x0A { next += 1 }
                physical += 1
                if next < n, bytes[next] == 0x20 || bytes[next] == 0x09 {
                    i = next + 1  // a fold: the break and one whitespace character go
                    continue
                }
                out.append(0x0A)
                lines.append(physical)
                i = next
                continue
            }
            out.append(b)
            i += 1
        }
        return (out, lines)
    }

    /// `NAME;PARAM=V;PARAM="V:W;X":VALUE` — the first colon outside quotes ends the parameters.
    static func parseLine(_ l: Substring) -> Property? {
        var inQuotes = false
        var colon: Substring.Index?
        var i = l.startIndex
        while i < l.endIndex {
            let c = l[i]
            if c == "\"" { inQuotes.toggle() } else if c == ":" && !inQuotes { colon = i; break }
            i = l.index(after: i)
        }
        guard let colon else { return nil }
        var head: [Substring] = []
        var segmentStart = l.startIndex
        inQuotes = false
        i = l.startIndex
        while i < colon {
            let c = l[i]
            if c == "\"" { inQuotes.toggle() } else if c == ";" && !inQuotes {
                head.append(l[segmentStart..<i])
                segmentStart = l.index(after: i)
            }
            i = l.index(after: i)
        }
        head.append(l[segmentStart..<colon])
        guard let rawName = head.first, !rawName.isEmpty, rawName.utf8.count <= 100 else { return nil }
        var params: [String: String] = [:]
        for p in head.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { continue }
            var v = p[p.index(after: eq)...]
            if v.count >= 2, v.first == "\"", v.last == "\"" { v = v.dropFirst().dropLast() }
            params[p[..<eq].uppercased()] = String(v)
        }
        return Property(name: rawName.uppercased(), params: params, value: String(l[l.index(after: colon)...]))
    }

    /// TEXT values (§3.3.11): `\\` `\;` `\,` `\n` `\N`.
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
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

    // MARK: Durations

    /// `PT7H30M`, `P1D`, `P1W`, `PT90M` → minutes; nil for negative or unreadable ones,
    /// and for anything longer than a year (not a session: refused before it overflows).
    static func duration(_ s: String) -> Int? {
        var minutes = 0
        var number = ""
        var inTime = false
        let text = s.uppercased().trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("P") || text.hasPrefix("+P") else { return nil }
        for c in text {
            if c.isASCII, c.isNumber {
                guard number.count < 6 else { return nil }
                number.append(c)
                continue
            }
            let n = Int(number) ?? 0
            number = ""
            guard n <= 1_000_000 else { return nil }  // n * 43200 must not overflow
            switch c {
            case "P", "+": break
            case "T": inTime = true
            case "W": minutes += n * 7 * 1440
            case "D": minutes += n * 1440
            case "H": minutes += n * 60
            case "M": minutes += inTime ? n : n * 43200
            case "S": break
            default: return nil
            }
            guard minutes <= 366 * 1440 else { return nil }
        }
        return minutes
    }

    // MARK: Reading

    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult {
        guard let d = payload.documents.first else { return ReadResult() }
        let (unfolded, lineMap) = Self.unfold(d.body)
        let text: String
        do { text = try TextDecoding.decode(unfolded, encoding: ctx.manifest.option("encoding") ?? "auto") } catch {
            throw ReadError("\(d.url) : \(error)")
        }
        var result = ReadResult()
        var events: [Component] = []
        var timezones: [String: Component] = [:]
        var calendarProps = Component(name: "VCALENDAR", line: 1)
        var stack: [Component] = []
        var sawCalendar = false
        var tooManyEvents = false
        var logical = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            logical += 1
            let physical = logical <= lineMap.count ? lineMap[logical - 1] : logical
            let l = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if l.isEmpty { continue }
            if !sawCalendar {
                guard l.uppercased().hasPrefix("BEGIN:VCALENDAR") else {
                    throw ReadError("\(d.url) : ce n’est pas un fichier iCalendar (BEGIN:VCALENDAR attendu en tête)")
                }
                sawCalendar = true
            }
            guard l.utf8.count <= Self.maxLineBytes else {
                result.issues.append(RunIssue(item: "ligne \(physical)", field: nil,
                                              reason: "ligne de plus de \(Self.maxLineBytes / 1024) Kio ignorée", severity: .warning))
                continue
            }
            guard let p = Self.parseLine(l) else { continue }
            switch p.name {
            case "BEGIN":
                guard stack.count < Self.maxDepth else { throw ReadError("\(d.url) : composants iCalendar imbriqués trop profondément (\(Self.maxDepth) niveaux au plus)") }
                stack.append(Component(name: p.value.uppercased().trimmingCharacters(in: .whitespaces), line: physical))
            case "END":
                guard let c = stack.popLast() else { continue }
                switch c.name {
                case "VEVENT" where stack.last?.name == "VCALENDAR":
                    if events.count < Self.maxEvents { events.append(c) } else { tooManyEvents = true }
                case "VTIMEZONE":
                    if let id = c.first("TZID")?.value, timezones.count < 200 { timezones[id] = c }
                case "STANDARD", "DAYLIGHT":
                    if stack.last?.name == "VTIMEZONE", stack[stack.count - 1].children.count < 100 { stack[stack.count - 1].children.append(c) }
                default:
                    break
                }
            default:
                guard !stack.isEmpty else { continue }
                if stack.count == 1 {
                    if calendarProps.props.count < Self.maxPropertiesPerComponent { calendarProps.add(p) }
                } else if stack[stack.count - 1].props.count < Self.maxPropertiesPerComponent {
                    stack[stack.count - 1].add(p)
                }
            }
        }
        guard sawCalendar else { throw ReadError("\(d.url) : fichier iCalendar vide (BEGIN:VCALENDAR attendu en tête)") }
        guard stack.isEmpty else { throw ReadError("\(d.url) : iCalendar tronqué (BEGIN sans END)") }
        if tooManyEvents {
            result.issues.append(RunIssue(item: nil, field: nil, reason: "plus de \(Self.maxEvents) VEVENT : les suivants sont ignorés", severity: .warning))
        }

        var zones = ICSZones(timezones: timezones, calendarZone: calendarProps.text("X-WR-TIMEZONE"))
        var feed = ICSFeed(ctx: ctx)
        feed.read(events, zones: &zones, result: &result)
        for (tzid, line) in zones.unknown.sorted(by: { $0.value < $1.value }) {
            result.issues.append(RunIssue(item: "ligne \(line)", field: "TZID",
                                          reason: "fuseau horaire « \(tzid.prefix(80)) » inconnu et sans VTIMEZONE : heures lues comme heure de Paris",
                                          severity: .warning))
        }
        // Messages for the admin, with French spacing.
        for i in result.issues.indices { result.issues[i].reason = FrenchTypography.apply(result.issues[i].reason) }
        return result
    }
}

// MARK: - Time zones

/// How the times of one TZID are read.
enum ICSZone {
    case floating
    case civil(CivilZone)
    case vtimezone(ICSTimezone)

    /// Whether wall-clock times of this zone are Paris wall-clock times.
    var isParis: Bool {
        switch self {
        case .floating: return true  // ZONE: floating times are the listing's own local time; Paris for now.
        case .civil(let z): return z == .paris
        case .vtimezone: return false
        }
    }

    /// The instant of a wall-clock time of this zone (floating times: as Paris time).
    func epoch(of t: LocalDateTime) -> Int {
        switch self {
        case .floating: return CivilZone.paris.epoch(of: t)
        case .civil(let z): return z.epoch(of: t)
        case .vtimezone(let v): return v.epoch(of: t)
        }
    }

    /// The wall-clock time of this zone at a UTC time.
    func local(ofUTC t: LocalDateTime) -> LocalDateTime {
        let e = (t.date.dayNumber * 1440 + t.minutes) * 60
        switch self {
        case .floating: return CivilZone.paris.local(atEpoch: e)
        case .civil(let z): return z.local(atEpoch: e)
        case .vtimezone(let v): return v.local(atEpoch: e)
        }
    }

    /// A time of any zone as wall-clock time of this one.
    func wall(of t: ICSTime) -> LocalDateTime {
        if case .floating = t.zone, case .floating = self { return t.wall }
        let e = t.zone.epoch(of: t.wall)
        switch self {
        case .floating: return CivilZone.paris.local(atEpoch: e)
        case .civil(let z): return z.local(atEpoch: e)
        case .vtimezone(let v): return v.local(atEpoch: e)
        }
    }

    /// A wall-clock time of this zone as Paris wall-clock time.
    // ZONE: listings will carry their own zone; until then every time is published in Paris time.
    func paris(_ t: LocalDateTime) -> LocalDateTime {
        switch self {
        case .floating: return t
        case .civil(let z): return CivilZone.paris.convert(t, from: z)
        case .vtimezone(let v): return CivilZone.paris.local(atEpoch: v.epoch(of: t))
        }
    }
}

/// A feed's own VTIMEZONE: observances whose onsets (DTSTART, RRULE, RDATE, in the
/// local time before the change) switch the offset to TZOFFSETTO. Onsets are expanded
/// per year on demand by ``Recurrence`` and cached.
final class ICSTimezone {
    struct Observance {
        var start: LocalDateTime
        var offsetFrom: Int
        var offsetTo: Int
        var rule: RecurrenceRule?
        var rdates: [LocalDateTime]
    }

    let tzid: String
    let observances: [Observance]
    private var cache: [Int: [(onset: LocalDateTime, offset: Int)]] = [:]

    init?(_ c: ICSReader.Component, tzid: String) {
        self.tzid = tzid
        var obs: [Observance] = []
        for child in c.children {
            guard let to = child.first("TZOFFSETTO").flatMap({ Self.offset($0.value) }),
                  let start = child.first("DTSTART").flatMap({ ICalDateTime.parse($0.value.trimmingCharacters(in: .whitespaces)) })?.wallClock else { continue }
            let from = child.first("TZOFFSETFROM").flatMap { Self.offset($0.value) } ?? to
            // Offsets change at most a few times a year: only YEARLY rules are read (a MINUTELY
            // "observance" would cost a year of minutes per conversion).
            let rule = child.first("RRULE").flatMap { try? RecurrenceRule.parse($0.value).get() }.flatMap { $0.frequency == .yearly ? $0 : nil }
            let rdates = child.all("RDATE").flatMap { $0.value.split(separator: ",").prefix(100).compactMap { ICalDateTime.parse($0)?.wallClock } }
            obs.append(Observance(start: start, offsetFrom: from, offsetTo: to, rule: rule, rdates: rdates))
        }
        guard !obs.isEmpty else { return nil }
        observances = obs
    }

    /// `+0200`, `-0330`, `+013045` → seconds; nil beyond ±18 h.
    static func offset(_ raw: String) -> Int? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
        let digits = s.dropFirst()
        guard digits.count == 4 || digits.count == 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let h = Int(digits.prefix(2)), let m = Int(digits.dropFirst(2).prefix(2)), h <= 18, m < 60 else { return nil }
        let sec = digits.count == 6 ? Int(digits.suffix(2)) ?? 0 : 0
        return (sign == "-" ? -1 : 1) * (h * 3600 + m * 60 + sec)
    }

    /// Onsets in one year, as local times before the change, in order.
    func onsets(_ year: Int) -> [(onset: LocalDateTime, offset: Int)] {
        if let c = cache[year] { return c }
        var out: [(LocalDateTime, Int)] = []
        let from = LocalDateTime(date: LocalDate(year: year, month: 1, day: 1), minutes: 0)
        let through = LocalDateTime(date: LocalDate(year: year, month: 12, day: 31), minutes: 1439)
        for o in observances {
            var starts: [LocalDateTime] = o.rdates.filter { $0.date.year == year }
            if o.start.date.year == year { starts.append(o.start) }
            if let rule = o.rule {
                starts += Recurrence.expand(rule, start: o.start, from: from, through: through, limit: 50) { utc in
                    // An UNTIL in UTC, read in the offset that applies before the onset.
                    LocalDateTime(date: utc.date, minutes: utc.minutes + o.offsetFrom / 60)
                }.occurrences
            }
            out += starts.map { ($0, o.offsetTo) }
        }
        out.sort { $0.0 < $1.0 }
        if cache.count > 400 { cache.removeAll() }
        cache[year] = out
        return out
    }

    /// The offset in force at a wall-clock time: the latest onset at or before it.
    func offset(atLocal t: LocalDateTime) -> Int {
        for y in [t.date.year, t.date.year - 1] {
            if let last = onsets(y).last(where: { $0.onset <= t }) { return last.offset }
        }
        // Before every onset: the earliest observance's offset before it.
        return observances.min { $0.start < $1.start }.map { $0.offsetFrom } ?? 0
    }

    func epoch(of t: LocalDateTime) -> Int {
        (t.date.dayNumber * 1440 + t.minutes) * 60 - offset(atLocal: t)
    }

    func local(atEpoch e: Int) -> LocalDateTime {
        // The offset of the local time found with the standard guess, then corrected once.
        var off = observances.first?.offsetTo ?? 0
        for _ in 0..<2 {
            let t = Self.wall(e + off)
            off = offset(atLocal: t)
        }
        return Self.wall(e + off)
    }

    static func wall(_ seconds: Int) -> LocalDateTime {
        let minutes = seconds >= 0 ? seconds / 60 : (seconds - 59) / 60
        let day = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440
        return LocalDateTime(date: LocalDate(dayNumber: day), minutes: minutes - day * 1440)
    }

    /// The known zone that gives the same offsets all through a sample of dates, if any.
    func knownEquivalent() -> CivilZone? {
        var samples: [LocalDateTime] = []
        for year in [2025, 2026, 2027] {
            for month in 1...12 {
                for day in [1, 8, 15, 22, 28] { samples.append(LocalDateTime(date: LocalDate(year: year, month: month, day: day), minutes: 12 * 60)) }
            }
            // Around the EU and North American changes.
            for (m, d) in [(3, 8), (3, 9), (3, 14), (3, 15), (3, 25), (3, 26), (3, 31), (4, 1), (10, 25), (10, 26), (10, 31), (11, 1), (11, 2), (11, 7), (11, 8)] {
                samples.append(LocalDateTime(date: LocalDate(year: year, month: m, day: d), minutes: 12 * 60))
            }
        }
        return CivilZone.all.first { z in samples.allSatisfy { t in z.offset(atEpoch: z.epoch(of: t)) == offset(atLocal: t) } }
    }
}

/// TZID resolution for one feed: known names, then the feed's VTIMEZONEs.
struct ICSZones {
    var timezones: [String: ICSReader.Component]
    var calendarZone: ICSZone = .floating
    var resolved: [String: ICSZone] = [:]
    var unknown: [String: Int] = [:]

    init(timezones: [String: ICSReader.Component], calendarZone: String?) {
        self.timezones = timezones
        // Google writes X-WR-TIMEZONE for the floating times of a calendar.
        if let name = calendarZone, let z = CivilZone.named(name) { self.calendarZone = .civil(z) }
    }

    mutating func zone(_ tzid: String?, line: Int) -> ICSZone {
        guard let tzid, !tzid.isEmpty else { return calendarZone }
        if let z = resolved[tzid] { return z }
        let z: ICSZone
        if let known = CivilZone.named(tzid) {
            z = .civil(known)
        } else if let c = timezones[tzid], let v = ICSTimezone(c, tzid: tzid) {
            z = v.knownEquivalent().map { .civil($0) } ?? .vtimezone(v)
        } else {
            if unknown.count < 50, unknown[tzid] == nil { unknown[tzid] = line }
            z = .floating
        }
        if resolved.count < 500 { resolved[tzid] = z }
        return z
    }

    /// A DATE or DATE-TIME property with its zone.
    mutating func time(_ p: ICSReader.Property, line: Int) -> ICSTime? {
        let v = p.value.trimmingCharacters(in: .whitespaces)
        guard let t = ICalDateTime.parse(v) else { return nil }
        return time(t, tzid: p.params["TZID"], line: line)
    }

    mutating func time(_ t: ICalDateTime, tzid: String?, line: Int) -> ICSTime {
        switch t {
        case .date: return ICSTime(value: t, zone: .floating)
        case .utc: return ICSTime(value: t, zone: .civil(.utc))
        case .local: return ICSTime(value: t, zone: zone(tzid, line: line))
        }
    }

    /// The values of RDATE or EXDATE properties (lists, PERIOD starts), bounded.
    mutating func times(_ props: [ICSReader.Property], line: Int) -> [ICSTime] {
        var out: [ICSTime] = []
        for p in props {
            for raw in p.value.split(separator: ",") {
                guard out.count < ICSReader.maxDateValues else { return out }
                let start = raw.split(separator: "/").first ?? raw  // PERIOD: start/end or start/duration
                if let t = ICalDateTime.parse(start.trimmingCharacters(in: .whitespaces)) {
                    out.append(time(t, tzid: p.params["TZID"], line: line))
                }
            }
        }
        return out
    }
}

/// A time as the feed wrote it, with the zone it is read in.
struct ICSTime {
    var value: ICalDateTime
    var zone: ICSZone

    var isDate: Bool { value.isDate }

    /// Wall-clock time of its own zone (UTC times: UTC).
    var wall: LocalDateTime { value.wallClock }

    // ZONE: published in Paris time until listings carry their own zone.
    var paris: LocalDateTime {
        if isDate { return wall }
        return zone.paris(wall)
    }
}

// MARK: - Events to records

/// One run over a feed's VEVENTs.
struct ICSFeed {
    typealias Component = ICSReader.Component
    let ctx: ReaderContext
    let windowStart: LocalDateTime
    let windowEnd: LocalDateTime

    init(ctx: ReaderContext) {
        self.ctx = ctx
        windowStart = LocalDateTime(date: ctx.today.adding(days: -ICSReader.historyDays), minutes: 0)
        windowEnd = LocalDateTime(date: ctx.today.adding(days: ICSReader.windowDays), minutes: 1439)
    }

    /// One occurrence with what may differ from the series.
    struct Instance {
        var occurrence: [Occurrence]
        /// The override that changed it (title, place), if any.
        var override: Component?
        /// The original start it replaces (Paris), for a moved one.
        var replaces: LocalDateTime?
    }

    mutating func read(_ events: [Component], zones: inout ICSZones, result: inout ReadResult) {
        // Overrides by UID and original start (Paris), highest SEQUENCE first; masters in order.
        var overrides: [String: [LocalDateTime: Component]] = [:]
        var masters: [Component] = []
        for e in events {
            if let rid = e.first("RECURRENCE-ID"), let uid = e.text("UID") {
                guard let t = zones.time(rid, line: e.line) else {
                    result.issues.append(RunIssue(item: "VEVENT ligne \(e.line)", field: "RECURRENCE-ID", reason: "RECURRENCE-ID illisible : occurrence modifiée ignorée", severity: .warning))
                    continue
                }
                let key = t.paris
                if let existing = overrides[uid]?[key], Self.sequence(existing) > Self.sequence(e) { continue }
                overrides[uid, default: [:]][key] = e
            } else {
                masters.append(e)
            }
        }
        // Siblings (RELATED-TO) form one multi-day session.
        var groups: [(key: String, events: [Component])] = []
        var groupIndex: [String: Int] = [:]
        struct EventKey: Hashable {
            var group: Int
            var uid: String
        }
        var eventIndex: [EventKey: Int] = [:]
        for e in masters {
            if e.text("STATUS")?.uppercased() == "CANCELLED" {
                result.skipped += 1
                continue
            }
            let key = e.first("RELATED-TO")?.value ?? e.text("UID") ?? "ligne-\(e.line)"
            let uid = e.text("UID")
            if let i = groupIndex[key] {
                // The same event published twice (same UID): the highest SEQUENCE, else the later one.
                if let uid, let k = eventIndex[EventKey(group: i, uid: uid)] {
                    if Self.sequence(e) >= Self.sequence(groups[i].events[k]) { groups[i].events[k] = e }
                    continue
                }
                if let uid { eventIndex[EventKey(group: i, uid: uid)] = groups[i].events.count }
                groups[i].events.append(e)
            } else {
                if let uid { eventIndex[EventKey(group: groups.count, uid: uid)] = 0 }
                groupIndex[key] = groups.count
                groups.append((key, [e]))
            }
        }
        // Overrides whose series is not in the feed are dated events of their own.
        let masterUIDs = Set(masters.compactMap { $0.text("UID") })
        for (uid, byKey) in overrides.sorted(by: { $0.key < $1.key }) where !masterUIDs.contains(uid) {
            for (_, e) in byKey.sorted(by: { $0.key < $1.key }) {
                if e.text("STATUS")?.uppercased() == "CANCELLED" {
                    result.skipped += 1
                    continue
                }
                let key = "\(uid)#\(e.line)"
                groupIndex[key] = groups.count
                groups.append((key, [e]))
            }
        }
        for (key, group) in groups {
            if let r = record(key: key, group, overrides: overrides, zones: &zones, result: &result) { result.records.append(r) }
        }
    }

    static func sequence(_ e: Component) -> Int {
        e.first("SEQUENCE").flatMap { Int($0.value.trimmingCharacters(in: .whitespaces).prefix(9)) } ?? 0
    }

    /// The event's start and, in minutes, its length (DTEND exclusive or DURATION).
    func span(_ e: Component, zones: inout ICSZones) -> (start: ICSTime, minutes: Int?)? {
        guard let p = e.first("DTSTART") ?? e.first("RECURRENCE-ID"), var start = zones.time(p, line: e.line) else { return nil }
        if p.params["VALUE"]?.uppercased() == "DATE", case .local(let t) = start.value { start = ICSTime(value: .date(t.date), zone: .floating) }
        var minutes: Int?
        if let q = e.first("DTEND"), let end = zones.time(q, line: e.line) {
            if start.isDate || end.isDate {
                minutes = (end.wall.date.dayNumber - start.wall.date.dayNumber) * 1440
            } else {
                minutes = (end.zone.epoch(of: end.wall) - start.zone.epoch(of: start.wall)) / 60
                if case .floating = end.zone, case .floating = start.zone {
                    minutes = (end.wall.date.dayNumber - start.wall.date.dayNumber) * 1440 + end.wall.minutes - start.wall.minutes
                }
            }
        } else if let dur = e.text("DURATION").flatMap(ICSReader.duration) {
            minutes = dur
        }
        if let m = minutes, m < 0 || m > 366 * 1440 { minutes = nil }
        return (start, minutes)
    }

    /// The dated occurrences of one start (Paris): one per day for all-day events.
    func occurrences(start: ICSTime, minutes: Int?) -> [Occurrence] {
        if start.isDate {
            let days = max(1, min(62, (minutes ?? 1440) / 1440))
            return (0..<days).map { Occurrence(start: LocalDateTime(date: start.wall.date.adding(days: $0), minutes: 0), allDay: true) }
        }
        let s = start.paris
        let end: LocalDateTime? = minutes.map { m in
            if case .floating = start.zone { return LocalDateTime(date: s.date, minutes: s.minutes + m) }
            return CivilZone.paris.local(atEpoch: CivilZone.paris.epoch(of: s) + m * 60)
        }
        return [Occurrence(start: s, end: end)]
    }

    mutating func record(key: String, _ group: [Component], overrides: [String: [LocalDateTime: Component]], zones: inout ICSZones, result: inout ReadResult) -> RawRecord? {
        guard let first = group.first else { return nil }
        let item = "VEVENT ligne \(first.line)"
        guard let firstSpan = span(first, zones: &zones) else {
            result.issues.append(RunIssue(item: item, field: "DTSTART", reason: "DTSTART absent ou illisible", severity: .rejected))
            return nil
        }
        var r = RawRecord(item: item)
        r.id = key
        // Times with a zone (TZID, UTC) are read as Paris wall-clock times below; the normaliser
        // puts them in the listing's own zone. Floating times and dates are the listing's local time.
        if case .floating = firstSpan.start.zone {} else { r.timesZone = .paris }
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
        if r.audiences.isEmpty, let desc = description {
            // Nothing in the title or categories: the description says whom the event is for
            // (« Pour les mères et les pères d’un enfant adulte… »: relatives).
            r.audiences = RecordNormalizer.audiences(in: desc)
            let f = " " + Text.fold(desc) + " "
            if !r.audiences.contains(.proche), [" meres ", " peres ", " mamans ", " papas ", " parents "].contains(where: { Text.has(f, $0) }) {
                r.audiences.insert(.proche, at: 0)
            }
        }
        if let desc = description {
            r.phones = [desc]
            r.emails = [desc]
            r.registration = Self.registration(in: desc)
        }
        r.website = first.text("URL")
        if let loc = first.text("LOCATION") {
            if Self.isOnline(loc) {
                r.virtual = true
                r.modalities = [.en_ligne]
            } else {
                r.addressText = loc.replacingOccurrences(of: ";", with: ",")
                r.placeName = AddressText.split(loc.replacingOccurrences(of: ";", with: ",")).complement
            }
        }
        if let geo = first.text("GEO")?.split(separator: ";"), geo.count == 2 {
            r.latitude = Double(geo[0].prefix(30))
            r.longitude = Double(geo[1].prefix(30))
        }
        let uid = first.text("UID")
        let seriesOverrides = group.count == 1 && first.first("RECURRENCE-ID") == nil ? uid.flatMap { overrides[$0] } ?? [:] : [:]

        if group.count == 1, let rrule = first.first("RRULE") {
            switch RecurrenceRule.parse(rrule.value) {
            case .success(let rule):
                return series(first, rule: rule, overrides: seriesOverrides, record: r, key: key, zones: &zones, result: &result)
            case .failure(let e):
                result.issues.append(RunIssue(item: item, field: "RRULE", reason: "\(e.message) : gardée comme une séance datée", severity: .warning))
            }
        }
        // Dated occurrences: each VEVENT of the group, plus RDATEs, minus EXDATEs.
        var found = Set<Occurrence>()
        for e in group {
            guard let (start, minutes) = span(e, zones: &zones) else { continue }
            let exdates = zones.times(e.all("EXDATE"), line: e.line)
            if group.count > 1, let p = e.first("RRULE"), let rule = try? RecurrenceRule.parse(p.value).get() {
                // A recurring sibling: its own occurrences over the window.
                let instances = expand(e, rule: rule, start: start, minutes: minutes, through: windowEnd, exTimes: Set(exdates.filter { !$0.isDate }.map(\.paris)),
                                       exDays: Set(exdates.filter(\.isDate).map(\.wall.date)), rdates: zones.times(e.all("RDATE"), line: e.line),
                                       overrides: e.text("UID").flatMap { overrides[$0] } ?? [:], zones: &zones, result: &result)
                found.formUnion(instances.flatMap(\.occurrence))
                guard found.count <= ICSReader.maxOccurrencesPerRecord else { break }
                continue
            }
            var mine = self.occurrences(start: start, minutes: minutes)
            for t in zones.times(e.all("RDATE"), line: e.line) { mine += self.occurrences(start: t, minutes: minutes) }
            let ex = Set(exdates.map(\.paris))
            found.formUnion(ex.isEmpty ? mine : mine.filter { !ex.contains($0.start) })
            guard found.count <= ICSReader.maxOccurrencesPerRecord else { break }
        }
        var occurrences = found.sorted()
        if occurrences.count > ICSReader.maxOccurrencesPerRecord {
            occurrences.removeLast(occurrences.count - ICSReader.maxOccurrencesPerRecord)
            result.issues.append(RunIssue(item: item, field: nil, reason: "plus de \(ICSReader.maxOccurrencesPerRecord) dates : les suivantes sont ignorées", severity: .warning))
        }
        if isPast(occurrences) {
            result.skipped += 1
            return nil
        }
        r.sessions = [session(key: key, title: summary, occurrences, r)]
        return r
    }

    /// The sentence of a description that says registration is required (« Inscription obligatoire auprès de… »).
    static func registration(in description: String) -> String? {
        let sentences = description.split(whereSeparator: { $0 == "\n" || $0 == "." }).map { $0.trimmingCharacters(in: .whitespaces) }
        return sentences.first { s in
            let f = Text.fold(s)
            return ["inscription obligatoire", "sur inscription", "inscription requise", "inscription necessaire", "inscription indispensable"].contains { f.contains($0) }
        }.map { String($0.prefix(300)) + "." }
    }

    static func isOnline(_ loc: String) -> Bool {
        let f = Text.fold(loc)
        return f.hasPrefix("en ligne") || f.contains("visio") || f.hasPrefix("online") || f.contains("webinaire")
    }

    func isPast(_ occurrences: [Occurrence]) -> Bool {
        guard let last = occurrences.map({ $0.end ?? LocalDateTime(date: $0.start.date, minutes: 1439) }).max() else { return true }
        return last < ctx.nowLocal
    }

    func session(key: String, title: String, _ occurrences: [Occurrence], _ r: RawRecord, placeName: String?? = nil, note: String? = nil) -> Session {
        Session(key: key, title: title, occurrences: occurrences, placeName: placeName ?? r.placeName, online: r.virtual, onsite: !r.virtual,
                registration: r.website, note: note)
    }

    // MARK: Series

    /// A recurring VEVENT with its overrides: a schedule, dated occurrences, or both (see ``ICSReader``).
    mutating func series(_ e: Component, rule: RecurrenceRule, overrides: [LocalDateTime: Component], record: RawRecord, key: String,
                         zones: inout ICSZones, result: inout ReadResult) -> RawRecord? {
        var r = record
        guard let (start, minutes) = span(e, zones: &zones) else { return nil }
        let summary = r.name ?? ""
        let exdates = zones.times(e.all("EXDATE"), line: e.line)
        let exTimes = Set(exdates.filter { !$0.isDate }.map(\.paris))
        let exDays = Set(exdates.filter(\.isDate).map(\.wall.date))
        let rdates = zones.times(e.all("RDATE"), line: e.line)

        // The schedule the rule is, when the model can say it exactly.
        var scheduleRule: ScheduleRule?
        if !start.isDate, rdates.isEmpty, start.zone.isParis, Recurrence.isSynchronized(rule, start: start.wall) {
            scheduleRule = Self.scheduleRule(rule, start: start, minutes: minutes)
        }
        if var sr = scheduleRule {
            let exParis = exdates.map { $0.isDate ? LocalDateTime(date: $0.wall.date, minutes: start.wall.minutes) : $0.paris }
            guard let split = overrides.keys.max() else {
                if let until = sr.validUntil, until < ctx.today {
                    result.skipped += 1
                    return nil
                }
                r.schedule = Schedule(rules: [sr], exceptions: exParis.sorted())
                return r
            }
            // Dated up to the last overridden occurrence, the rule from the day after.
            let datedEnd = LocalDateTime(date: split.date, minutes: 1439)
            let instances = expand(e, rule: rule, start: start, minutes: minutes, through: datedEnd, exTimes: exTimes, exDays: exDays, rdates: [],
                                   overrides: overrides, zones: &zones, result: &result)
            r.sessions = sessions(instances, key: key, title: summary, r)
            let from = split.date.adding(days: 1)
            sr.validFrom = max(sr.validFrom ?? from, from)
            if let until = sr.validUntil, until < from || until < ctx.today {
                // The rule part is over: only dated occurrences remain.
            } else {
                r.schedule = Schedule(rules: [sr], exceptions: exParis.filter { $0.date >= from }.sorted())
            }
            if r.schedule == nil && isPast(r.sessions.flatMap(\.occurrences)) {
                result.skipped += 1
                return nil
            }
            return r
        }
        let instances = expand(e, rule: rule, start: start, minutes: minutes, through: windowEnd, exTimes: exTimes, exDays: exDays, rdates: rdates,
                               overrides: overrides, zones: &zones, result: &result)
        r.sessions = sessions(instances, key: key, title: summary, r)
        if isPast(r.sessions.flatMap(\.occurrences)) {
            result.skipped += 1
            return nil
        }
        return r
    }

    /// The series' instances from DTSTART (at most ``ICSReader/historyDays`` back) through `through`,
    /// EXDATEs removed, overrides applied (cancelled ones removed, moved ones at their new time).
    mutating func expand(_ e: Component, rule: RecurrenceRule, start: ICSTime, minutes: Int?, through: LocalDateTime,
                         exTimes: Set<LocalDateTime>, exDays: Set<LocalDate>, rdates: [ICSTime], overrides: [LocalDateTime: Component],
                         zones: inout ICSZones, result: inout ReadResult) -> [Instance] {
        // The window is in Paris time; the rule runs in its own zone's wall-clock time: widen by a day.
        let from = max(start.wall, LocalDateTime(date: windowStart.date.adding(days: -1), minutes: 0))
        let to = LocalDateTime(date: through.date.adding(days: 1), minutes: 1439)
        let zone = start.zone
        let expansion = Recurrence.expand(rule, start: start.wall, from: from, through: to, limit: ICSReader.maxOccurrencesPerRecord,
                                          rdates: rdates.map { start.isDate ? LocalDateTime(date: $0.wall.date, minutes: 0) : zone.wall(of: $0) }) { utc in
            start.isDate ? utc : zone.local(ofUTC: utc)
        }
        if expansion.truncated {
            result.issues.append(RunIssue(item: "VEVENT ligne \(e.line)", field: "RRULE",
                                          reason: "série de plus de \(ICSReader.maxOccurrencesPerRecord) occurrences : les suivantes sont ignorées", severity: .warning))
        }
        var out: [Instance] = []
        var used = Set<LocalDateTime>()
        for wall in expansion.occurrences {
            let t = ICSTime(value: start.isDate ? .date(wall.date) : .local(wall), zone: start.isDate ? .floating : zone)
            let key = t.paris
            guard key <= through || start.isDate && key.date <= through.date, key >= windowStart else { continue }
            if exTimes.contains(key) || exDays.contains(wall.date) { continue }
            if let o = overrides[key] {
                used.insert(key)
                if o.text("STATUS")?.uppercased() == "CANCELLED" { continue }
                guard let (ns, nm) = span(o, zones: &zones) else { continue }
                out.append(Instance(occurrence: occurrences(start: ns, minutes: nm ?? minutes), override: o, replaces: key))
                continue
            }
            out.append(Instance(occurrence: occurrences(start: t, minutes: minutes), override: nil, replaces: nil))
        }
        // Overrides of instances the rule did not produce (a feed out of step): kept if in the window.
        for key in overrides.keys.sorted() where !used.contains(key) && key <= through && key >= windowStart {
            guard let o = overrides[key], out.count < ICSReader.maxOccurrencesPerRecord else { break }
            if o.text("STATUS")?.uppercased() == "CANCELLED" { continue }
            guard let (ns, nm) = span(o, zones: &zones) else { continue }
            out.append(Instance(occurrence: occurrences(start: ns, minutes: nm ?? minutes), override: o, replaces: key))
        }
        return out
    }

    /// One session for the series' own occurrences, and one per override whose title or place differs.
    func sessions(_ instances: [Instance], key: String, title: String, _ r: RawRecord) -> [Session] {
        var main: [Occurrence] = []
        var separate: [Session] = []
        let location = r.addressText
        for i in instances {
            guard let o = i.override else {
                main += i.occurrence
                continue
            }
            let newTitle = o.text("SUMMARY") ?? title
            let newLocation = o.text("LOCATION").map { $0.replacingOccurrences(of: ";", with: ",") }
            if newTitle == title && (newLocation == nil || newLocation == location) {
                main += i.occurrence
                continue
            }
            var placeName: String?? = nil
            if let loc = newLocation, !Self.isOnline(loc) { placeName = .some(loc) }
            let note = i.replaces.flatMap { old in i.occurrence.first.map { $0.start != old ? "Remplace la séance du \(Self.frenchDate(old.date))." : nil } ?? nil }
            separate.append(session(key: "\(key)#\(i.replaces.map { $0.description } ?? String(o.line))", title: newTitle, i.occurrence, r,
                                    placeName: placeName, note: note))
        }
        var out: [Session] = []
        if !main.isEmpty { out.append(session(key: key, title: title, main.sorted(), r)) }
        return out + separate.sorted { ($0.first?.start ?? LocalDateTime(date: LocalDate(dayNumber: 0), minutes: 0)) < ($1.first?.start ?? LocalDateTime(date: LocalDate(dayNumber: 0), minutes: 0)) }
    }

    static func frenchDate(_ d: LocalDate) -> String {
        let days = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
        return "\(days[d.weekday - 1]) \(d.day == 1 ? "1er" : String(d.day)) \(months[d.month - 1]) \(d.year)"
    }

    /// The ``ScheduleRule`` that says exactly the same occurrences as `rule` from `start`, if any.
    static func scheduleRule(_ rule: RecurrenceRule, start: ICSTime, minutes: Int?) -> ScheduleRule? {
        guard rule.count == nil, rule.byMonthDay.isEmpty, rule.byYearDay.isEmpty, rule.byWeekNo.isEmpty, rule.byHour.isEmpty,
              rule.byMinute.isEmpty, rule.bySetPos.isEmpty, minutes.map({ $0 < 1440 }) ?? true else { return nil }
        let s = start.paris
        var days: [WeekdaySelector] = []
        switch rule.frequency {
        case .weekly:
            guard rule.byDay.allSatisfy({ $0.ordinal == nil }) else { return nil }
            let weekdays = rule.byDay.isEmpty ? [s.date.weekday] : Array(Set(rule.byDay.map(\.weekday))).sorted()
            // Weeks of several days counted every n weeks: the model's weeks start on Monday.
            if rule.interval > 1 && weekdays.count > 1 && rule.weekStart != 1 { return nil }
            days = weekdays.map { WeekdaySelector(weekday: $0) }
        case .monthly:
            guard !rule.byDay.isEmpty, rule.byDay.allSatisfy({ ($0.ordinal.map { abs($0) } ?? 9) <= 5 }) else { return nil }
            for d in rule.byDay {
                guard let n = d.ordinal else { return nil }
                if let k = days.firstIndex(where: { $0.weekday == d.weekday }) {
                    if !days[k].nth.contains(n) { days[k].nth.append(n) }
                } else {
                    days.append(WeekdaySelector(weekday: d.weekday, nth: [n]))
                }
            }
            for k in days.indices { days[k].nth.sort(by: WeekdaySelector.nthOrder) }
            days.sort { $0.weekday < $1.weekday }
        default:
            return nil
        }
        var sr = ScheduleRule(days: days, times: [TimeSpan(open: s.minutes, close: minutes.map { (s.minutes + $0) % 1440 })])
        sr.months = Array(Set(rule.byMonth)).sorted()
        sr.interval = rule.interval
        sr.anchor = s.date
        sr.validFrom = s.date
        if let until = rule.until {
            // An occurrence counts if it starts at or before UNTIL.
            let u: LocalDateTime
            switch until {
            case .date(let d): u = LocalDateTime(date: d, minutes: 1439)
            case .local(let t): u = start.zone.paris(t)
            case .utc(let t): u = CivilZone.paris.local(atEpoch: (t.date.dayNumber * 1440 + t.minutes) * 60)
            }
            sr.validUntil = u.minutes >= s.minutes ? u.date : u.date.adding(days: -1)
        }
        return sr
    }
}

extension SourceFormat {
    public static let ics = SourceFormat("ics")
}
