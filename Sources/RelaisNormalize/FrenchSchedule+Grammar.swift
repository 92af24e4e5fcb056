import RelaisModel

/// The clause grammar of French schedule text. The token stream is cut into
/// clauses (sentences, `;`, parentheses, « mais », and a new day set once the
/// current clause has its hours), and each clause is read by small rules, each
/// matching at the cursor and consuming what it understood:
///
/// | rule | reads |
/// |---|---|
/// | ``Grammar/publication()`` | « Publié le 28/10/2022 à 09h13 »: page metadata, skipped |
/// | ``Grammar/date()`` | « jeudi 16 janvier 2025 », « les 8 et 9 mars », « 16/01/2025 », « du 1er au 15 août » |
/// | ``Grammar/roundTheClock()`` | « 24h/24 », « 24 heures sur 24 », « 7j/7 », « 7 jours sur 7 », « jour et nuit » |
/// | ``Grammar/openingAndClosing()`` | « ouverture à 5h », « fermeture à 1h », « fermé » (what follows is closed) |
/// | ``Grammar/exception()`` | « sauf », « hors », « excepté »: what follows is taken out |
/// | ``Grammar/holidays()`` | « jours fériés », « vacances scolaires », « en période scolaire » |
/// | ``Grammar/months()`` | « d’octobre à juin », « en juillet et août », « sauf en août » |
/// | ``Grammar/weekParity()`` | « semaines paires / impaires » |
/// | ``Grammar/ranks()`` | « le 1er et 3e mardi », « chaque dernier jeudi du mois » |
/// | ``Grammar/daySet()`` | « du lundi au vendredi », « lun, mar et jeu », « tous les jours », « en semaine », « le week-end » |
/// | ``Grammar/partOfDay()`` | « tous les soirs » (every day); « matin », « soir » are context, never hours |
/// | ``Grammar/timeSet()`` | « de 14h à 17h », « entre 9 h 30 et 12 h », « 14h-17h/18h-20h », « à 14h30 », « de 8 heures à minuit » |
extension FrenchSchedule {
    /// What one clause says.
    struct Clause {
        var days: [WeekdaySelector] = []
        /// « tous les jours », « 7 jours sur 7 ».
        var everyDay = false
        /// « tous les soirs »: every day unless the clause names days.
        var implicitEveryDay = false
        var weeks: [WeekRange] = []
        var exceptDays: Set<Int> = []
        var spans: [TimeSpan] = []
        /// « 24 h sur 24 ».
        var allDay = false
        var openAt: Int?
        var closeAt: Int?
        var off = false
        /// « sauf le dimanche de 14h à 18h »: replaces, never adds.
        var override = false
        var parenthetical = false
        var dates: [LocalDate] = []
        /// A session date without a year: it cannot be placed.
        var undated = false
        /// « y compris les jours fériés ».
        var holidays = false
        /// « pendant les vacances scolaires »: not expressible without a school calendar.
        var schoolHolidaysOnly = false
        /// Days (or dates) were named before the first time.
        var daysBeforeTimes = false
        /// Days were named after times (« de 9h à 17h du lundi au vendredi »): new times start a new clause.
        var daysAfterTimes = false
        var sentence = 0

        var hasDays: Bool { !days.isEmpty || everyDay || !dates.isEmpty }
        var hasTimes: Bool { !spans.isEmpty || allDay || openAt != nil || closeAt != nil || off }
        var isEmpty: Bool {
            days.isEmpty && !everyDay && !implicitEveryDay && spans.isEmpty && !allDay && openAt == nil && closeAt == nil && !off
                && dates.isEmpty && !undated && !holidays && exceptDays.isEmpty && weeks.isEmpty
        }
    }

    /// What the text says as a whole.
    struct Findings {
        var season: [Int] = []
        var seasonDays: [MonthDayRange] = []
        var monthsOff: [Int] = []
        var monthDaysOff: [MonthDayRange] = []
        var datesOff: [LocalDate] = []
        var validFrom: LocalDate?
        var validUntil: LocalDate?
        var publicHolidaysOff = false
        var schoolTermsOnly = false
        var notes: [Flag] = []
    }

    struct Grammar {
        let lx: [Lexeme]
        let source: [Unicode.Scalar]
        var i = 0
        var clause = Clause()
        var clauses: [Clause] = []
        var found = Findings()
        var sentence = 0
        var inParens = false
        /// After « fermé »: days and months that follow are closed.
        var offContext = false
        /// After « sauf », « hors »: what follows is taken out; quoted as a note when no rule reads it.
        var exceptStart: Int?
        var exceptUsed = false

        init(_ raw: String) {
            lx = FrenchSchedule.lex(raw)
            source = Array(raw.unicodeScalars)
        }

        // MARK: Cursor

        func tok(_ k: Int) -> Token? { k >= 0 && k < lx.count ? lx[k].token : nil }
        func word(_ k: Int) -> String? {
            if case .word(let w)? = tok(k) { return w }
            return nil
        }
        func isWord(_ k: Int, _ words: Set<String>) -> Bool { word(k).map(words.contains) ?? false }
        /// A short literal list is compared word by word: building a `Set` from a literal on
        /// every call (hashing each word) was a third of the reader's time.
        func isWord(_ k: Int, _ words: [String]) -> Bool {
            guard let w = word(k) else { return false }
            return words.contains(w)
        }
        func isPunct(_ k: Int, _ p: Character) -> Bool { tok(k) == .punct(p) }
        func dayAt(_ k: Int) -> Int? {
            if case .day(let d)? = tok(k) { return d }
            return nil
        }
        func monthAt(_ k: Int) -> Int? {
            if case .month(let m)? = tok(k) { return m }
            return nil
        }
        func numberAt(_ k: Int) -> Int? {
            if case .number(let n)? = tok(k) { return n }
            return nil
        }
        func ordinalAt(_ k: Int) -> Int? {
            if case .ordinal(let n)? = tok(k) { return n }
            return nil
        }
        func timeAt(_ k: Int, explicitOnly: Bool = false) -> Int? {
            if case .time(let t, let e)? = tok(k), e || !explicitOnly { return t }
            return nil
        }
        func isHardSeparator(_ k: Int) -> Bool {
            switch tok(k) {
            case .punct(let p)?: return [";", ".", "!", "?", "(", ")", "[", "]"].contains(p)
            case .word("mais")?: return true
            default: return false
            }
        }
        /// The words just before `k` (up to `n`, within the sentence and the 12 tokens before).
        func wordsBefore(_ k: Int, _ n: Int) -> [String] {
            var out: [String] = []
            var j = k - 1
            while j >= 0, j >= k - 12, out.count < n, !isHardSeparator(j) {
                if let w = word(j) { out.append(w) }
                j -= 1
            }
            return out
        }
        /// The original text of lexemes a..<b, for notes.
        func quote(_ a: Int, _ b: Int) -> String {
            guard a >= 0, b <= lx.count, a < b else { return "" }
            let s = lx[a].start, e = lx[b - 1].end
            guard s >= 0, e <= source.count, s < e else { return "" }
            var v = String.UnicodeScalarView()
            v.append(contentsOf: source[s..<e])
            return Text.squeeze(String(v))
        }

        // MARK: Driver

        mutating func run() -> (clauses: [Clause], found: Findings) {
            while i < lx.count {
                if isHardSeparator(i) {
                    let p = tok(i)
                    finish(hard: true)
                    if p == .punct("(") || p == .punct("[") { inParens = true }
                    if p == .punct(")") || p == .punct("]") { inParens = false }
                    if p == .punct(".") || p == .punct("!") || p == .punct("?") { sentence += 1 }
                    clause.parenthetical = inParens
                    i += 1
                    continue
                }
                if isPunct(i, ",") { closeException() }
                // « y compris le dimanche », « même le samedi »: days included in what was said.
                let inclusive = startsDaySet(i) && wordsBefore(i, 2).contains { $0 == "compris" || $0 == "meme" }
                if startsDaySet(i), !inclusive, shouldSplit(at: i) {
                    let carryOff = offContext && !clause.off
                    let overriding = exceptStart != nil
                    if overriding { exceptUsed = true }
                    finish(hard: false)
                    offContext = carryOff
                    if overriding {
                        clause.override = true
                        exceptUsed = true
                    }
                }
                // « de 9h à 17h du lundi au vendredi, et de 9h à 12h le samedi »: new hours, new clause.
                if clause.daysAfterTimes, !clause.spans.isEmpty, startsTimeSet(i) {
                    finish(hard: false)
                }
                if publication() || date() || roundTheClock() || openingAndClosing() || exception() || holidays() || months()
                    || weekParity() || ranks() || daySet() || partOfDay() || timeSet()
                {
                    continue
                }
                i += 1
            }
            finish(hard: true)
            return (clauses, found)
        }

        mutating func closeException() {
            if let s = exceptStart, !exceptUsed {
                let q = quote(s, i)
                if !q.isEmpty { found.notes.append(Flag("exception", field: "schedule", "Exception notée : « \(q) ».")) }
            }
            exceptStart = nil
            exceptUsed = false
        }

        mutating func finish(hard: Bool) {
            closeException()
            if offContext, clause.spans.isEmpty, clause.closeAt == nil, !clause.days.isEmpty { clause.off = true }
            if clause.off, !clause.spans.isEmpty {
                // « fermé le lundi de 12h à 14h »: closing part of a day is not said in this model.
                found.notes.append(Flag("partial_closure", field: "schedule", "Fermeture partielle notée, non appliquée."))
                clause.spans = []
                clause.days = []
                clause.off = false
            }
            if !clause.isEmpty {
                clause.sentence = sentence
                clauses.append(clause)
            }
            clause = Clause()
            clause.parenthetical = inParens
            offContext = false
        }

        /// Notes a day or a date named: it comes before the hours or after them.
        mutating func namedDays() {
            if !clause.hasTimes { clause.daysBeforeTimes = true } else { clause.daysAfterTimes = true }
        }

        mutating func addSpan(_ s: TimeSpan) {
            var s = s
            if s.open == 1440 { s.open = 0 }
            if s.close == 0 { s.close = 1440 }
            guard s.open < 1440, s.close != s.open else { return }
            if !clause.spans.contains(s) { clause.spans.append(s) }
        }

        // MARK: Clause boundaries

        static let dayVocabulary: Set<String> = [
            "et", "ou", "le", "les", "la", "l", "du", "de", "des", "au", "aux", "a", "chaque", "tous", "toutes", "jours", "jour",
            "semaine", "semaines", "paire", "paires", "impaire", "impaires", "mois", "matin", "matins", "soir", "soirs", "apres",
            "midi", "midis", "soiree", "soirees", "nuit", "nuits", "week", "end", "weekend", "weekends", "en", "entre", "partir",
            "jusqu", "jusque", "uniquement", "seulement", "egalement", "aussi", "ouvert", "ouverte", "ouverts", "ouvertes",
            "journee", "feries", "ferie", "y", "compris", "sur", "j", "des", "vers", "dans", "journees", "avant",
        ]
        static let closingWords: Set<String> = ["ferme", "fermee", "fermes", "fermees", "fermeture", "fermetures", "ferment", "closed"]
        static let partsOfDay: Set<String> = ["matin", "matins", "soir", "soirs", "soiree", "soirees", "nuit", "nuits", "midis", "matinee", "matinees"]

        /// Whether a time set starts at k: « de 9h », « 9h », « entre 9 h », « de 18 à 20 h ».
        func startsTimeSet(_ k: Int) -> Bool {
            var j = k
            if isWord(j, ["de", "entre", "des", "a"]) { j += 1 }
            if timeAt(j, explicitOnly: true) != nil { return true }
            if let n = numberAt(j), n <= 24, isWord(j + 1, ["a", "et"]) || isPunct(j + 1, "-"), timeAt(j + 2) != nil { return true }
            return false
        }

        /// Whether a day set (or a date) starts at k.
        func startsDaySet(_ k: Int) -> Bool {
            switch tok(k) {
            case .day?: return true
            case .ordinal?:
                var j = k + 1
                while j < min(lx.count, k + 7), !isHardSeparator(j) {
                    if dayAt(j) != nil || monthAt(j) != nil { return true }
                    if timeAt(j) != nil { return false }
                    j += 1
                }
                return false
            case .number(let n)?:
                if (1...31).contains(n), monthAt(k + 1) != nil { return true }
                if (1...31).contains(n), isPunct(k + 1, "/"), numberAt(k + 2) != nil { return true }
                if n == 7, isWord(k + 1, ["jours", "j", "jour"]) { return true }
                return false
            case .word(let w)?:
                if w == "tous" || w == "toutes" || w == "chaque" {
                    var j = k + 1
                    if isWord(j, ["les"]) { j += 1 }
                    if isWord(j, ["jours", "jour"]) || Self.partsOfDay.contains(word(j) ?? "") || isWord(j, ["apres"]) { return true }
                    return dayAt(j) != nil || ordinalAt(j) != nil
                }
                if w == "en" { return isWord(k + 1, ["semaine"]) }
                if w == "jours" { return isWord(k + 1, ["ouvres", "ouvrables"]) || (isWord(k + 1, ["de"]) && isWord(k + 2, ["semaine"])) }
                if w == "toute" { return isWord(k + 1, ["la"]) && isWord(k + 2, ["semaine"]) }
                if w == "fin" || w == "fins" { return isWord(k + 1, ["de"]) && isWord(k + 2, ["semaine"]) }
                if w == "week" || w == "weekend" || w == "weekends" { return true }
                return false
            default:
                return false
            }
        }

        /// A new clause starts at a day set once the current one has its hours and
        /// named its days first, or when the day set comes with hours of its own.
        func shouldSplit(at k: Int) -> Bool {
            guard clause.hasTimes else { return false }
            if exceptStart != nil { return ownTimesAhead(k) }
            if offContext && !clause.off { return true }
            // « de 9h à 17h du lundi au vendredi »: hours said first wait for their days.
            if clause.days.isEmpty, !clause.everyDay, !clause.implicitEveryDay, clause.dates.isEmpty { return false }
            return clause.daysBeforeTimes || ownTimesAhead(k)
        }

        /// Whether hours follow the day set at k, before anything that is not day-set vocabulary.
        func ownTimesAhead(_ k: Int) -> Bool {
            var j = k
            var steps = 0
            var comma = false
            while j < lx.count, steps < 16, !isHardSeparator(j) {
                switch tok(j) {
                case .day?, .ordinal?:
                    // « du mardi au samedi, le dimanche de 10h à 12h »: those hours are the next set's.
                    if comma { return false }
                case .time(_, let explicit)?: return explicit || isWord(j - 1, ["de", "entre"])
                case .number(let n)? where n <= 24:
                    if isWord(j + 1, ["a"]) || isPunct(j + 1, "-") || isWord(j + 1, ["et"]), timeAt(j + 2) != nil { return true }
                case .word(let w)?:
                    // « samedi : fermé », « lundi fermeture à 1h »; not « , fermé les jours fériés ».
                    if Self.closingWords.contains(w) {
                        if isWord(j + 1, ["a", "des", "vers"]), timeAt(j + 2) != nil { return true }
                        return j + 1 >= lx.count || isHardSeparator(j + 1) || dayAt(j + 1) != nil || (isPunct(j + 1, ",") && dayAt(j + 2) != nil)
                    }
                    if !Self.dayVocabulary.contains(w) { return false }
                case .punct(let p)?:
                    if ![",", ":", "-", "/", "&"].contains(p) { return false }
                    if p == "," { comma = true }
                default: break
                }
                j += 1
                steps += 1
            }
            return false
        }

        // MARK: Rules

        /// « Publié le 28/10/2022 à 09h13 et mis à jour le … »: the page's metadata, skipped.
        mutating func publication() -> Bool {
            var j = i
            if isWord(j, ["publie", "publiee", "modifie", "modifiee", "actualise", "actualisee", "poste", "postee"]) {
                j += 1
            } else if isWord(j, ["mis", "mise"]), isWord(j + 1, ["a"]), isWord(j + 2, ["jour"]) {
                j += 3
            } else {
                return false
            }
            if isWord(j, ["le", "depuis"]) { j += 1 }
            let start = j
            var more = true
            while more, j < lx.count, j < start + 8 {
                switch tok(j) {
                case .number?, .month?, .day?, .ordinal?, .punct("/")?: j += 1
                default: more = false
                }
            }
            guard j > start else { return false }
            if isWord(j, ["a"]), timeAt(j + 1) != nil { j += 2 }
            i = j
            return true
        }

        /// One calendar date at k: [weekday] day month [year], or dd/mm/yyyy.
        /// Returns the day numbers (several: « les 8 et 9 mars »), the month, the year and the end.
        func dateGroup(_ k: Int) -> (days: [Int], month: Int, year: Int?, end: Int)? {
            var j = k
            // Numeric: 16/01/2025.
            if let d = numberAt(j), (1...31).contains(d), isPunct(j + 1, "/"), let m = numberAt(j + 2), (1...12).contains(m),
                isPunct(j + 3, "/"), let y = numberAt(j + 4), (1900...2100).contains(y)
            {
                return ([d], m, y, j + 5)
            }
            var days: [Int] = []
            // A list of dates is short: the bound keeps a run of numbers from being rescanned at each one.
            while j < lx.count, days.count < 16 {
                if dayAt(j) != nil, numberAt(j + 1) != nil || ordinalAt(j + 1) == 1 { j += 1 }
                if let n = numberAt(j), (1...31).contains(n) {
                    days.append(n)
                } else if ordinalAt(j) == 1 {
                    days.append(1)
                } else {
                    return nil
                }
                j += 1
                if let m = monthAt(j) {
                    j += 1
                    var year: Int?
                    if let y = numberAt(j), (1900...2100).contains(y) {
                        year = y
                        j += 1
                    }
                    return (days, m, year, j)
                }
                // A list: « les 8, 15 et 22 mars », « samedi 8 et dimanche 9 novembre ».
                guard isPunct(j, ",") || isWord(j, ["et"]) || isPunct(j, "&") else { return nil }
                j += 1
                if isWord(j, ["le", "les"]) { j += 1 }
            }
            return nil
        }

        static func date(_ y: Int, _ m: Int, _ d: Int) -> LocalDate? {
            let date = LocalDate(year: y, month: m, day: d)
            return date.isValid ? date : nil
        }

        /// Dates: sessions (« jeudi 16 janvier 2025 »), seasons and closures (« du 1er au 15 août »),
        /// validity (« à partir du 1er juin 2026 ») and notes (« la prochaine étant le 7 juin »).
        mutating func date() -> Bool {
            switch tok(i) {
            case .number?, .ordinal?, .day?: break
            default: return false
            }
            let before = wordsBefore(i, 4)
            let next = wordsBefore(i, 7).contains { ["prochain", "prochaine", "prochains", "prochaines", "suivant", "suivante"].contains($0) }
            let from = before.contains { ["partir", "compter", "depuis", "reprise", "debut", "des"].contains($0) }
            let until = before.contains { ["jusqu", "jusque"].contains($0) }
            let closing = offContext || exceptStart != nil || before.contains { Self.closingWords.contains($0) }
            // A range: « du 1er au 15 août », « du 24 décembre au 2 janvier », « du 9 octobre 2023 au 22 octobre 2023 ».
            if let r = dateRange(i) {
                if closing {
                    if let a = r.fromYear.flatMap({ Self.date($0, r.fromMonth, r.fromDay) }), let b = r.toYear.flatMap({ Self.date($0, r.toMonth, r.toDay) }) {
                        var d = a
                        var n = 0
                        while d <= b, n < 366 {
                            found.datesOff.append(d)
                            d = d.adding(days: 1)
                            n += 1
                        }
                    } else {
                        found.monthDaysOff.append(MonthDayRange(fromMonth: r.fromMonth, fromDay: r.fromDay, toMonth: r.toMonth, toDay: r.toDay))
                    }
                    if exceptStart != nil { exceptUsed = true }
                } else if let a = r.fromYear.flatMap({ Self.date($0, r.fromMonth, r.fromDay) }), let b = r.toYear.flatMap({ Self.date($0, r.toMonth, r.toDay) }), a <= b {
                    found.validFrom = a
                    found.validUntil = b
                } else {
                    found.seasonDays.append(MonthDayRange(fromMonth: r.fromMonth, fromDay: r.fromDay, toMonth: r.toMonth, toDay: r.toDay))
                }
                i = r.end
                return true
            }
            guard let g = dateGroup(i) else { return false }
            let start = i
            i = g.end
            let dates = g.days.compactMap { d in g.year.flatMap { Self.date($0, g.month, d) } }
            if closing {
                if g.year == nil {
                    found.monthDaysOff += g.days.map { MonthDayRange(fromMonth: g.month, fromDay: $0, toMonth: g.month, toDay: $0) }
                } else {
                    found.datesOff += dates
                }
                if exceptStart != nil { exceptUsed = true }
                return true
            }
            if from || until {
                if let d = dates.first {
                    if from { found.validFrom = d } else { found.validUntil = d }
                } else {
                    let q = quote(max(0, start - 3), i)
                    found.notes.append(Flag("validity_note", field: "schedule", "Période notée sans année : « \(q) »."))
                }
                return true
            }
            if next {
                // The hours said with it are that date's: « prochaine réunion : mardi 8 avril à 18h30 ».
                let saved = clause
                if isPunct(i, ",") { i += 1 }
                while i < lx.count, startsTimeSet(i) || isWord(i, ["jusqu", "jusque"]), timeSet() {}
                clause = saved
                found.notes.append(Flag("next_date", field: "schedule", "Prochaine date citée : « \(quote(start, i)) »."))
                return true
            }
            if g.year == nil {
                clause.undated = true
            } else {
                clause.dates += dates
            }
            namedDays()
            return true
        }

        func dateRange(_ k: Int) -> (fromDay: Int, fromMonth: Int, fromYear: Int?, toDay: Int, toMonth: Int, toYear: Int?, end: Int)? {
            guard isWord(k - 1, ["du", "de"]) else { return nil }
            var j = k
            if dayAt(j) != nil { j += 1 }
            var d1: Int
            if let n = numberAt(j), (1...31).contains(n) {
                d1 = n
            } else if ordinalAt(j) == 1 {
                d1 = 1
            } else {
                return nil
            }
            j += 1
            var m1 = monthAt(j)
            if m1 != nil { j += 1 }
            var y1: Int?
            if m1 != nil, let y = numberAt(j), (1900...2100).contains(y) {
                y1 = y
                j += 1
            }
            if isWord(j, ["jusqu", "jusque"]) { j += 1 }
            guard isWord(j, ["au", "a"]) || isPunct(j, "-") else { return nil }
            j += 1
            if dayAt(j) != nil { j += 1 }
            guard let d2 = numberAt(j), (1...31).contains(d2), let m2 = monthAt(j + 1) else { return nil }
            j += 2
            var y2: Int?
            if let y = numberAt(j), (1900...2100).contains(y) {
                y2 = y
                j += 1
            }
            if m1 == nil { m1 = m2 }
            if y1 == nil, let y2, let m1 { y1 = m1 <= m2 ? y2 : y2 - 1 }
            d1 = max(1, d1)
            guard let m1, d1 <= LocalDate.daysIn(month: m1, year: 2028), d2 <= LocalDate.daysIn(month: m2, year: 2028) else { return nil }
            return (d1, m1, y1, d2, m2, y2, j)
        }

        /// « 24h/24 », « 24 heures sur 24 », « 24/24 », « 24/7 », « 7j/7 », « 7 jours sur 7 »,
        /// « jour et nuit », « quel que soit le jour », « quelle que soit l’heure », « à toute heure ».
        mutating func roundTheClock() -> Bool {
            // 24 h on 24
            if timeAt(i) == 1440 || numberAt(i) == 24, isPunct(i + 1, "/") || isWord(i + 1, ["sur"]), timeAt(i + 2) == 1440 || numberAt(i + 2) == 24 {
                clause.allDay = true
                i += 3
                return true
            }
            if numberAt(i) == 24, isPunct(i + 1, "/"), numberAt(i + 2) == 7 {
                clause.allDay = true
                clause.everyDay = true
                namedDays()
                i += 3
                return true
            }
            // 7 days on 7 (« 7 jours du 7 » is a slip of the pen for it)
            let seven = numberAt(i) == 7 || isWord(i, ["sept"])
            if seven {
                var j = i + 1
                if isWord(j, ["jours", "jour", "j"]) { j += 1 }
                if isPunct(j, "/") || isWord(j, ["sur", "du"]), numberAt(j + 1) == 7 || isWord(j + 1, ["sept"]), j > i + 1 || isPunct(j, "/") {
                    clause.everyDay = true
                    namedDays()
                    i = j + 2
                    return true
                }
                // « 7j7 »
                if j == i + 2, numberAt(j) == 7 {
                    clause.everyDay = true
                    namedDays()
                    i = j + 1
                    return true
                }
            }
            // « H24 »
            if isWord(i, ["h"]), numberAt(i + 1) == 24 {
                clause.allDay = true
                i += 2
                return true
            }
            // « à tout moment », « à n’importe quelle heure »
            if isWord(i, ["tout"]), isWord(i + 1, ["moment"]), isWord(i - 1, ["a"]) {
                clause.allDay = true
                i += 2
                return true
            }
            if isWord(i, ["importe"]), isWord(i + 1, ["quelle", "quel"]), isWord(i + 2, ["heure", "moment"]) {
                clause.allDay = true
                i += 3
                return true
            }
            if numberAt(i) == 365, isWord(i + 1, ["jours", "j"]) {
                clause.everyDay = true
                namedDays()
                i += 2
                return true
            }
            if isWord(i, ["jour"]), isWord(i + 1, ["et"]), isWord(i + 2, ["nuit"]) || (isWord(i + 2, ["de"]) && isWord(i + 3, ["nuit"])) {
                clause.allDay = true
                i += 3
                return true
            }
            if isWord(i, ["nuit"]), isWord(i + 1, ["et"]), isWord(i + 2, ["jour"]) {
                clause.allDay = true
                i += 3
                return true
            }
            if isWord(i, ["quel", "quelle", "quels", "quelles"]), isWord(i + 1, ["que"]), isWord(i + 2, ["soit", "soient"]) {
                var j = i + 3
                if isWord(j, ["le", "la", "l", "les"]) { j += 1 }
                if isWord(j, ["jour", "jours"]) {
                    clause.everyDay = true
                    namedDays()
                    i = j + 1
                    return true
                }
                if isWord(j, ["heure", "heures", "moment"]) {
                    clause.allDay = true
                    i = j + 1
                    return true
                }
            }
            if isWord(i, ["toute", "toutes"]), isWord(i + 1, ["heure", "heures"]), isWord(i - 1, ["a"]) {
                clause.allDay = true
                i += 2
                return true
            }
            return false
        }

        /// « ouverture à 5h » (opening time), « fermeture à 1h », « ferme ses portes à 21h » (closing time),
        /// « fermé » alone: the days and months that follow are closed.
        mutating func openingAndClosing() -> Bool {
            let w = word(i) ?? ""
            if ["ouvert", "ouverte", "ouverts", "ouvertes", "ouvrons", "accueil", "accueille", "accueillons"].contains(w) { offContext = false }
            let opening = ["ouverture", "ouvre", "ouvrent", "ouvrira", "ouvriront"].contains(w)
            let closing = Self.closingWords.contains(w) || ["termine", "terminent", "finit", "finissent"].contains(w)
            guard opening || closing else { return false }
            // The time within a few words: « fermeture des portes à 1h », « ouvre ses portes dès 9h ».
            var j = i + 1
            while j < min(lx.count, i + 5), !isHardSeparator(j), timeAt(j, explicitOnly: true) == nil, dayAt(j) == nil, monthAt(j) == nil {
                if !isWord(j, ["a", "des", "ses", "leurs", "les", "portes", "porte", "vers", "le", "la", "l", "son", "accueil", "partir", "de"]) { break }
                j += 1
            }
            if let t = timeAt(j, explicitOnly: true), isWord(j - 1, ["a", "des", "vers", "de"]) || j == i + 1,
                !(isWord(j + 1, ["a"]) || isPunct(j + 1, "-")) || timeAt(j + 2) == nil
            {
                if opening { clause.openAt = t } else { clause.closeAt = t }
                i = j + 1
                return true
            }
            if closing {
                offContext = true
                // « samedi fermé »: the days just named are closed.
                if !clause.days.isEmpty, !clause.hasTimes { clause.off = true }
                i += 1
                if isWord(i, ["annuelle", "exceptionnelle"]) { i += 1 }
                return true
            }
            return false
        }

        /// « sauf », « hors », « excepté », « hormis »: days, months and holidays that follow are taken out.
        mutating func exception() -> Bool {
            guard isWord(i, ["sauf", "hors", "excepte", "exceptes", "exceptee", "hormis"]) else { return false }
            closeException()
            exceptStart = i
            exceptUsed = false
            i += 1
            return true
        }

        /// « jours fériés » (closed after « sauf », « fermé »; a selector otherwise: « y compris les jours fériés »),
        /// « en période scolaire », « hors vacances scolaires » (school terms only: `SH off`),
        /// « pendant les vacances scolaires » (school holidays only: not expressible, flagged).
        mutating func holidays() -> Bool {
            let w = word(i) ?? ""
            if w == "feries" || w == "ferie" {
                let before = wordsBefore(i, 4)
                if offContext || exceptStart != nil || before.contains(where: { ["sauf", "hors", "excepte"].contains($0) || Self.closingWords.contains($0) }) {
                    found.publicHolidaysOff = true
                    if exceptStart != nil { exceptUsed = true }
                } else if !before.contains("tous") || before.contains("compris") {
                    clause.holidays = true
                }
                i += 1
                return true
            }
            if w == "scolaire" || w == "scolaires" {
                let before = wordsBefore(i, 5)
                let vacation = before.contains("vacances") || before.contains("conges")
                let out = exceptStart != nil || offContext || before.contains(where: { ["hors", "sauf", "dehors", "excepte"].contains($0) })
                // Term time: « en période scolaire », « hors vacances scolaires ».
                if vacation == out {
                    found.schoolTermsOnly = true
                    if exceptStart != nil { exceptUsed = true }
                } else {
                    clause.schoolHolidaysOnly = true
                    if exceptStart != nil { exceptUsed = true }
                }
                i += 1
                return true
            }
            return false
        }

        /// Months: a season (« d’octobre à juin », « en juillet et août ») or closed months
        /// (« sauf en août », « fermé en juillet-août », « hors juillet et août »).
        mutating func months() -> Bool {
            guard let first = monthAt(i) else { return false }
            let start = i
            let before = wordsBefore(i, 4)
            var j = i + 1
            var list = [first]
            var range = false
            // « septembre 2020 »: a month of a year, a note at most.
            if let y = numberAt(j), (1900...2100).contains(y) {
                i = j + 1
                return true
            }
            while j < lx.count {
                if isWord(j, ["a", "au"]) || isPunct(j, "-") || (isWord(j, ["jusqu", "jusque"]) && isWord(j + 1, ["a", "en"])) {
                    var k = j + 1
                    if isWord(k, ["a", "en"]) { k += 1 }
                    if isWord(k, ["fin", "debut", "mi"]) { k += 1 }
                    if isPunct(k, "-") { k += 1 }
                    if let b = monthAt(k), let a = list.last {
                        var m = a
                        for _ in 0..<12 where m != b {
                            m = m % 12 + 1
                            list.append(m)
                        }
                        range = true
                        j = k + 1
                        continue
                    }
                    break
                }
                if isWord(j, ["et", "en"]) || isPunct(j, ",") {
                    var k = j + 1
                    if isWord(k, ["en"]) { k += 1 }
                    if let m = monthAt(k) {
                        list.append(m)
                        j = k + 1
                        continue
                    }
                }
                break
            }
            i = j
            // « sauf en août », « hors juillet et août »; not « hors ponts de mai ».
            let exceptMonths = exceptStart.map { s in
                (s + 1..<start).allSatisfy { k in tok(k).map { t in
                    if case .word(let w) = t { return ["en", "le", "les", "mois", "d", "de", "pendant", "durant", "periode", "du"].contains(w) }
                    return false
                } ?? false }
            } ?? false
            let closed = offContext || exceptMonths || before.contains(where: { ["sauf", "hors", "excepte"].contains($0) || Self.closingWords.contains($0) }) && exceptStart == nil
            if closed {
                found.monthsOff += list
                if exceptMonths { exceptUsed = true }
            } else if before.contains("mi") {
                found.notes.append(Flag("season_note", field: "schedule", "Période approximative notée, non appliquée."))
            } else if range || ["en", "pendant", "durant"].contains(before.first ?? "") || before.prefix(2).contains("mois") {
                found.season = Array(Set(found.season + list)).sorted()
            }
            return true
        }

        /// « les samedis des semaines impaires », « les semaines paires ».
        mutating func weekParity() -> Bool {
            guard isWord(i, ["semaine", "semaines"]), isWord(i + 1, ["paire", "paires", "impaire", "impaires"]) else { return false }
            let odd = isWord(i + 1, ["impaire", "impaires"])
            clause.weeks = [odd ? WeekRange(from: 1, to: 53, step: 2) : WeekRange(from: 2, to: 52, step: 2)]
            i += 2
            return true
        }

        /// Ranks of a weekday in the month: « le 1er et (le) 3e mardi », « chaque deuxième et quatrième
        /// vendredi du mois », « tous les premiers vendredis », « le dernier jeudi », « l’avant-dernier samedi ».
        mutating func ranks() -> Bool {
            guard ordinalAt(i) != nil || (isWord(i, ["avant"]) && ordinalAt(i + 1) == -1) || (isWord(i, ["avant"]) && isPunct(i + 1, "-") && ordinalAt(i + 2) == -1) else { return false }
            var j = i
            var nth: [Int] = []
            while j < lx.count, nth.count < 6 {
                if isWord(j, ["avant"]) {
                    var k = j + 1
                    if isPunct(k, "-") { k += 1 }
                    if ordinalAt(k) == -1 {
                        nth.append(-2)
                        j = k + 1
                    } else {
                        break
                    }
                } else if let n = ordinalAt(j) {
                    nth.append(n)
                    j += 1
                } else {
                    break
                }
                // Another rank: « et (le) 3e », « , 3e ».
                var k = j
                if isWord(k, ["et", "ou"]) || isPunct(k, ",") || isPunct(k, "&") {
                    k += 1
                    if isWord(k, ["le", "les", "au"]) { k += 1 }
                    if ordinalAt(k) != nil || isWord(k, ["avant"]) {
                        j = k
                        continue
                    }
                }
                break
            }
            guard dayAt(j) != nil, !nth.isEmpty else { return false }
            // « le 1er et 3e mardi et jeudi »: the ranks apply to each day of the list.
            var weekdays: [Int] = []
            while let d = dayAt(j) {
                weekdays.append(d)
                j += 1
                if isWord(j, ["et"]) || isPunct(j, ","), dayAt(j + 1) != nil { j += 1 } else { break }
            }
            // « du mois », « de chaque mois », « de tous les mois ».
            if isWord(j, ["du"]), isWord(j + 1, ["mois"]) {
                j += 2
            } else if isWord(j, ["de"]), isWord(j + 1, ["chaque", "tous"]) {
                var k = j + 2
                if isWord(k, ["les"]) { k += 1 }
                if isWord(k, ["mois"]) { j = k + 1 }
            }
            let ranks = Array(Set(nth)).sorted(by: WeekdaySelector.nthOrder)
            if exceptStart != nil {
                // « sauf le premier lundi »: kept as a note.
                i = j
                return true
            }
            if offContext { clause.off = true }
            for d in weekdays {
                if let k = clause.days.firstIndex(where: { $0.weekday == d && !$0.nth.isEmpty }) {
                    clause.days[k].nth = Array(Set(clause.days[k].nth + ranks)).sorted(by: WeekdaySelector.nthOrder)
                } else {
                    clause.days.append(WeekdaySelector(weekday: d, nth: ranks))
                }
            }
            namedDays()
            i = j
            return true
        }

        /// Day sets: lists and ranges of weekdays, « tous les jours (de la semaine) », « chaque jour »,
        /// « en semaine », « jours ouvrés/ouvrables », « le week-end », « toute la semaine ».
        mutating func daySet() -> Bool {
            let start = i
            var set: [Int] = []
            var every = false
            var j = i
            if dayAt(i) != nil {
                while let a = dayAt(j) {
                    j += 1
                    // A range: « lundi au vendredi », « lun.-ven. », « de lundi à vendredi », « lundi jusqu’au vendredi ».
                    var k = j
                    if isWord(k, ["jusqu", "jusque"]) { k += 1 }
                    if isWord(k, ["au", "a"]) || isPunct(k, "-") {
                        if isWord(k + 1, ["le"]) { k += 1 }
                        if let b = dayAt(k + 1) {
                            var d = a
                            set.append(d)
                            for _ in 0..<7 where d != b {
                                d = d % 7 + 1
                                set.append(d)
                            }
                            j = k + 2
                        } else {
                            set.append(a)
                        }
                    } else {
                        set.append(a)
                    }
                    // The list goes on: « , mardi », « et le jeudi », « / jeudi », « & vendredi ».
                    var n = j
                    if isWord(n, ["et", "ou"]) || isPunct(n, ",") || isPunct(n, "/") || isPunct(n, "&") {
                        // « , le dimanche » once hours are said: a new day set, left to the clause rule.
                        if isPunct(n, ","), isWord(n + 1, ["le", "les"]), clause.hasTimes { break }
                        n += 1
                        if isWord(n, ["le", "les"]) { n += 1 }
                        // « de 9h à 12h le mardi et le jeudi dès 14h »: a day with its own hours starts a clause.
                        if clause.hasTimes, dayAt(n) != nil, ownTimesAhead(n) { break }
                        if dayAt(n) != nil {
                            j = n
                            continue
                        }
                    }
                    break
                }
            } else if isWord(i, ["tous", "toutes", "chaque"]) {
                var k = i + 1
                if isWord(k, ["les"]) { k += 1 }
                guard isWord(k, ["jours", "jour"]), !isWord(k + 1, ["feries", "ferie"]) else { return false }
                j = k + 1
                if isWord(j, ["de"]), isWord(j + 1, ["la"]), isWord(j + 2, ["semaine"]) {
                    set = Array(1...5)
                    j += 3
                } else if isWord(j, ["ouvres"]) {
                    set = Array(1...5)
                    j += 1
                } else if isWord(j, ["ouvrables"]) {
                    set = Array(1...6)
                    j += 1
                } else {
                    every = true
                    if isWord(j, ["de"]), isWord(j + 1, ["l"]), isWord(j + 2, ["annee"]) { j += 3 }
                }
            } else if isWord(i, ["en"]), isWord(i + 1, ["semaine"]), !isWord(i + 2, ["paire", "paires", "impaire", "impaires"]) {
                set = Array(1...5)
                j = i + 2
            } else if isWord(i, ["jours"]), isWord(i + 1, ["ouvres"]) || (isWord(i + 1, ["de"]) && isWord(i + 2, ["semaine"])) {
                set = Array(1...5)
                j = i + (isWord(i + 1, ["ouvres"]) ? 2 : 3)
            } else if isWord(i, ["jours"]), isWord(i + 1, ["ouvrables"]) {
                set = Array(1...6)
                j = i + 2
            } else if isWord(i, ["toute"]), isWord(i + 1, ["la"]), isWord(i + 2, ["semaine"]) {
                every = true
                j = i + 3
            } else if isWord(i, ["la"]), isWord(i + 1, ["semaine"]), !isWord(i - 1, ["par", "de", "toute", "cette"]),
                timeAt(i + 2) != nil || isWord(i + 2, ["de", "entre"]) || (isPunct(i + 2, ",") && (timeAt(i + 3) != nil || isWord(i + 3, ["de", "entre"])))
            {
                set = Array(1...5)
                j = i + 2
            } else if isWord(i, ["weekend", "weekends"]) || (isWord(i, ["week"]) && isWord(i + 1, ["end", "ends"])) {
                set = [6, 7]
                j = i + 1
            } else if isWord(i, ["week"]), isPunct(i + 1, "-"), isWord(i + 2, ["end", "ends"]) {
                set = [6, 7]
                j = i + 3
            } else if isWord(i, ["fin", "fins"]), isWord(i + 1, ["de"]), isWord(i + 2, ["semaine"]) {
                set = [6, 7]
                j = i + 3
            } else {
                return false
            }
            if isWord(i, ["week"]), j == i + 1 { j = i + 2 }
            i = j
            if wordsBefore(start, 2).contains(where: { $0 == "compris" || $0 == "meme" }), clause.everyDay || clause.implicitEveryDay {
                return true
            }
            if exceptStart != nil, !clause.override {
                clause.exceptDays.formUnion(set)
                exceptUsed = true
                return true
            }
            if offContext { clause.off = true }
            if every {
                clause.everyDay = true
            } else {
                for d in set where !clause.days.contains(WeekdaySelector(weekday: d)) { clause.days.append(WeekdaySelector(weekday: d)) }
            }
            namedDays()
            return true
        }

        /// « tous les soirs », « chaque matin », « tous les après-midi »: every day unless days are named.
        /// Parts of the day alone are context: never turned into hours.
        mutating func partOfDay() -> Bool {
            guard isWord(i, ["tous", "toutes", "chaque"]) else { return false }
            var k = i + 1
            if isWord(k, ["les"]) { k += 1 }
            if isWord(k, ["apres"]) {
                k += 1
                if isPunct(k, "-") { k += 1 }
                guard isWord(k, ["midi", "midis"]) else { return false }
            } else {
                guard Self.partsOfDay.contains(word(k) ?? "") || isWord(k, ["midis"]) else { return false }
            }
            clause.implicitEveryDay = true
            i = k + 1
            return true
        }

        /// A time, with « du matin », « du soir », « de l’après-midi » after it.
        func timeValue(_ k: Int) -> (value: Int, end: Int)? {
            guard let t = timeAt(k) else { return nil }
            var v = t
            var end = k + 1
            if isWord(end, ["du", "de"]) {
                var m = end + 1
                if isWord(m, ["l"]) { m += 1 }
                if isWord(m, ["soir", "apres"]) {
                    if v < 12 * 60 { v += 12 * 60 }
                    end = m + 1
                    if isWord(m, ["apres"]) {
                        if isPunct(end, "-") { end += 1 }
                        if isWord(end, ["midi"]) { end += 1 }
                    }
                } else if isWord(m, ["matin"]) {
                    if v == 12 * 60 { v = 0 }
                    end = m + 1
                }
            }
            return (v, end)
        }

        /// Time sets: « de 14h à 17h », « 14h-17h », « entre 9 h 30 et 12 h », « de 18 à 20 h », « de 8 heures à minuit »,
        /// « 9h-11h45/14h-16h30 », « à 14h30 » and « dès 18h » (open end), « jusqu’à 16h » (closing time).
        mutating func timeSet() -> Bool {
            var j = i
            var lead = ""
            if isWord(j, ["de", "entre", "des", "vers", "a"]) {
                lead = word(j) ?? ""
                j += 1
            } else if isWord(j, ["partir"]), isWord(j + 1, ["de", "d"]) {
                lead = "des"
                j += 2
            } else if isWord(j, ["jusqu", "jusque"]) {
                lead = "jusqu"
                j += 1
                if isWord(j, ["a", "au", "vers"]) { j += 1 }
            }
            // The opening: a time, or a bare hour before a time (« de 18 à 20 h »).
            var open: (value: Int, end: Int)?
            var written = false
            if let t = timeValue(j) {
                open = t
                if case .time(_, false)? = tok(j) { written = true }
            } else if let n = numberAt(j), n <= 24, isWord(j + 1, ["a", "et"]) || isPunct(j + 1, "-"), timeAt(j + 2) != nil {
                open = (n * 60, j + 1)
            }
            guard let o = open else { return false }
            if lead == "jusqu" {
                if clause.closeAt == nil, clause.spans.isEmpty { clause.closeAt = o.value } else if let last = clause.spans.indices.last, clause.spans[last].close == nil {
                    clause.spans[last].close = o.value
                } else {
                    clause.closeAt = o.value
                }
                i = o.end
                return true
            }
            // A range: « à », « - », « et » (after « entre »), « jusqu’à », « au ».
            var k = o.end
            var connector = false
            if isWord(k, ["a", "au"]) || isPunct(k, "-") || (lead == "entre" && isWord(k, ["et"])) {
                k += 1
                connector = true
            } else if isWord(k, ["jusqu", "jusque"]) {
                k += 1
                if isWord(k, ["a", "au", "vers"]) { k += 1 }
                connector = true
            }
            if connector, let close = timeValue(k) {
                addSpan(TimeSpan(open: o.value, close: close.value))
                i = close.end
                return true
            }
            // A lone time: an open end, unless it is a duration (« pendant 2 heures », « 1 h 30 de thérapie
            // par semaine », « une durée de 2 h ») or written in words.
            let beforeWords = wordsBefore(lead.isEmpty ? j : j - 1, 2)
            let duration = written || lead == "de" || isWord(o.end, ["par"]) || beforeWords.contains { ["pendant", "durant", "duree", "environ", "environs", "pres"].contains($0) }
                || (isWord(o.end, ["de"]) && !isWord(o.end + 1, ["l"]) && timeAt(o.end + 1) == nil && word(o.end + 1) != nil)
            if duration {
                i = o.end
                return true
            }
            addSpan(TimeSpan(open: o.value, close: nil))
            i = o.end
            return true
        }
    }
}
