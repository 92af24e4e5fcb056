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
///
/// A grammar of small rules: the tokenizer (`FrenchSchedule+Tokens.swift`),
/// clauses and their rules (`FrenchSchedule+Grammar.swift`), the text-wide
/// markers below, and the combination of clauses into rules
/// (`FrenchSchedule+Combine.swift`).
public enum FrenchSchedule {
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
            while m != b && months.count < 12 {
                m = m % 12 + 1
                months.append(m)
            }
            return months
        }
        return nil
    }

    // MARK: Text-wide markers

    /// Phrases said of the whole text, on its folded words.
    struct Markers {
        var byAppointment = false
        var selfManaged = false
        var registration = false
        /// A monthly or fortnightly rhythm: « une fois par mois », « un samedi sur deux »; needs ranks.
        var monthly = false
        /// A frequency with no day: « par semaine », « hebdomadaire », « au moins ».
        var vague = false
        /// Not a regular schedule: « parfois », « de temps en temps », « le plus souvent ».
        var irregular = false
        /// A phone line: hours without days are when to call.
        var phone = false

        /// « un mercredi sur deux », « une semaine sur 2 ».
        static func everyOther(_ folded: String) -> Bool {
            let w = folded.split(separator: " ")
            guard w.count >= 4 else { return false }
            for k in 2..<(w.count - 1) where w[k] == "sur" && (w[k + 1] == "deux" || w[k + 1] == "2") {
                if ["un", "une", "1"].contains(w[k - 2]) { return true }
            }
            return false
        }

        /// Each phrase list, padded with spaces once (whole words only).
        static func padded(_ phrases: [String]) -> [String] { phrases.map { " " + $0 + " " } }
        static let appointmentPhrases = padded(["sur rendez vous", "sur rdv", "uniquement sur rendez vous", "sur rendez vous uniquement"])
        static let selfManagedPhrases = padded(["autogestion", "en autogestion", "autogere", "autogeree", "autogeres"])
        static let registrationPhrases = padded(["sur inscription", "inscription obligatoire", "inscription prealable"])
        static let monthlyPhrases = padded([
            "par mois", "chaque mois", "mensuel", "mensuelle", "mensuels", "mensuelles", "bimensuel", "bimensuelle",
            "bimensuels", "bimensuelles", "trimestriel", "trimestrielle", "tous les deux mois", "une semaine sur deux",
            "1 semaine sur 2", "tous les quinze jours", "tous les 15 jours", "toutes les deux semaines", "toutes les 2 semaines",
            "fois par an", "par trimestre", "chaque trimestre",
        ])
        static let vaguePhrases = padded(["au moins", "par semaine", "hebdomadaire", "hebdomadaires", "fois par semaine"])
        static let irregularPhrases = padded([
            "de temps en temps", "parfois", "occasionnellement", "ponctuellement", "certains jours", "le plus souvent",
            "selon les semaines", "selon les disponibilites", "a la demande", "de temps a autre", "horaires variables", "a definir",
        ])
        static let phonePhrases = padded([
            "tel", "telephone", "telephonique", "telephoniques", "joignable", "joignables", "appeler", "appel", "appels",
            "standard", "ligne", "lignes", "numero", "tchat", "chat",
        ])

        init(_ text: String) {
            let t = " " + Text.fold(text) + " "
            func has(_ phrases: [String]) -> Bool { phrases.contains { Text.has(t, $0) } }
            byAppointment = has(Self.appointmentPhrases)
            selfManaged = has(Self.selfManagedPhrases)
            registration = has(Self.registrationPhrases)
            monthly = has(Self.monthlyPhrases) || Self.everyOther(t)
            vague = monthly || has(Self.vaguePhrases)
            irregular = has(Self.irregularPhrases)
            phone = has(Self.phonePhrases)
        }
    }

    // MARK: Reading

    public static func read(_ raw: String) -> ScheduleReading {
        let trimmed = Text.squeeze(raw)
        if trimmed.isEmpty {
            return ScheduleReading(schedule: nil, reason: "Aucun horaire indiqué.", flags: [], daysWithoutHours: [], wasOSM: false)
        }
        // OSM syntax starts with a day, a month, a year or a time, in ASCII.
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }), let s = try? OpeningHours.parse(trimmed) {
            return ScheduleReading(schedule: s, reason: nil, flags: [], daysWithoutHours: [], wasOSM: true)
        }
        var grammar = Grammar(trimmed)
        let (clauses, found) = grammar.run()
        return Combination(clauses: clauses, found: found, markers: Markers(trimmed)).reading()
    }
}
