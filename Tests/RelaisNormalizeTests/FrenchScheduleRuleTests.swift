import Foundation
import RelaisModel
import Testing

@testable import RelaisNormalize

/// One test per rule of the French schedule grammar, with phrasings of our own
/// (other days, other hours, other word orders than the corpus).
@Suite struct FrenchScheduleRuleTests {
    static func osm(_ text: String) -> String? { FrenchSchedule.read(text).openingHours }

    static func check(_ text: String, _ expected: String?, sourceLocation: SourceLocation = #_sourceLocation) {
        let r = FrenchSchedule.read(text)
        let got = r.openingHours
        if let expected {
            let ok = got.map { $0 == expected || OSMCompare.equivalent($0, expected) } ?? false
            #expect(ok, "\(text) → \(got ?? "nil") (expected \(expected); \(r.reason ?? ""))", sourceLocation: sourceLocation)
        } else {
            #expect(got == nil, "\(text) → \(got ?? "nil") (expected nothing)", sourceLocation: sourceLocation)
            #expect(r.reason != nil && !r.flags.isEmpty, "\(text): a refusal has a reason and flags", sourceLocation: sourceLocation)
        }
    }

    // MARK: Tokenizer

    @Test(arguments: [
        ("14h30", 870), ("14 h 30", 870), ("14:30", 870), ("9h", 540), ("20 heures", 1200), ("20 heures 30", 1230),
        ("midi", 720), ("minuit", 1440), ("8h15 min", 495), ("17 H 45", 1065),
    ])
    func tokenizerReadsTimes(text: String, minutes: Int) {
        #expect(FrenchSchedule.tokenize(text) == [.time(minutes, explicit: true)], "\(text)")
    }

    @Test(arguments: [
        ("huit heures", 480), ("dix-huit heures", 1080), ("vingt et une heures", 1260), ("quatorze heures trente", 870),
        ("neuf heures et demie", 570), ("vingt-deux heures", 1320), ("seize heures quarante-cinq", 1005),
    ])
    func tokenizerReadsHoursInWords(text: String, minutes: Int) {
        #expect(FrenchSchedule.tokenize(text) == [.time(minutes, explicit: false)], "\(text)")
    }

    @Test func tokenizerReadsOrdinalsMonthsAndDays() {
        #expect(FrenchSchedule.tokenize("1er 2e 3ème 4eme deuxième dernière") == [.ordinal(1), .ordinal(2), .ordinal(3), .ordinal(4), .ordinal(2), .ordinal(-1)])
        #expect(FrenchSchedule.tokenize("12e arrondissement").first == .number(12))
        #expect(FrenchSchedule.tokenize("août déc. janv") == [.month(8), .month(12), .month(1)])
        #expect(FrenchSchedule.tokenize("Mercredis et SAMEDI") == [.day(3), .word("et"), .day(6)])
        // « sept » is September only in a date.
        #expect(FrenchSchedule.tokenize("le 7 sept 2026").contains(.month(9)))
        #expect(!FrenchSchedule.tokenize("sept bénévoles").contains(.month(9)))
        // « l’après-midi », « le samedi midi » are parts of the day, « à midi » is noon.
        #expect(!FrenchSchedule.tokenize("l’après-midi").contains(.time(720, explicit: true)))
        #expect(!FrenchSchedule.tokenize("le samedi midi").contains(.time(720, explicit: true)))
        #expect(FrenchSchedule.tokenize("à midi").contains(.time(720, explicit: true)))
    }

    @Test func tokenizerConfirmsAbbreviatedDaysOnlyNextToDaysOrTimes() {
        #expect(FrenchSchedule.tokenize("mar., jeu. : 9h-12h").filter { if case .day = $0 { return true } else { return false } }.count == 2)
        #expect(FrenchSchedule.tokenize("sam 10h-12h").first == .day(6))
        #expect(!FrenchSchedule.mentionsWeekday("la mer et le jeu"))
        #expect(!FrenchSchedule.mentionsWeekday("Boulogne-sur-Mer"))
        #expect(!FrenchSchedule.mentionsWeekday("un jeu de société"))
        #expect(FrenchSchedule.mentionsWeekday("lun-ven"))
    }

    @Test func tokenizerSplitsGluedTextAndCapsNumbers() {
        // Text nodes glued by a scraper: « mardiFermé », « lundi09:00 ».
        #expect(FrenchSchedule.tokenize("mardiFermé") == [.day(2), .word("ferme")])
        #expect(FrenchSchedule.tokenize("lundi09:00") == [.day(1), .time(540, explicit: true)])
        let long = FrenchSchedule.tokenize(String(repeating: "9", count: 400) + "h")
        #expect(long == [.word("heures-invalides")])
        #expect(FrenchSchedule.tokenize("33 heures") == [.word("heures-invalides")])
    }

    // MARK: Clauses

    @Test(arguments: [
        // a comma, « et », a semicolon, a new sentence, no punctuation at all
        ("le lundi de 9h à 12h, le jeudi de 14h à 18h", "Mo 09:00-12:00; Th 14:00-18:00"),
        ("les mardis de 10h à 13h et les samedis de 15h à 19h", "Tu 10:00-13:00; Sa 15:00-19:00"),
        ("mercredi 14h-17h ; vendredi 9h-11h30", "We 14:00-17:00; Fr 09:00-11:30"),
        ("Le mardi de 14h à 16h. Le jeudi de 10h à 12h.", "Tu 14:00-16:00; Th 10:00-12:00"),
        ("lundi 10:00–12:00 mercredi 15:00–18:00 vendredi 10:00–12:00", "Mo,Fr 10:00-12:00; We 15:00-18:00"),
        // hours first, then their days; then other hours and days
        ("de 10h à 16h du mardi au jeudi, et de 10h à 13h le vendredi", "Tu-Th 10:00-16:00; Fr 10:00-13:00"),
        ("De 9h à 12h le lundi et le mercredi", "Mo,We 09:00-12:00"),
        // « puis » before another day set
        ("le lundi de 14h à 17h puis le jeudi de 9h à 12h", "Mo 14:00-17:00; Th 09:00-12:00"),
        // days in one sentence, hours in the next
        ("Accueil du mardi au vendredi. Horaires : de 13h à 17h30.", "Tu-Fr 13:00-17:30"),
        // hours aside in parentheses, days after them
        ("Atelier (de 15h à 16h30) qui a lieu tous les mardis", "Tu 15:00-16:30"),
    ])
    func clausesSplitWhereANewDaySetBrings(text: String, expected: String) {
        Self.check(text, expected)
    }

    @Test func includedDaysDoNotNarrowOrSplit() {
        Self.check("Des bénévoles répondent chaque soir de 20h à minuit, y compris le dimanche", "Mo-Su 20:00-24:00")
        Self.check("tous les jours de 9h à 19h, même le dimanche", "Mo-Su 09:00-19:00")
        Self.check("du mardi au vendredi de 10h à 17h, y compris le samedi", "Tu-Sa 10:00-17:00")
        #expect(FrenchSchedule.read("tous les jours de 8h à 20h, y compris le week-end").daysWithoutHours.isEmpty)
    }

    @Test func aRemarkAfterMaisIsNotASchedule() {
        Self.check("Écoute ouverte 24h/24, mais plus d’appels entre 20h et 23h.", "24/7")
        Self.check("Ouvert du lundi au samedi de 9h à 19h, mais affluence entre 12h et 14h.", "Mo-Sa 09:00-19:00")
    }

    // MARK: Day sets

    @Test(arguments: [
        ("du mardi au samedi de 13h à 19h", "Tu-Sa 13:00-19:00"),
        ("de lundi à jeudi de 8h à 12h", "Mo-Th 08:00-12:00"),
        ("mardi-vendredi 10h-17h", "Tu-Fr 10:00-17:00"),
        ("du lun. au jeu. 9h-17h", "Mo-Th 09:00-17:00"),
        ("lundi, mercredi et samedi de 15h à 18h", "Mo,We,Sa 15:00-18:00"),
        ("les lundis et jeudis de 9h à 12h", "Mo,Th 09:00-12:00"),
        ("le mardi et le vendredi de 17h à 19h", "Tu,Fr 17:00-19:00"),
        ("mardi/jeudi 14h-16h", "Tu,Th 14:00-16:00"),
        ("tous les jours de 8h à 20h", "Mo-Su 08:00-20:00"),
        ("chaque jour de 10h à 16h", "Mo-Su 10:00-16:00"),
        ("7 jours sur 7 de 10h à 22h", "Mo-Su 10:00-22:00"),
        ("7j/7, de 6h à 23h", "Mo-Su 06:00-23:00"),
        ("sept jours sur sept, de 9h à 21h", "Mo-Su 09:00-21:00"),
        ("tous les jours de la semaine de 8h30 à 16h30", "Mo-Fr 08:30-16:30"),
        ("en semaine de 10h à 19h", "Mo-Fr 10:00-19:00"),
        ("les jours ouvrés de 9h à 17h", "Mo-Fr 09:00-17:00"),
        ("le week-end de 14h à 19h", "Sa,Su 14:00-19:00"),
        ("les weekends de 10h à 13h", "Sa,Su 10:00-13:00"),
        ("du lundi au dimanche de 7h à 21h", "Mo-Su 07:00-21:00"),
        ("tous les jours sauf le mardi de 11h à 18h", "Mo,We-Su 11:00-18:00"),
        ("de 9h à 18h sauf le dimanche", "Mo-Sa 09:00-18:00"),
    ])
    func daySets(text: String, expected: String) {
        Self.check(text, expected)
    }

    // MARK: Ranks

    @Test(arguments: [
        ("le 2e et le 4e lundi du mois de 18h à 20h", "Mo[2,4] 18:00-20:00"),
        ("chaque troisième mercredi de 14h à 16h30", "We[3] 14:00-16:30"),
        ("les premiers samedis du mois de 10h à 12h", "Sa[1] 10:00-12:00"),
        ("tous les derniers mardis de chaque mois de 19h à 21h", "Tu[-1] 19:00-21:00"),
        ("le 1er et 3e jeudi et vendredi de 14h à 17h", "Th[1,3],Fr[1,3] 14:00-17:00"),
        ("le 1er lundi et le dernier vendredi de 18h à 20h", "Mo[1],Fr[-1] 18:00-20:00"),
        ("l’avant-dernier jeudi du mois de 14h à 16h", "Th[-2] 14:00-16:00"),
        ("le deuxième et le dernier samedi à 10h", "Sa[2,-1] 10:00+"),
        ("une fois par mois, le premier mercredi, de 17h à 19h", "We[1] 17:00-19:00"),
    ])
    func ranks(text: String, expected: String) {
        Self.check(text, expected)
    }

    // MARK: Week parity

    @Test(arguments: [
        ("le mardi des semaines paires de 14h à 17h", "week 02-52/2 Tu 14:00-17:00"),
        ("les jeudis des semaines impaires de 10h à 12h", "week 01-53/2 Th 10:00-12:00"),
        ("semaines impaires : le lundi à 18h", "week 01-53/2 Mo 18:00+"),
        ("les vendredis, semaines paires, de 9h à 11h", "week 02-52/2 Fr 09:00-11:00"),
    ])
    func weekParity(text: String, expected: String) {
        Self.check(text, expected)
    }

    // MARK: Time sets

    @Test(arguments: [
        ("le lundi de 9 h 30 à 11 h 45", "Mo 09:30-11:45"),
        ("le mardi entre 13 heures et 16 heures", "Tu 13:00-16:00"),
        ("le jeudi 14:00 - 18:30", "Th 14:00-18:30"),
        ("le vendredi de 17 à 19 h", "Fr 17:00-19:00"),
        ("le lundi 8h-12h/13h-16h", "Mo 08:00-12:00,13:00-16:00"),
        ("le mercredi de 9h à 12h et de 14h à 17h", "We 09:00-12:00,14:00-17:00"),
        ("le samedi 9h-12h, 14h-18h", "Sa 09:00-12:00,14:00-18:00"),
        ("le mardi à 20h30", "Tu 20:30+"),
        ("le dimanche dès 11h", "Su 11:00+"),
        ("le jeudi à partir de 18 h", "Th 18:00+"),
        ("le vendredi de 9h jusqu’à 13h", "Fr 09:00-13:00"),
        ("le samedi de midi à 15h", "Sa 12:00-15:00"),
        ("du jeudi au samedi de 19 heures à minuit", "Th-Sa 19:00-24:00"),
        ("le vendredi de 20h à 2h", "Fr 20:00-02:00"),
        ("le lundi de 6h du soir à 10h du soir", "Mo 18:00-22:00"),
        ("le mardi de huit heures à midi", "Tu 08:00-12:00"),
        ("le mercredi de dix heures trente à treize heures", "We 10:30-13:00"),
    ])
    func timeSets(text: String, expected: String) {
        Self.check(text, expected)
    }

    @Test(arguments: [
        ("Standard joignable 24h/24 et 7j/7", "24/7"),
        ("Écoute 24 heures sur 24, 7 jours sur 7", "24/7"),
        ("Un bénévole répond 24h sur 24", "24/7"),
        ("Service ouvert jour et nuit", "24/7"),
        ("Quel que soit le jour, quelle que soit l’heure, quelqu’un répond.", "24/7"),
        ("Ligne accessible 24/7", "24/7"),
        ("du lundi au vendredi 24h/24", "Mo-Fr 00:00-24:00"),
        ("Permanence d’écoute H24", "24/7"),
        ("Ligne ouverte 24h24 et 7j7", "24/7"),
        ("On peut nous joindre à tout moment, 7 jours sur 7", "24/7"),
        ("Écoute 24h/24, 365 jours par an", "24/7"),
    ])
    func roundTheClock(text: String, expected: String) {
        Self.check(text, expected)
    }

    // MARK: Parts of the day

    @Test(arguments: [
        ("tous les soirs de 20h à 23h30", "Mo-Su 20:00-23:30"),
        ("chaque matin de 8h à 10h", "Mo-Su 08:00-10:00"),
        ("Tous les après-midi de 13 h 30 à 16 h du mardi au vendredi", "Tu-Fr 13:30-16:00"),
        ("tous les après-midi, du lundi au jeudi, de 14h à 18h", "Mo-Th 14:00-18:00"),
        ("les mardis soir de 18h à 20h", "Tu 18:00-20:00"),
        ("le samedi matin de 10h à 12h", "Sa 10:00-12:00"),
    ])
    func partsOfDayAreContext(text: String, expected: String) {
        Self.check(text, expected)
    }

    @Test(arguments: ["le mercredi après-midi", "tous les soirs", "les samedis matin et les dimanches soir", "chaque lundi soir"])
    func partsOfDayNeverInventHours(text: String) {
        Self.check(text, nil)
    }

    // MARK: Seasons and months

    @Test(arguments: [
        ("de septembre à juin, le jeudi de 18h à 20h", "Sep-Jun Th 18:00-20:00"),
        ("Le lundi de 14h à 17h d’octobre à mai", "Oct-May Mo 14:00-17:00"),
        ("en juillet et août, du lundi au vendredi de 9h à 13h", "Jul-Aug Mo-Fr 09:00-13:00"),
        ("le mercredi de 14h à 18h, sauf en août", "We 14:00-18:00; Aug off"),
        ("du mardi au samedi de 10h à 18h. Fermé en juillet.", "Tu-Sa 10:00-18:00; Jul off"),
        ("le jeudi de 9h à 12h (hors juillet et août)", "Th 09:00-12:00; Jul-Aug off"),
        ("fermeture annuelle en août ; ouvert le reste de l’année du lundi au jeudi de 10h à 16h", "Mo-Th 10:00-16:00; Aug off"),
        ("du 15 septembre au 15 juin, le lundi de 10h à 12h", "Sep 15-Jun 15 Mo 10:00-12:00"),
        ("le vendredi de 14h à 17h, fermé du 20 décembre au 3 janvier", "Fr 14:00-17:00; Dec 20-Jan 03 off"),
    ])
    func seasonsAndMonthsOff(text: String, expected: String) {
        Self.check(text, expected)
    }

    // MARK: Holidays

    @Test(arguments: [
        ("du lundi au vendredi de 8h à 18h, sauf les jours fériés", "Mo-Fr 08:00-18:00; PH off"),
        ("le samedi de 10h à 12h, fermé les jours fériés", "Sa 10:00-12:00; PH off"),
        ("du mardi au samedi de 9h à 17h hors jours fériés", "Tu-Sa 09:00-17:00; PH off"),
        ("tous les jours, y compris les jours fériés, de 10h à 20h", "Mo-Su,PH 10:00-20:00"),
        ("le mercredi de 14h à 16h en période scolaire", "We 14:00-16:00; SH off"),
        ("le lundi de 17h à 19h, hors vacances scolaires", "Mo 17:00-19:00; SH off"),
        ("le samedi de 9h à 12h sauf pendant les vacances scolaires", "Sa 09:00-12:00; SH off"),
        ("le jeudi de 10h à 12h, fermé pendant les vacances scolaires", "Th 10:00-12:00; SH off"),
    ])
    func holidays(text: String, expected: String) {
        Self.check(text, expected)
    }

    @Test func schoolTermsAreFlagged() {
        let r = FrenchSchedule.read("le mardi de 16h à 18h hors vacances scolaires")
        #expect(r.flags.map(\.code).contains("school_terms"))
        // School holidays only: not expressible without a school calendar, so flagged and left out.
        let holidays = FrenchSchedule.read("le mardi de 10h à 12h pendant les vacances scolaires")
        #expect(holidays.schedule == nil)
        #expect(holidays.flags.map(\.code).contains("school_holidays"))
    }

    // MARK: Dated sessions

    @Test(arguments: [
        ("mardi 4 mars 2025, de 18h à 20h", "2025 Mar 04 18:00-20:00"),
        ("le vendredi 12 septembre 2025 à 19 heures", "2025 Sep 12 19:00+"),
        ("Réunion publique le 6 février 2026 de 14h à 16h30", "2026 Feb 06 14:00-16:30"),
        ("les 5 et 12 avril 2025 de 10h à 12h", "2025 Apr 05,2025 Apr 12 10:00-12:00"),
        ("le 21/03/2026 de 9h30 à 12h", "2026 Mar 21 09:30-12:00"),
        ("Rencontre ce jeudi 2 octobre 2025 à 18h30 à la mairie", "2025 Oct 02 18:30+"),
        ("les samedi 8 et dimanche 9 novembre 2025 (samedi de 15h à 18h et dimanche de 10h à 12h)", "2025 Nov 08 15:00-18:00; 2025 Nov 09 10:00-12:00"),
    ])
    func datedSessions(text: String, expected: String) {
        Self.check(text, expected)
    }

    @Test(arguments: [
        "le samedi 14 juin de 10h à 12h",
        "Réunion le 3 mars à 18h",
        "mercredi 5 novembre, de 14h à 17h, salle des fêtes",
        "Inauguration le vendredi 3 octobre 2025, en présence du maire.",
    ])
    func datesWithoutYearOrHoursStayUnplaced(text: String) {
        Self.check(text, nil)
        #expect(FrenchSchedule.read(text).flags.map(\.code).contains("dated_event"))
    }

    @Test func aNextDateIsANoteNotTheSchedule() {
        let r = FrenchSchedule.read("Le groupe se réunit chaque 2e mardi de 18h à 20h ; prochaine séance le 14 octobre.")
        #expect(r.openingHours == "Tu[2] 18:00-20:00")
        #expect(r.flags.map(\.code).contains("next_date"))
        Self.check("La prochaine réunion aura lieu le jeudi 6 novembre à 18h. Les réunions ont lieu chaque 1er jeudi du mois de 18h à 20h.", "Th[1] 18:00-20:00")
        // The hours said with the next date are that date's, not the recurring rule's.
        Self.check("Rencontres le premier lundi du mois. Prochaine rencontre : lundi 3 novembre à 18h.", nil)
    }

    @Test func validityDates() {
        Self.check("à partir du 5 janvier 2026, le mardi de 14h à 17h", "2026 Jan 05+ Tu 14:00-17:00")
        Self.check("du 1er octobre 2026 au 30 juin 2027, le jeudi de 18h à 20h", "2026 Oct 01-2027 Jun 30 Th 18:00-20:00")
        // Without a year: a note, the rule stays.
        let r = FrenchSchedule.read("CAEN (à partir du 3 mars) : le vendredi de 10h à 12h")
        #expect(r.openingHours == "Fr 10:00-12:00")
        #expect(r.flags.map(\.code).contains("validity_note"))
    }

    // MARK: Notes

    @Test func appointmentsSelfManagementAndExceptionsAreNotes() {
        let rdv = FrenchSchedule.read("Accueil le lundi de 14h à 17h, uniquement sur rendez-vous")
        #expect(rdv.openingHours == "Mo 14:00-17:00")
        #expect(rdv.flags.map(\.code).contains("by_appointment"))
        #expect(!FrenchSchedule.read("Accueil sans rendez-vous le lundi de 14h à 17h").flags.map(\.code).contains("by_appointment"))
        let auto = FrenchSchedule.read("du mardi au vendredi de 11h à 17h, et le samedi en autogestion de 14h à 17h")
        #expect(auto.openingHours.map { OSMCompare.equivalent($0, "Tu-Fr 11:00-17:00; Sa 14:00-17:00") } == true)
        #expect(auto.flags.map(\.code).contains("self_managed"))
        let hors = FrenchSchedule.read("le jeudi de 14h à 18h hors ponts de mai")
        #expect(hors.openingHours == "Th 14:00-18:00")
        #expect(hors.flags.contains { $0.code == "exception" && $0.message.contains("hors ponts de mai") })
    }

    // MARK: Combination

    @Test(arguments: [
        // several day groups, each with its hours
        ("les lundis, mercredis et vendredis de 10h à 17h, le samedi de 14h à 18h", "Mo,We,Fr 10:00-17:00; Sa 14:00-18:00"),
        // the same days twice: one range, never two
        ("du mardi au jeudi de 9h à 12h, du mardi au jeudi de 9h à 12h", "Tu-Th 09:00-12:00"),
        // the weekend kept, not lost
        ("du lundi au vendredi de 9h à 18h et en autogestion le week-end de 11h à 17h", "Mo-Fr 09:00-18:00; Sa,Su 11:00-17:00"),
        // a later clause that overlaps replaces that day's hours
        ("du lundi au vendredi de 9h à 18h, le vendredi de 9h à 16h", "Mo-Th 09:00-18:00; Fr 09:00-16:00"),
        // a disjoint one adds to them
        ("du lundi au vendredi de 14h à 18h, et le mardi de 9h à 12h", "Mo,We-Fr 14:00-18:00; Tu 09:00-12:00,14:00-18:00"),
        // « sauf … de … à … » replaces, even when disjoint
        ("tous les jours de 10h à 19h, sauf le lundi de 14h à 19h", "Tu-Su 10:00-19:00; Mo 14:00-19:00"),
        // a close said aside
        ("du lundi au samedi de 8h30 à 17h30 (samedi 12h)", "Mo-Fr 08:30-17:30; Sa 08:30-12:00"),
        ("du lundi au vendredi de 8h à 12h et de 13h à 18h (17h le vendredi)", "Mo-Th 08:00-12:00,13:00-18:00; Fr 08:00-12:00,13:00-17:00"),
        ("du mardi au samedi de 10h à 18h (jusqu’à 21h le jeudi)", "Tu,We,Fr,Sa 10:00-18:00; Th 10:00-21:00"),
        // opening and closing times said apart
        ("ouverture à 7h du lundi au samedi ; du lundi au jeudi fermeture à 22h ; vendredi et samedi fermeture à 23h", "Mo-Th 07:00-22:00; Fr,Sa 07:00-23:00"),
        // closed days are taken out
        ("tous les jours de 11h à 18h, fermé le mardi", "Mo,We-Su 11:00-18:00"),
        ("Lundi : 10h-12h ; Mardi : fermé ; Mercredi : 10h-12h", "Mo,We 10:00-12:00"),
        // a first Saturday added to weekdays
        ("du lundi au vendredi de 9h à 17h et le 1er samedi du mois de 9h à 12h", "Mo-Fr 09:00-17:00; Sa[1] 09:00-12:00"),
    ])
    func combination(text: String, expected: String) {
        Self.check(text, expected)
    }

    @Test func combinationNeverDuplicatesARange() {
        for text in ["du lundi au vendredi de 10h à 17h, et du lundi au vendredi de 10h à 17h", "le mardi de 9h à 12h et le mardi de 9h à 12h", "lundi 9h-12h, lundi 9h-12h, lundi 9h-12h"] {
            let s = FrenchSchedule.read(text).schedule
            let spans = s?.rules.flatMap(\.times) ?? []
            #expect(spans.count == Set(spans).count && s?.rules.count == 1, "\(text) → \(FrenchSchedule.read(text).openingHours ?? "nil")")
        }
    }

    // MARK: Conservative refusals

    @Test(arguments: [
        "deux jeudis par mois de 14h à 17h",
        "un mardi sur deux, de 18h à 20h",
        "tous les quinze jours, le samedi de 10h à 12h",
        "le samedi, une fois par mois, de 14h à 16h",
        "rencontre mensuelle le mercredi de 18h à 20h",
        "On y va parfois le dimanche de 15h à 18h",
        "le plus souvent le jeudi de 14h à 16h",
        "Je passe le lundi à 10h de temps en temps",
    ])
    func vagueFrequenciesAreRefused(text: String) {
        Self.check(text, nil)
        #expect(FrenchSchedule.read(text).flags.map(\.code).contains("vague_frequency"))
    }

    @Test(arguments: [
        ("Le GEM ouvre le lundi, le mercredi et le vendredi.", "hours_missing"),
        ("on se retrouve tous les mardis soir", "hours_missing"),
        ("Permanence chaque 3e jeudi du mois", "hours_missing"),
        ("Horaires : de 10h à 17h.", "days_missing"),
        ("Téléphone : de 9h à 18h", "phone_hours"),
        ("Publié le 03/02/2025 à 11h42, modifié le 04/02/2025 à 08h05", "not_a_schedule"),
        ("Ouvert 35 heures par semaine", "vague_frequency"),
        ("Atelier d’une durée de 2 heures, le vendredi", "hours_missing"),
        ("la mer est à 14h de train", "not_a_schedule"),
    ])
    func refusalsSayWhy(text: String, code: String) {
        Self.check(text, nil)
        let r = FrenchSchedule.read(text)
        #expect(r.flags.map(\.code).contains(code), "\(text) → \(r.flags.map(\.code))")
    }

    @Test func daysWithoutHoursAreKeptForTheRecord() {
        let r = FrenchSchedule.read("du mardi au vendredi de 14h à 18h, et le samedi")
        #expect(r.openingHours == "Tu-Fr 14:00-18:00")
        #expect(r.daysWithoutHours.map(\.weekday) == [6])
        #expect(r.flags.map(\.code).contains("partial_schedule"))
    }

    // MARK: Totality

    @Test(arguments: [
        "", " ", "(", ")", "((((", "de à", "du au", "le 1er", "24/", "/24", "7j/", "de 25h à 30h", "le 99 février 2025 à 14h",
        "le 31 février 2025 de 10h à 12h", "du 31 au", "lundi au", "au vendredi", "semaines impaires", "sauf", "hors hors hors",
        "à partir du", "jusqu’à", "fermeture à", "ouverture à 5h", "de 9h à", "9h-", "-9h", "h", "hh", "::", "14:", ":30",
        String(repeating: "1", count: 5000), String(repeating: "lundi ", count: 2000), String(repeating: "(", count: 3000),
        String(repeating: "le 1er et 3e ", count: 500), "\u{0301}\u{0301}", "🙂 lundi 🙂 9h", "Lun.Mar.Mer.", "lundi—vendredi 9h–17h",
    ])
    func neverTraps(text: String) {
        let r = FrenchSchedule.read(text)
        #expect(r.schedule != nil || r.reason != nil)
        _ = FrenchDates.dates(in: text, today: LocalDate(year: 2026, month: 1, day: 1))
    }

    @Test func frenchDatesStillReadsSessions() {
        let today = LocalDate(year: 2026, month: 12, day: 1)
        #expect(FrenchDates.dates(in: "les samedis 16, 23 et 30 janvier 2027", today: today).map(\.description) == ["2027-01-16", "2027-01-23", "2027-01-30"])
        #expect(FrenchDates.dates(in: "19 et 26 mars et 2 avril 2027", today: today).map(\.description) == ["2027-03-19", "2027-03-26", "2027-04-02"])
        #expect(FrenchDates.dates(in: "le 1er sept", today: today).map(\.description) == ["2027-09-01"])
        let c = FrenchDates.clauses(in: "à Nice, les samedis 16, 23 et 30 janvier 2027, de 9 h à 17 h 30, Maison des associations", today: today)
        #expect(c.first?.start == 540 && c.first?.end == 1050 && c.first?.city == "Nice")
    }
}
