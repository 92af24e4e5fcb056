import RelaisModel

/// OpenStreetMap `opening_hours` strings ⇄ ``Schedule``.
///
/// A small grammar over tokens, total by construction: every read goes
/// through the cursor (`peek`, `take`), so malformed input is a
/// ``ParseError`` with a French message, never a trap. Supported: rule
/// sequences with normal (`;`, `||`) and additional (`,`) rules; year,
/// monthday (`Dec 24`, `Dec 24-Jan 02`, `2026 Dec 31`, `2026 Dec 24-2027 Jan 02`)
/// and month (`Oct-Jun`) ranges; `week 01-53/2`; weekday lists and ranges with
/// nth selectors (`Tu[1,3]`, `Th[-1]`, `Su[1-2]`), `PH` and `SH`; time spans
/// with open ends (`14:30+`) and past midnight (`21:00-02:30`); `24/7`;
/// `off`/`closed`/`open`; comments (`"sur rendez-vous"`). Anything else
/// (sunrise, easter, `unknown`, offsets) is refused with its reason: a string
/// that is not understood is never half-read.
public enum OpeningHours {
    public struct ParseError: Error, Sendable, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Longest string read: opening_hours values are short; a longer one is not hours.
    static let maxLength = 2000

    // MARK: Parsing

    public static func parse(_ raw: String) throws -> Schedule {
        let text = raw.trimmed
        guard !text.isEmpty else { throw ParseError("horaire vide") }
        guard text.utf8.count <= maxLength else { throw ParseError("horaire trop long (plus de \(maxLength) caractères)") }
        var parser = Parser(tokens: try tokenize(text))
        return try parser.sequence()
    }

    /// Whether a string is a valid `opening_hours` value (in the supported subset).
    public static func isValid(_ raw: String) -> Bool { (try? parse(raw)) != nil }

    enum Token: Equatable {
        /// Digits, with their count (`01` has two).
        case number(Int, digits: Int)
        case word(String)
        case comment(String)
        case symbol(Character)
    }

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case " ", "\t", "\u{A0}", "\u{202F}":
                i += 1
            case "0"..."9":
                var value = 0, n = 0
                while i < scalars.count, let d = digit(scalars[i]) {
                    // More than 4 digits is never a valid number here: stop before overflowing.
                    guard n < 6 else { throw ParseError("nombre trop long") }
                    value = value * 10 + d
                    n += 1
                    i += 1
                }
                tokens.append(.number(value, digits: n))
            case "a"..."z", "A"..."Z":
                var w = ""
                while i < scalars.count, scalars[i].properties.isAlphabetic, scalars[i].isASCII {
                    w.unicodeScalars.append(scalars[i])
                    i += 1
                }
                tokens.append(.word(w))
            case "\"":
                var body = ""
                i += 1
                while i < scalars.count, scalars[i] != "\"" {
                    body.unicodeScalars.append(scalars[i])
                    i += 1
                }
                guard i < scalars.count else { throw ParseError("commentaire sans guillemet fermant") }
                i += 1
                tokens.append(.comment(body))
            case "|":
                guard i + 1 < scalars.count, scalars[i + 1] == "|" else { throw ParseError("« | » seul : « || » attendu") }
                tokens.append(.symbol(";"))
                i += 2
            case "–", "—", "‑", "−":
                tokens.append(.symbol("-"))
                i += 1
            case "-", ",", ";", ":", "+", "[", "]", "/":
                tokens.append(.symbol(Character(c)))
                i += 1
            default:
                throw ParseError("caractère inattendu « \(Character(c)) »")
            }
        }
        return tokens
    }

    static func digit(_ s: Unicode.Scalar) -> Int? {
        guard s.value >= 0x30, s.value <= 0x39 else { return nil }
        return Int(s.value - 0x30)
    }

    /// Recursive descent over the tokens. Every method leaves the cursor after what it read.
    struct Parser {
        let tokens: [Token]
        var at = 0

        init(tokens: [Token]) { self.tokens = tokens }

        func peek(_ k: Int = 0) -> Token? {
            let j = at + k
            return j >= 0 && j < tokens.count ? tokens[j] : nil
        }

        mutating func take() -> Token? {
            defer { at += 1 }
            return peek()
        }

        func isSymbol(_ c: Character, _ k: Int = 0) -> Bool { peek(k) == .symbol(c) }

        func word(_ k: Int = 0) -> String? {
            if case .word(let w) = peek(k) { return w }
            return nil
        }

        func number(_ k: Int = 0) -> (value: Int, digits: Int)? {
            if case .number(let v, let d) = peek(k) { return (v, d) }
            return nil
        }

        var atEnd: Bool { at >= tokens.count }

        static func weekday(_ w: String) -> Int? { WeekdaySelector.osmNames.firstIndex(of: w).map { $0 + 1 } }
        static func month(_ w: String) -> Int? { monthNames.firstIndex(of: w).map { $0 + 1 } }

        /// Whether the token at `k` starts a time (`hh:mm`).
        func startsTime(_ k: Int = 0) -> Bool { number(k) != nil && isSymbol(":", k + 1) }

        /// Whether the token at `k` starts a year (four digits not followed by `:`).
        func startsYear(_ k: Int = 0) -> Bool {
            guard let n = number(k) else { return false }
            return n.digits == 4 && !isSymbol(":", k + 1)
        }

        /// Whether the token at `k` starts a new rule's selectors (after `,`, an additional rule).
        func startsSelector(_ k: Int = 0) -> Bool {
            if startsYear(k) { return true }
            guard let w = word(k) else {
                if case .comment = peek(k) { return true }
                return false
            }
            return Self.weekday(w) != nil || Self.month(w) != nil || w == "PH" || w == "SH" || w == "week"
        }

        mutating func sequence() throws -> Schedule {
            var rules: [ScheduleRule] = []
            var additive = false
            while true {
                // Empty rules (`;;`, a trailing `;`) are tolerated; a leading `,` is not a rule.
                if isSymbol(";") {
                    _ = take()
                    additive = false
                    continue
                }
                if atEnd { break }
                if isSymbol(",") { throw ParseError("virgule inattendue en début de règle") }
                var rule = try self.rule()
                rule.additive = additive && !rules.isEmpty
                rules.append(rule)
                if atEnd { break }
                if isSymbol(";") { continue }
                if isSymbol(","), startsSelector(1) {
                    _ = take()
                    additive = true
                    continue
                }
                throw ParseError("élément inattendu « \(describe(peek())) » après une règle")
            }
            guard !rules.isEmpty else { throw ParseError("aucune règle") }
            return Schedule(rules: rules)
        }

        func describe(_ t: Token?) -> String {
            switch t {
            case .number(let v, let d)?: return String(repeating: "0", count: max(0, d - String(v).count)) + String(v)
            case .word(let w)?: return w
            case .comment(let c)?: return "\"\(c)\""
            case .symbol(let c)?: return String(c)
            case nil: return "fin"
            }
        }

        mutating func rule() throws -> ScheduleRule {
            var rule = ScheduleRule()
            // 24/7
            if let n = number(), n.value == 24, isSymbol("/", 1), number(2)?.value == 7 {
                at += 3
                rule.times = [TimeSpan(open: 0, close: 1440)]
                try modifier(&rule)
                return rule
            }
            // A comment before the selectors: `"vacances" Jul-Aug off` — kept as the rule's comment.
            if case .comment(let c) = peek(), isSymbol(":", 1) {
                at += 2
                rule.comment = c
            }
            try wideRange(&rule)
            try smallRange(&rule)
            // Tolerated: a comma between the weekdays and the times (`Mo-Fr, 09:00-17:00`).
            if !rule.days.isEmpty || rule.publicHolidays || rule.schoolHolidays, isSymbol(","), startsTime(1) { _ = take() }
            if startsTime() { rule.times = try times() }
            try modifier(&rule)
            let selects = !rule.days.isEmpty || rule.publicHolidays || rule.schoolHolidays || !rule.months.isEmpty || !rule.monthDays.isEmpty
                || !rule.weeks.isEmpty || !rule.dates.isEmpty || rule.validFrom != nil || rule.validUntil != nil
            if rule.times.isEmpty && !rule.off {
                // `Mo-Fr` alone is "open all day" in OSM; from a source it says nothing of the hours.
                throw ParseError(selects ? "jours sans heures : les heures ne sont pas inventées" : "ni jours ni heures")
            }
            rule.days = Self.canonical(rule.days)
            if !selects && rule.off && rule.comment == nil { throw ParseError("« off » sans jours") }
            return rule
        }

        mutating func modifier(_ rule: inout ScheduleRule) throws {
            if let w = word() {
                switch w {
                case "off", "closed": rule.off = true; _ = take()
                case "open": _ = take()
                case "unknown": throw ParseError("« unknown » : horaire inconnu")
                default: break
                }
            }
            if case .comment(let c) = peek() {
                _ = take()
                rule.comment = c.isEmpty ? rule.comment : c
            }
        }

        // MARK: Wide ranges: years, monthdays, weeks

        mutating func wideRange(_ rule: inout ScheduleRule) throws {
            var year: (from: Int, to: Int)?
            if startsYear() {
                guard let y = take(), case .number(let a, _) = y else { return }
                if Self.monthNext(self), let d = number(1), d.digits <= 2, !isSymbol(":", 2) {
                    // A date or a dated range: `2026 Dec 31`, `2026 Dec 24-2027 Jan 02`.
                    try datedRanges(&rule, year: a)
                } else if isSymbol("-"), let b = number(1), b.digits == 4 {
                    at += 2
                    guard b.value >= a else { throw ParseError("années à l’envers \(a)-\(b.value)") }
                    year = (a, b.value)
                } else {
                    year = (a, a)
                }
            }
            if let year {
                rule.validFrom = LocalDate(year: year.from, month: 1, day: 1)
                rule.validUntil = LocalDate(year: year.to, month: 12, day: 31)
            }
            if rule.dates.isEmpty && rule.validFrom == nil || year != nil, let w = word(), Self.month(w) != nil {
                try monthRanges(&rule)
            }
            if word() == "week" {
                _ = take()
                rule.weeks = try weekRanges()
            }
        }

        /// Plain weekdays once each in week order, then ranked weekdays with their ranks merged.
        static func canonical(_ days: [WeekdaySelector]) -> [WeekdaySelector] {
            let plain = Set(days.filter { $0.nth.isEmpty }.map(\.weekday)).sorted().map { WeekdaySelector(weekday: $0) }
            var ranked: [Int: Set<Int>] = [:]
            for d in days where !d.nth.isEmpty { ranked[d.weekday, default: []].formUnion(d.nth) }
            return plain + ranked.keys.sorted().compactMap { w in ranked[w].map { WeekdaySelector(weekday: w, nth: $0.sorted(by: WeekdaySelector.nthOrder)) } }
        }

        static func monthNext(_ p: Parser) -> Bool { p.word().flatMap(month) != nil }

        /// `Dec 31`, `Dec 24-26`, `Dec 24-2027 Jan 02`, `Dec 24+`, comma lists; the first year is given.
        mutating func datedRanges(_ rule: inout ScheduleRule, year firstYear: Int) throws {
            var year = firstYear
            while true {
                let from = try monthDay(year: year)
                if isSymbol("-") {
                    _ = take()
                    var toYear = from.year
                    if let y = number(), y.digits == 4 {
                        toYear = y.value
                        _ = take()
                    }
                    let to: LocalDate
                    if let w = word(), let m = Self.month(w) {
                        _ = take()
                        guard let d = number(), d.digits <= 2 else { throw ParseError("jour attendu après \(w)") }
                        _ = take()
                        to = LocalDate(year: toYear, month: m, day: d.value)
                    } else if let d = number(), d.digits <= 2 {
                        _ = take()
                        to = LocalDate(year: toYear, month: from.month, day: d.value)
                    } else {
                        throw ParseError("fin de période attendue")
                    }
                    guard to.isValid else { throw ParseError("date invalide \(to)") }
                    guard from <= to else { throw ParseError("période à l’envers (\(from) – \(to))") }
                    guard rule.dates.isEmpty, rule.validFrom == nil else { throw ParseError("plusieurs périodes datées dans une règle : non pris en charge") }
                    rule.validFrom = from
                    rule.validUntil = to
                } else if isSymbol("+") {
                    _ = take()
                    guard rule.dates.isEmpty, rule.validFrom == nil else { throw ParseError("plusieurs périodes datées dans une règle : non pris en charge") }
                    rule.validFrom = from
                } else {
                    guard rule.validFrom == nil else { throw ParseError("date et période mêlées dans une règle : non pris en charge") }
                    rule.dates.append(from)
                }
                guard isSymbol(","), startsYear(1) || (word(1).flatMap(Self.month) != nil && number(2) != nil) else { break }
                _ = take()
                if let y = number(), y.digits == 4 {
                    year = y.value
                    _ = take()
                }
            }
        }

        mutating func monthDay(year: Int) throws -> LocalDate {
            guard let w = word(), let m = Self.month(w) else { throw ParseError("mois attendu") }
            _ = take()
            guard let d = number(), d.digits <= 2, !isSymbol(":", 1) else { throw ParseError("jour attendu après \(w)") }
            _ = take()
            let date = LocalDate(year: year, month: m, day: d.value)
            guard date.isValid else { throw ParseError("date invalide \(year) \(w) \(d.value)") }
            return date
        }

        /// `Oct-Jun`, `Jan,Mar`, `Dec 24`, `Dec 24-26`, `Dec 24-Jan 02` (every year).
        mutating func monthRanges(_ rule: inout ScheduleRule) throws {
            while let w = word(), let a = Self.month(w) {
                _ = take()
                if let d = number(), d.digits <= 2, !isSymbol(":", 1) {
                    // A day of the year.
                    _ = take()
                    guard (1...31).contains(d.value), d.value <= LocalDate.daysIn(month: a, year: 2028) else { throw ParseError("jour invalide \(w) \(d.value)") }
                    var range = MonthDayRange(fromMonth: a, fromDay: d.value, toMonth: a, toDay: d.value)
                    if isSymbol("-") {
                        _ = take()
                        if let w2 = word(), let b = Self.month(w2) {
                            _ = take()
                            guard let d2 = number(), d2.digits <= 2, (1...31).contains(d2.value), d2.value <= LocalDate.daysIn(month: b, year: 2028) else { throw ParseError("jour attendu après \(w2)") }
                            _ = take()
                            range.toMonth = b
                            range.toDay = d2.value
                        } else if let d2 = number(), d2.digits <= 2, (1...31).contains(d2.value), d2.value <= LocalDate.daysIn(month: a, year: 2028) {
                            _ = take()
                            range.toDay = d2.value
                        } else {
                            throw ParseError("fin de période attendue après \(w) \(d.value)")
                        }
                    }
                    rule.monthDays.append(range)
                } else if isSymbol("-"), let w2 = word(1), let b = Self.month(w2) {
                    at += 2
                    var m = a
                    for _ in 0..<12 {
                        rule.months.append(m)
                        if m == b { break }
                        m = m % 12 + 1
                    }
                } else {
                    rule.months.append(a)
                }
                // Another month in the list: `Jan,Mar`.
                guard isSymbol(","), let w3 = word(1), Self.month(w3) != nil else { break }
                _ = take()
            }
        }

        /// `01-53/2`, `1,3,5`, `10-20`.
        mutating func weekRanges() throws -> [WeekRange] {
            var out: [WeekRange] = []
            repeat {
                if !out.isEmpty { _ = take() }
                guard let a = number(), (1...53).contains(a.value) else { throw ParseError("numéro de semaine attendu (1 à 53)") }
                _ = take()
                var range = WeekRange(from: a.value, to: a.value)
                if isSymbol("-") {
                    guard let b = number(1), (a.value...53).contains(b.value) else { throw ParseError("fin de semaines attendue (jusqu’à 53)") }
                    at += 2
                    range.to = b.value
                    if isSymbol("/") {
                        guard let s = number(1), (1...52).contains(s.value) else { throw ParseError("pas de semaines attendu") }
                        at += 2
                        range.step = s.value
                    }
                }
                out.append(range)
            } while isSymbol(",") && number(1) != nil && !startsTime(1)
            return out
        }

        // MARK: Small ranges: weekdays and holidays

        mutating func smallRange(_ rule: inout ScheduleRule) throws {
            var first = true
            while let w = word() {
                if w == "PH" || w == "SH" {
                    _ = take()
                    if w == "PH" { rule.publicHolidays = true } else { rule.schoolHolidays = true }
                } else if let a = Self.weekday(w) {
                    _ = take()
                    try weekday(a, &rule)
                } else {
                    if first { break }
                    throw ParseError("jour inconnu « \(w) »")
                }
                first = false
                // Another weekday or holiday in the list.
                guard isSymbol(","), let next = word(1), Self.weekday(next) != nil || next == "PH" || next == "SH" else { break }
                _ = take()
            }
            if let w = word(), Self.weekday(w) != nil || w == "PH" || w == "SH" {
                // `PH Mo`: an intersection of holiday and weekday, not supported.
                throw ParseError("« \(w) » après une liste de jours : non pris en charge")
            }
        }

        mutating func weekday(_ a: Int, _ rule: inout ScheduleRule) throws {
            if isSymbol("-"), let w = word(1), let b = Self.weekday(w) {
                at += 2
                var d = a
                for _ in 0..<7 {
                    rule.days.append(WeekdaySelector(weekday: d))
                    if d == b { break }
                    d = d % 7 + 1
                }
                if isSymbol("[") { throw ParseError("rang après une plage de jours : non pris en charge") }
                return
            }
            var nth: [Int] = []
            if isSymbol("[") {
                _ = take()
                repeat {
                    if !nth.isEmpty { _ = take() }
                    let negative = isSymbol("-")
                    if negative { _ = take() }
                    guard let n = number(), (1...5).contains(n.value) else { throw ParseError("rang attendu entre 1 et 5 dans [ ]") }
                    _ = take()
                    if !negative, isSymbol("-") {
                        guard let m = number(1), (n.value...5).contains(m.value) else { throw ParseError("plage de rangs invalide") }
                        at += 2
                        nth += Array(n.value...m.value)
                    } else {
                        nth.append(negative ? -n.value : n.value)
                    }
                } while isSymbol(",")
                guard isSymbol("]") else { throw ParseError("« ] » attendu") }
                _ = take()
                if isSymbol("+") || isSymbol("-"), number(1) != nil { throw ParseError("décalage en jours non pris en charge") }
            }
            if let k = rule.days.firstIndex(where: { $0.weekday == a && !$0.nth.isEmpty && !nth.isEmpty }) {
                rule.days[k].nth = Array(Set(rule.days[k].nth + nth)).sorted(by: WeekdaySelector.nthOrder)
            } else {
                rule.days.append(WeekdaySelector(weekday: a, nth: nth))
            }
        }

        // MARK: Times

        mutating func times() throws -> [TimeSpan] {
            var out: [TimeSpan] = []
            repeat {
                if !out.isEmpty { _ = take() }
                let open = try time()
                guard open < 1440 else { throw ParseError("heure d’ouverture invalide \(TimeSpan.hhmm(open))") }
                if isSymbol("+") {
                    _ = take()
                    out.append(TimeSpan(open: open, close: nil))
                    continue
                }
                guard isSymbol("-") else { throw ParseError("« - » attendu après \(TimeSpan.hhmm(open))") }
                _ = take()
                let close = try time()
                guard close != open else { throw ParseError("plage vide \(TimeSpan.hhmm(open))-\(TimeSpan.hhmm(close))") }
                if isSymbol("+") || isSymbol("/") { throw ParseError("plage à fin ouverte ou périodique non prise en charge") }
                out.append(TimeSpan(open: open, close: close))
            } while isSymbol(",") && startsTime(1)
            return out
        }

        mutating func time() throws -> Int {
            guard let h = number(), h.digits <= 2 else {
                if let w = word(), ["sunrise", "sunset", "dawn", "dusk"].contains(w) { throw ParseError("heures solaires (\(w)) non prises en charge") }
                throw ParseError("heure attendue, « \(describe(peek())) » trouvé")
            }
            guard isSymbol(":", 1), let m = number(2), m.digits == 2 else { throw ParseError("heure au format hh:mm attendue") }
            at += 3
            guard (0...48).contains(h.value), (0..<60).contains(m.value) else { throw ParseError("heure invalide \(h.value):\(m.value)") }
            return h.value * 60 + m.value
        }
    }

    // MARK: Formatting

    /// The OSM string a listing publishes: its schedule with its exception dates; a listing that
    /// is temporarily closed (or no longer active) says so, whatever its usual hours (those stay
    /// in its structured schedule rows).
    public static func published(_ c: ListingContent) -> String? {
        switch c.status {
        case .temporarily_closed: return "off \"fermé temporairement\""
        case .inactive, .defunct: return "off \"fermé\""
        case .active: return format(c.schedule)
        }
    }

    /// The canonical OSM string, or nil when a rule carries a recurrence OSM
    /// cannot say (every other week from an anchor, a count). Exception dates
    /// (iCalendar EXDATE) become dated `off` rules at the end: `2026 Dec 31 18:00-20:00 off`.
    public static func format(_ schedule: Schedule) -> String? {
        guard !schedule.rules.isEmpty else { return nil }
        var parts: [(String, Bool)] = []
        for rule in schedule.rules {
            guard rule.interval == 1, rule.count == nil else { return nil }
            parts.append((format(rule), rule.additive))
        }
        if !schedule.exceptions.isEmpty {
            let evaluator = ScheduleEvaluator(Schedule(rules: schedule.rules))
            for ex in schedule.exceptions.sorted() {
                let span = evaluator.spans(on: ex.date).first { $0.open == ex.minutes }
                var off = ScheduleRule(dates: [ex.date], off: true)
                if let span, evaluator.spans(on: ex.date).count > 1 { off.times = [span] }
                parts.append((format(off), false))
            }
        }
        var out = ""
        for (i, p) in parts.enumerated() {
            if i > 0 { out += p.1 ? ", " : "; " }
            out += p.0
        }
        return out
    }

    public static func format(_ rule: ScheduleRule) -> String {
        var pieces: [String] = []
        if !rule.dates.isEmpty {
            pieces.append(rule.dates.map(date).joined(separator: ","))
        } else if let from = rule.validFrom {
            if let until = rule.validUntil, from.month == 1, from.day == 1, until.month == 12, until.day == 31 {
                pieces.append(from.year == until.year ? "\(from.year)" : "\(from.year)-\(until.year)")
            } else if let until = rule.validUntil {
                pieces.append(date(from) + "-" + date(until))
            } else {
                pieces.append(date(from) + "+")
            }
        } else if let until = rule.validUntil {
            // OSM has no "until": a range from a date long past says the same.
            pieces.append("2000 Jan 01-" + date(until))
        }
        if rule.dates.isEmpty {
            var wide: [String] = []
            if !rule.months.isEmpty { wide.append(formatMonths(rule.months)) }
            wide += rule.monthDays.map(formatMonthDay)
            if !wide.isEmpty { pieces.append(wide.joined(separator: ",")) }
        }
        if !rule.weeks.isEmpty {
            pieces.append("week " + rule.weeks.map { w in
                w.from == w.to ? pad(w.from) : "\(pad(w.from))-\(pad(w.to))" + (w.step > 1 ? "/\(w.step)" : "")
            }.joined(separator: ","))
        }
        var sel = formatDays(rule.days)
        if rule.publicHolidays { sel = sel.isEmpty ? "PH" : sel + ",PH" }
        if rule.schoolHolidays { sel = sel.isEmpty ? "SH" : sel + ",SH" }
        if !sel.isEmpty { pieces.append(sel) }
        if rule.off {
            if !rule.times.isEmpty { pieces.append(spans(rule.times)) }
            pieces.append("off")
        } else if pieces.isEmpty, rule.times == [TimeSpan(open: 0, close: 1440)] {
            pieces.append("24/7")
        } else {
            pieces.append(spans(rule.times))
        }
        if let c = rule.comment, !c.isEmpty { pieces.append("\"" + c.replacingOccurrences(of: "\"", with: "'") + "\"") }
        return pieces.joined(separator: " ")
    }

    static func spans(_ times: [TimeSpan]) -> String {
        times.map { t in t.close.map { "\(TimeSpan.hhmm(t.open))-\(TimeSpan.hhmm($0))" } ?? "\(TimeSpan.hhmm(t.open))+" }.joined(separator: ",")
    }

    static func date(_ d: LocalDate) -> String {
        "\(d.year) \(monthNames[max(1, min(12, d.month)) - 1]) \(pad(d.day))"
    }

    static func formatMonthDay(_ r: MonthDayRange) -> String {
        let a = "\(monthNames[max(1, min(12, r.fromMonth)) - 1]) \(pad(r.fromDay))"
        if r.fromMonth == r.toMonth && r.fromDay == r.toDay { return a }
        if r.fromMonth == r.toMonth && r.fromDay < r.toDay { return a + "-" + pad(r.toDay) }
        return a + "-\(monthNames[max(1, min(12, r.toMonth)) - 1]) \(pad(r.toDay))"
    }

    static func pad(_ n: Int) -> String { n < 10 && n >= 0 ? "0\(n)" : "\(n)" }

    static func formatMonths(_ months: [Int]) -> String {
        let valid = months.filter { (1...12).contains($0) }
        // Contiguous (wrapping) run → range; otherwise a list.
        let set = Set(valid)
        if set.count >= 2, set.count < 12 {
            for start in 1...12 where set.contains(start) && !set.contains(start == 1 ? 12 : start - 1) {
                var run = [start]
                var m = start % 12 + 1
                while set.contains(m) && run.count < 12 {
                    run.append(m)
                    m = m % 12 + 1
                }
                if run.count == set.count, let a = run.first, let b = run.last {
                    return monthNames[a - 1] + "-" + monthNames[b - 1]
                }
            }
        }
        return valid.map { monthNames[$0 - 1] }.joined(separator: ",")
    }

    /// `Mo,Tu,We,Th,Fr` → `Mo-Fr`; nth selectors kept as `Tu[1,3]`.
    public static func formatDays(_ days: [WeekdaySelector]) -> String {
        var parts: [String] = []
        let plainSet = Set(days.filter { $0.nth.isEmpty && (1...7).contains($0.weekday) }.map(\.weekday)).sorted()
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
        for d in days where !d.nth.isEmpty && (1...7).contains(d.weekday) {
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
        days.filter { (1...7).contains($0.weekday) }.flatMap { d -> [String] in
            let name = WeekdaySelector.icalNames[d.weekday - 1]
            return d.nth.isEmpty ? [name] : d.nth.map { "\($0)\(name)" }
        }.joined(separator: ",")
    }
}
