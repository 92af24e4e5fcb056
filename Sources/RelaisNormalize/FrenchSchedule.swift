import RelaisModel

/// What Relais understands of a French sentence about opening hours.
public struct ScheduleReading: Sendable, Equatable {
    /// The structured schedule, when the text is a recurring schedule with hours.
    public var schedule: Schedule?
    /// Its OSM `opening_hours` form.
    public var openingHours: String? { schedule.flatMap { OpeningHours.format($0) } }
    /// Why there is no schedule (French), when there is none.
    public var reason: String?
    /// Things a human should know: by appointment, hours missing, school terms…
    public var flags: [Flag]
    /// Days named without hours (for the record, never turned into hours).
    public var daysWithoutHours: [WeekdaySelector]
    /// The text was an OSM string already.
    public var wasOSM: Bool
}

/// French schedule text → ``Schedule``. Never guesses: text that does not give
/// days *and* hours of a recurring schedule yields no schedule, a reason and
/// flags, and its raw text is kept by the caller.
public enum FrenchSchedule {
    // MARK: Tokens

    enum Token: Equatable {
        case day(Int)
        case ordinal(Int)
        case month(Int)
        case time(Int, explicit: Bool)
        case number(Int)
        case word(String)
        case punct(Character)
    }

    static let dayWords: [String: Int] = [
        "lundi": 1, "lundis": 1, "lun": 1, "mardi": 2, "mardis": 2, "mar": 2, "mercredi": 3, "mercredis": 3, "mer": 3,
        "jeudi": 4, "jeudis": 4, "jeu": 4, "vendredi": 5, "vendredis": 5, "ven": 5, "samedi": 6, "samedis": 6, "sam": 6,
        "dimanche": 7, "dimanches": 7, "dim": 7,
    ]
    static let monthWords: [String: Int] = [
        "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6,
        "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10, "novembre": 11,
        "nov": 11, "decembre": 12, "dec": 12,
    ]
    static let ordinalWords: [String: Int] = [
        "premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2, "troisieme": 3, "quatrieme": 4,
        "cinquieme": 5, "dernier": -1, "derniere": -1,
    ]

    /// Lower-case, accent-free text with the punctuation that matters kept.
    static func prepare(_ raw: String) -> [Character] {
        var s = ""
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "–", "—", "‑", "−": s.append("-")
            case "’", "‘", "'", "`": s.append(" ")
            case "\u{A0}", "\u{202F}", "\n", "\r", "\t": s.append(" ")
            case "«", "»", "\"": s.append(" ")
            default:
                if (0xC0...0x17F).contains(scalar.value) {
                    let base = Text.latinFold[Int(scalar.value - 0xC0)]
                    // Keep case: lower-casing follows.
                    s += scalar.properties.isUppercase ? base.uppercased() : base
                } else if scalar.value >= 0x300 && scalar.value <= 0x36F {
                    continue
                } else {
                    s.unicodeScalars.append(scalar)
                }
            }
        }
        return Array(s.lowercased())
    }

    static func tokenize(_ raw: String) -> [Token] {
        let c = prepare(raw)
        var tokens: [Token] = []
        var i = 0
        func skipSpaces(_ j: inout Int) { while j < c.count && c[j] == " " { j += 1 } }
        func readInt(_ j: inout Int) -> Int? {
            var v = 0, n = 0
            // A long run of digits (a phone number, an id) is one number, kept below any
            // meaningful value so that it never overflows nor reads as an hour or a day.
            while j < c.count, c[j].isASCII, let d = c[j].wholeNumberValue {
                if n < 9 { v = v * 10 + d } else { v = 999_999_999 }
                j += 1
                n += 1
            }
            return n > 0 ? v : nil
        }
        func wordAt(_ j: Int) -> String {
            var k = j
            var w = ""
            while k < c.count && c[k].isLetter { w.append(c[k]); k += 1 }
            return w
        }
        while i < c.count {
            let ch = c[i]
            if ch == " " { i += 1; continue }
            if ch.isASCII, ch.isNumber {
                var j = i
                guard let n = readInt(&j) else { i += 1; continue }
                // Ordinal: 1er, 2e, 3eme, 2nd…
                let suffix = wordAt(j)
                if ["er", "ere", "e", "eme", "nd", "nde", "ieme"].contains(suffix), (1...5).contains(n) {
                    tokens.append(.ordinal(n))
                    i = j + suffix.count
                    continue
                }
                // Time: 14h, 14h30, 14 h 30, 14:30, 20 heures.
                var k = j
                skipSpaces(&k)
                if k < c.count, c[k] == ":" || c[k] == "h" {
                    let w = wordAt(k)
                    let isH = c[k] == ":" || w == "h" || w == "heure" || w == "heures" || (w.hasPrefix("h") && w.count == 1)
                    if isH || (c[k] == "h" && (k + 1 >= c.count || !c[k + 1].isLetter)) {
                        var m = c[k] == ":" ? k + 1 : k + max(1, w.count)
                        if c[k] == "h" && (w == "heure" || w == "heures") { m = k + w.count }
                        var mm = m
                        skipSpaces(&mm)
                        var minutes = 0
                        if mm < c.count, c[mm].isNumber {
                            var q = mm
                            if let v = readInt(&q), q - mm == 2, v < 60 {
                                minutes = v
                                m = q
                            }
                        }
                        if n <= 24 {
                            tokens.append(.time(n * 60 + minutes, explicit: true))
                        } else {
                            tokens.append(.word("heures-invalides"))
                        }
                        i = m
                        continue
                    }
                }
                tokens.append(.number(n))
                i = j
                continue
            }
            if ch.isLetter {
                let w = wordAt(i)
                i += w.count
                // "midi" is noon, except in "après-midi".
                if w == "midi", tokens.last != .word("apres"), !(tokens.last == .punct("-") && tokens.dropLast().last == .word("apres")) { tokens.append(.time(12 * 60, explicit: true)); continue }
                if w == "minuit" { tokens.append(.time(24 * 60, explicit: true)); continue }
                if let d = dayWords[w] {
                    // Abbreviations ("mer", "sam") only as words of their own: not in "Cagnes-sur-Mer".
                    let start = i - w.count
                    if w.count == 3, start > 0, c[start - 1] == "-" || c[start - 1].isLetter {
                        tokens.append(.word(w))
                        continue
                    }
                    tokens.append(.day(d))
                    if i < c.count, c[i] == "." { i += 1 }
                    continue
                }
                if let m = monthWords[w] { tokens.append(.month(m)); continue }
                if let o = ordinalWords[w] { tokens.append(.ordinal(o)); continue }
                tokens.append(.word(w))
                continue
            }
            tokens.append(.punct(ch))
            i += 1
        }
        return tokens
    }

    /// Whether a text names a weekday ("le mardi", "lun.").
    public static func mentionsWeekday(_ text: String) -> Bool {
        tokenize(text).contains { if case .day = $0 { return true } else { return false } }
    }

    /// A season stated in a text: "d’octobre à juin" → [10, 11, 12, 1, …, 6].
    public static func season(in text: String) -> [Int]? {
        let tokens = tokenize(text)
        for (i, t) in tokens.enumerated() {
            guard case .month(let a) = t, i + 2 < tokens.count, case .month(let b) = tokens[i + 2] else { continue }
            guard case .word(let w) = tokens[i + 1], w == "a" || w == "au" else { continue }
            var months = [a]
            var m = a
            while m != b { m = m % 12 + 1; months.append(m) }
            return months
        }
        return nil
    }

    // MARK: Reading

    struct Group {
        var days: [WeekdaySelector] = []
        var everyDay = false
        var spans: [TimeSpan] = []
        var openEnded = false
    }

    public static func read(_ raw: String) -> ScheduleReading {
        let trimmed = Text.squeeze(raw)
        var flags: [Flag] = []
        if trimmed.isEmpty {
            return ScheduleReading(schedule: nil, reason: "Aucun horaire indiqué.", flags: [], daysWithoutHours: [], wasOSM: false)
        }
        // OSM syntax starts with a day, a month, a year or a time, in ASCII.
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }), let s = try? OpeningHours.parse(trimmed) {
            return ScheduleReading(schedule: s, reason: nil, flags: [], daysWithoutHours: [], wasOSM: true)
        }
        let tokens = tokenize(trimmed)
        let words = Set(tokens.compactMap { if case .word(let w) = $0 { return w } else { return nil } })
        let text = " " + String(prepare(trimmed)).replacingOccurrences(of: "-", with: " ") + " "
        func has(_ phrase: String) -> Bool {
            Text.has(text, " " + phrase + " ") || Text.has(text, " " + phrase + ",") || Text.has(text, " " + phrase + ".")
        }

        if has("sur rendez vous") || has("sur rdv") || has("uniquement sur rendez vous") {
            flags.append(Flag("by_appointment", field: "schedule", "Sur rendez-vous."))
        }
        if has("en periode scolaire") || has("hors vacances scolaires") || has("sauf vacances scolaires") {
            flags.append(Flag("school_terms", field: "schedule", "En période scolaire seulement."))
        }
        let monthly = has("par mois") || has("du mois") || has("chaque mois") || has("mensuel") || has("mensuelle")
        let vague = has("fois par mois") || has("au moins") || has("bimensuel") || has("bimensuelle") || has("tous les deux mois")
            || has("une semaine sur deux") || has("tous les quinze jours") || has("par semaine") || has("hebdomadaires")
            || has("hebdomadaire") || has("fois par semaine") || words.contains("heures-invalides")
        let phoneContext = words.contains("tel") || words.contains("telephone") || words.contains("joignable") || words.contains("appeler")

        var groups: [Group] = []
        var current = Group()
        var pendingOrdinals: [Int] = []
        var defaultOpen: Int?
        var monthsOff: [Int] = []
        var season: [Int] = []
        var phOff = false
        var explicitDate = false
        var closeOverrides: [(day: Int, close: Int)] = []

        func flush() {
            if !current.days.isEmpty || current.everyDay || !current.spans.isEmpty { groups.append(current) }
            current = Group()
        }
        func addDay(_ d: Int) {
            if !current.spans.isEmpty || (current.everyDay && current.days.isEmpty) { flush() }
            current.days.append(WeekdaySelector(weekday: d, nth: pendingOrdinals))
            pendingOrdinals = []
        }
        func word(_ i: Int) -> String? {
            guard i >= 0, i < tokens.count, case .word(let w) = tokens[i] else { return nil }
            return w
        }
        func isPunct(_ i: Int, _ p: Character) -> Bool {
            guard i >= 0, i < tokens.count, case .punct(let c) = tokens[i] else { return false }
            return c == p
        }
        func timeValue(_ i: Int) -> Int? {
            guard i >= 0, i < tokens.count else { return nil }
            if case .time(let t, _) = tokens[i] { return t }
            return nil
        }
        func months(from i: Int) -> (months: [Int], end: Int)? {
            // "juillet et (en) août", "juillet-août", "octobre à juin"
            guard i < tokens.count, case .month(let a) = tokens[i] else { return nil }
            var j = i + 1
            var list = [a]
            while j < tokens.count {
                if word(j) == "et" || word(j) == "en" || isPunct(j, ",") { j += 1; continue }
                if (word(j) == "a" || word(j) == "au" || isPunct(j, "-")), j + 1 < tokens.count, case .month(let b) = tokens[j + 1] {
                    var m = list.last!
                    while m != b { m = m % 12 + 1; list.append(m) }
                    j += 2
                    continue
                }
                if case .month(let b) = tokens[j] { list.append(b); j += 1; continue }
                break
            }
            return (list, j)
        }

        var i = 0
        var inParens = false
        var parenStart = 0
        while i < tokens.count {
            let t = tokens[i]
            switch t {
            case .punct("("):
                inParens = true
                parenStart = i
            case .punct(")"):
                // "(16h le vendredi)": the last span closes earlier that day.
                if inParens {
                    let inner = Array(tokens[(parenStart + 1)..<i])
                    let times = inner.compactMap { tok -> Int? in if case .time(let v, _) = tok { return v } else { return nil } }
                    let days = inner.compactMap { tok -> Int? in if case .day(let v) = tok { return v } else { return nil } }
                    if times.count == 1, !days.isEmpty, groups.last != nil || !current.spans.isEmpty {
                        for d in days { closeOverrides.append((d, times[0])) }
                    }
                }
                inParens = false
            case .ordinal(let n):
                if inParens { break }
                // "le 1er juillet": a date, not a rank.
                if i + 1 < tokens.count, case .month = tokens[i + 1] { explicitDate = true; break }
                pendingOrdinals.append(n)
            case .day(let d):
                if inParens { break }
                // "jeudi 12 octobre": a date.
                if i + 2 < tokens.count, case .number(let n) = tokens[i + 1], (1...31).contains(n), case .month = tokens[i + 2] {
                    explicitDate = true
                }
                // Range "du lundi au vendredi", "lundi-vendredi", "de lundi à vendredi".
                if i >= 2, case .day(let a) = tokens[i - 2], word(i - 1) == "au" || word(i - 1) == "a" || isPunct(i - 1, "-"),
                    let last = current.days.last, last.weekday == a, last.nth.isEmpty
                {
                    var k = a
                    while k != d {
                        k = k % 7 + 1
                        current.days.append(WeekdaySelector(weekday: k))
                    }
                } else {
                    // Ordinals apply to the days that share them: "les 1er et 3e mardi et jeudi".
                    if pendingOrdinals.isEmpty, i >= 2, word(i - 1) == "et", case .day = tokens[i - 2], let prev = current.days.last, !prev.nth.isEmpty {
                        pendingOrdinals = prev.nth
                    }
                    addDay(d)
                }
            case .month:
                if inParens { break }
                if i >= 1, case .number(let n) = tokens[i - 1], (1...31).contains(n) { explicitDate = true; break }
                if let r = months(from: i) {
                    let before = [word(i - 1), word(i - 2), word(i - 3)].compactMap { $0 }
                    if before.contains(where: { ["sauf", "ferme", "fermes", "fermee", "fermeture", "hors", "excepte"].contains($0) }) {
                        monthsOff += r.months
                    } else if r.months.count > 1 {
                        season = r.months
                    }
                    i = r.end
                    continue
                }
            case .word(let w):
                if inParens { break }
                if !["et", "le", "les", "des", "du", "de", "chaque", "mois"].contains(w) { pendingOrdinals = [] }
                if w == "jours" || w == "jour" {
                    if word(i - 1) == "les" && word(i - 2) == "tous" || word(i - 1) == "chaque" {
                        if word(i + 1) == "de" && word(i + 2) == "la" && word(i + 3) == "semaine" {
                            if !current.spans.isEmpty { flush() }
                            for d in 1...5 { current.days.append(WeekdaySelector(weekday: d)) }
                            i += 4
                            continue
                        }
                        if word(i + 1) == "feries" { break }
                        if !current.spans.isEmpty || !current.days.isEmpty { flush() }
                        current.everyDay = true
                    } else if word(i + 1) == "feries" && ["hors", "sauf", "ferme", "fermes", "fermee"].contains(word(i - 1) ?? "") {
                        phOff = true
                    }
                } else if w == "feries" && (word(i - 1) == "les" || word(i - 1) == "jours") {
                    if ["hors", "sauf", "ferme", "fermes", "fermee"].contains(word(i - 2) ?? "") || ["hors", "sauf", "ferme", "fermee"].contains(word(i - 3) ?? "") { phOff = true }
                } else if w == "semaine" && word(i - 1) == "en" {
                    if !current.spans.isEmpty { flush() }
                    for d in 1...5 { current.days.append(WeekdaySelector(weekday: d)) }
                } else if w == "ouverture", let v = timeValue(i + 2) ?? timeValue(i + 1) {
                    defaultOpen = v
                    i += timeValue(i + 2) != nil ? 3 : 2
                    continue
                } else if w == "fermeture", let v = timeValue(i + 2) ?? timeValue(i + 1), let open = defaultOpen {
                    current.spans.append(TimeSpan(open: open, close: v))
                    i += timeValue(i + 2) != nil ? 3 : 2
                    continue
                }
            case .time, .number:
                if inParens { break }
                // A bare number is an hour only when a time range follows: "de 18 à 20 h".
                var open: Int
                switch t {
                case .time(let v, _): open = v
                case .number(let n):
                    let sep = word(i + 1) == "a" || isPunct(i + 1, "-") || word(i + 1) == "et"
                    guard (0...24).contains(n), sep, timeValue(i + 2) != nil else {
                        pendingOrdinals = []
                        i += 1
                        continue
                    }
                    open = n * 60
                default: open = 0
                }
                // Range "14h-17h", "de 14h à 17h", "entre 14 h 30 et 18 h".
                let connector = word(i + 1) == "a" || isPunct(i + 1, "-") || (word(i + 1) == "et" && word(i - 1) == "entre")
                if connector, let end = timeValue(i + 2) {
                    current.spans.append(TimeSpan(open: open, close: end))
                    i += 3
                    continue
                }
                // A lone start time: "le jeudi à 14h30".
                current.spans.append(TimeSpan(open: open, close: nil))
                current.openEnded = true
            default:
                break
            }
            i += 1
        }
        flush()

        // "(16h le vendredi)": split that day out with the earlier close.
        for o in closeOverrides {
            guard let gi = groups.lastIndex(where: { g in g.days.contains { $0.weekday == o.day && $0.nth.isEmpty } } ) else { continue }
            var g = groups[gi]
            g.days.removeAll { $0.weekday == o.day && $0.nth.isEmpty }
            var special = Group(days: [WeekdaySelector(weekday: o.day)], spans: groups[gi].spans)
            if let last = special.spans.indices.last { special.spans[last].close = o.close }
            groups[gi] = g
            groups.insert(special, at: gi + 1)
        }

        // Days that share the spans of the group after them: "lundi, mercredi : 10h-12h".
        let withHours = groups.filter { !$0.spans.isEmpty && (!$0.days.isEmpty || $0.everyDay) }
        let daysOnly = groups.filter { $0.spans.isEmpty && !$0.days.isEmpty }
        let hoursOnly = groups.filter { !$0.spans.isEmpty && $0.days.isEmpty && !$0.everyDay }
        let everyDayContext = groups.contains { $0.everyDay && $0.spans.isEmpty }

        func result(_ reason: String, _ extra: [Flag] = []) -> ScheduleReading {
            ScheduleReading(schedule: nil, reason: reason, flags: flags + extra, daysWithoutHours: daysOnly.flatMap(\.days), wasOSM: false)
        }

        if explicitDate {
            return result("Date précise : un événement daté, pas un horaire récurrent.", [Flag("dated_event", field: "schedule", "Date précise, pas un horaire récurrent.")])
        }
        if withHours.isEmpty {
            if !hoursOnly.isEmpty && !everyDayContext {
                if phoneContext {
                    return result("Heures de permanence téléphonique, pas des heures d’ouverture.", [Flag("phone_hours", field: "schedule", "Heures de joignabilité téléphonique.")])
                }
                return result("Des heures sans jours : impossible de savoir quand.", [Flag("days_missing", field: "schedule", "Jours non précisés.")])
            }
            if !daysOnly.isEmpty || everyDayContext {
                return result("Des jours sans heures : les heures ne sont pas inventées.", [Flag("hours_missing", field: "schedule", "Heures non précisées.")])
            }
            if vague || monthly {
                return result("Fréquence sans jour ni heure précis.", [Flag("vague_frequency", field: "schedule", "Fréquence imprécise.")])
            }
            return result("Ce texte ne décrit pas un horaire.", [Flag("not_a_schedule", field: "schedule", "Texte non reconnu comme horaire.")])
        }
        // "un samedi par mois": a monthly rhythm without the week of the month.
        if monthly || vague {
            let unranked = withHours.contains { g in g.everyDay || g.days.contains { $0.nth.isEmpty } }
            if unranked {
                return result("Rythme mensuel sans semaine du mois précisée : le jour n’est pas inventé.", [Flag("vague_frequency", field: "schedule", "Semaine du mois non précisée.")])
            }
        }
        if phoneContext && withHours.isEmpty {
            return result("Heures de permanence téléphonique.")
        }

        var rules: [ScheduleRule] = []
        for g in groups where !g.spans.isEmpty && (!g.days.isEmpty || g.everyDay) {
            var days = g.days
            if days.isEmpty && g.everyDay { days = (1...7).map { WeekdaySelector(weekday: $0) } }
            // Merge the same weekday named twice with nths: Tu[1] + Tu[3] → Tu[1,3].
            var merged: [WeekdaySelector] = []
            for d in days {
                if let k = merged.firstIndex(where: { $0.weekday == d.weekday && !$0.nth.isEmpty && !d.nth.isEmpty }) {
                    merged[k].nth = Array(Set(merged[k].nth + d.nth)).sorted(by: WeekdaySelector.nthOrder)
                } else if !merged.contains(d) {
                    merged.append(d)
                }
            }
            rules.append(ScheduleRule(months: season, days: merged, times: g.spans))
        }
        if !monthsOff.isEmpty { rules.append(ScheduleRule(months: Array(Set(monthsOff)).sorted(), off: true)) }
        if phOff { rules.append(ScheduleRule(publicHolidays: true, off: true)) }
        if groups.contains(where: \.openEnded) {
            flags.append(Flag("end_time_missing", field: "schedule", "Heure de fin non précisée."))
        }
        if !daysOnly.isEmpty {
            flags.append(Flag("partial_schedule", field: "schedule", "Certains jours sont cités sans heures."))
        }
        return ScheduleReading(schedule: Schedule(rules: rules), reason: nil, flags: flags, daysWithoutHours: daysOnly.flatMap(\.days), wasOSM: false)
    }
}
