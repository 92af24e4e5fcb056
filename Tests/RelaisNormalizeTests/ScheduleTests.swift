import Foundation
import RelaisModel
import RelaisNormalize
import RelaisTestSupport
import Testing

@Suite struct FrenchScheduleTests {
    /// Phrasings from the project's own corpus (real French sources, adapted).
    @Test(arguments: [
        ("Les jeudis après-midi de 13h30 à 18h00", "Th 13:30-18:00"),
        ("Le mercredi après-midi de 13h30 à 17h00", "We 13:30-17:00"),
        ("tous les jours de la semaine de 9h à 17h", "Mo-Fr 09:00-17:00"),
        ("tous les jours de la semaine de 9h à 17h, hors jours fériés", "Mo-Fr 09:00-17:00; PH off"),
        ("un groupe le dernier jeudi de chaque mois de 17 h 30 à 19 h 30", "Th[-1] 17:30-19:30"),
        ("un groupe le dernier mardi de chaque mois de 18 à 20 h", "Tu[-1] 18:00-20:00"),
        ("un groupe le 1er mardi de chaque mois de 18 h à 20 heures", "Tu[1] 18:00-20:00"),
        ("un groupe le 2ème jeudi de chaque mois de 17 h 45 à 19 h 45", "Th[2] 17:45-19:45"),
        ("les 1er et 3ème mardi de chaque mois, de 14h à 17h, et sur rendez-vous en dehors de ces créneaux.", "Tu[1,3] 14:00-17:00"),
        ("lundi au vendredi 9h-11h45/14h-16h30 (16h le vendredi).", "Mo-Th 09:00-11:45,14:00-16:30; Fr 09:00-11:45,14:00-16:00"),
        ("du lundi au vendredi de 10h à 17h", "Mo-Fr 10:00-17:00"),
        ("Lun, mar, jeu, ven : 13h30-17h30 ; mer : 10h-12h", "Mo,Tu,Th,Fr 13:30-17:30; We 10:00-12:00"),
        ("Lundi 14h-18h; mercredi 10h-12h et 14h-18h\nFermé en août", "Mo 14:00-18:00; We 10:00-12:00,14:00-18:00; Aug off"),
        ("Lundi, mardi, jeudi et vendredi de 10h à 12h et de 14h à 17h", "Mo,Tu,Th,Fr 10:00-12:00,14:00-17:00"),
        ("Du lundi au vendredi 9h30-12h30, 14h-17h", "Mo-Fr 09:30-12:30,14:00-17:00"),
        ("2e et 4e mercredis de 15h à 17h", "We[2,4] 15:00-17:00"),
        ("1er lundi du mois* 17h30 – 19h sauf en juillet et en août", "Mo[1] 17:30-19:00; Jul-Aug off"),
        ("le mardi et le jeudi de 14h à 17h, et sur rendez-vous", "Tu,Th 14:00-17:00"),
        ("Le jeudi à 14h30 en période scolaire", "Th 14:30+; SH off"),
        ("Accueil foyer : ouverture à 5h tous les jours - Lundi au jeudi fermeture à 1h - Vendredi, samedi, dimanche fermeture à 2h.", "Mo-Th 05:00-01:00; Fr-Su 05:00-02:00"),
        ("Mo-Fr 09:00-18:00", "Mo-Fr 09:00-18:00"),
        ("Ouvert du lundi au vendredi de 10 h à 17 h", "Mo-Fr 10:00-17:00"),
        ("le samedi de midi à 18h", "Sa 12:00-18:00"),
    ])
    func understands(text: String, osm: String) {
        let r = FrenchSchedule.read(text)
        #expect(r.openingHours == osm, "\(text) → \(r.openingHours ?? "nil") (\(r.reason ?? ""))")
    }

    /// Text that is not a recurring schedule with hours: nothing is invented.
    @Test(arguments: [
        "Le GEM est ouvert du mardi au samedi.",
        "ouvre 28 heures par semaine",
        "Chaque groupe se réunit une fois par mois (9 séances dans l’année d’octobre à juin)",
        "au moins une fois par mois, le samedi matin",
        "un samedi après-midi par mois",
        "un samedi par mois de 14h à 17h",
        "Ouverts en journée",
        "on a des activités tous les jours",
        "sur rendez-vous",
        "quand ils en ont envie",
        "Tél. de 14h à 18h",
        "le 8 juillet entre 14 h 30 et 18 h",
        "Des plages d’accueil proposées d’au moins trente-cinq heures hebdomadaires",
        "1er étage, salle 3",
    ])
    func refuses(text: String) {
        let r = FrenchSchedule.read(text)
        #expect(r.schedule == nil, "\(text) → \(r.openingHours ?? "nil")")
        #expect(r.reason != nil)
        #expect(!r.flags.isEmpty)
    }

    @Test func flagsWhatItKnows() {
        let days = FrenchSchedule.read("Le GEM est ouvert du mardi au samedi.")
        #expect(days.flags.map(\.code).contains("hours_missing"))
        #expect(days.daysWithoutHours.map(\.weekday) == [2, 3, 4, 5, 6])
        #expect(FrenchSchedule.read("sur rendez-vous").flags.map(\.code).contains("by_appointment"))
        #expect(FrenchSchedule.read("Tél. de 14h à 18h").flags.map(\.code).contains("phone_hours"))
        #expect(FrenchSchedule.read("Le jeudi à 14h30 en période scolaire").flags.map(\.code).contains("school_terms"))
    }

    /// The public half of the real-phrasing corpus in ../shared/scenarios.
    @Test func publicCorpus() throws {
        guard SharedData.requireShared() else { return }
        let text = try String(contentsOf: SharedData.url("scenarios/schedules.tsv"), encoding: .utf8)
        var failures: [String] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("phrase\t") {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard cols.count == 2 else { continue }
            let expected = String(cols[1])
            if expected == "any" { continue }
            let got = FrenchSchedule.read(String(cols[0])).openingHours
            let ok = expected.split(separator: "|").contains { alt in
                alt == "-" ? got == nil : got.map { OSMCompare.equivalent($0, String(alt)) } ?? false
            }
            if !ok { failures.append("\(cols[0]) → \(got ?? "-") (expected \(expected))") }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}

/// Equivalence of OSM strings: same opening spans on every day of two years.
enum OSMCompare {
    static func equivalent(_ a: String, _ b: String) -> Bool {
        guard let sa = try? OpeningHours.parse(a), let sb = try? OpeningHours.parse(b) else { return a == b }
        let ea = ScheduleEvaluator(sa), eb = ScheduleEvaluator(sb)
        var d = LocalDate(year: 2026, month: 1, day: 1)
        for _ in 0..<730 {
            if ea.spans(on: d) != eb.spans(on: d) { return false }
            d = d.adding(days: 1)
        }
        return true
    }
}

@Suite struct OpeningHoursTests {
    @Test(arguments: [
        "Mo-Fr 09:00-13:00,14:00-18:00; PH off",
        "Mo,Tu,Th,Fr 10:00-17:00; We 14:00-17:00",
        "We 14:00-18:00; Sa[1] 10:00-12:00",
        "Mo-Fr 10:00-12:00,13:30-17:30; Sa[-1] 14:00-18:00",
        "Oct-Jun Th[-1] 17:30-19:30",
        "Mo 14:00-18:00; We 10:00-12:00,14:00-18:00; Aug off",
        "Th 14:30+",
        "Tu[1,3] 14:00-17:00",
        "2027 Jan 16 09:00-17:30",
    ])
    func roundTrips(osm: String) throws {
        #expect(OpeningHours.format(try OpeningHours.parse(osm)) == osm)
    }

    @Test(arguments: ["Ouverts en journée", "lundi au vendredi 9h-11h45/14h-16h30 (16h le vendredi).", "Mo-Fr", "Mo-Fr 25:00-26:00", "Mo-Fr sunrise-sunset"])
    func refusesInvalid(text: String) {
        #expect(!OpeningHours.isValid(text))
    }

    @Test func evaluatesNthWeekdaysOverridesAndHolidays() throws {
        let s = try OpeningHours.parse("Mo-Fr 09:00-17:00; Fr 09:00-12:00; PH off")
        let e = ScheduleEvaluator(s)
        #expect(e.spans(on: LocalDate(year: 2026, month: 11, day: 23)) == [TimeSpan(open: 540, close: 1020)])  // Monday
        #expect(e.spans(on: LocalDate(year: 2026, month: 11, day: 27)) == [TimeSpan(open: 540, close: 720)])  // Friday
        #expect(e.spans(on: LocalDate(year: 2026, month: 11, day: 11)).isEmpty)  // Armistice
        #expect(e.spans(on: LocalDate(year: 2027, month: 5, day: 6)).isEmpty)  // Ascension 2027
        let monthly = ScheduleEvaluator(try OpeningHours.parse("Tu[1,3] 14:00-17:00"))
        let next = monthly.occurrences(from: LocalDate(year: 2026, month: 11, day: 23), days: 45).map { $0.start.description }
        #expect(next == ["2026-12-01T14:00:00", "2026-12-15T14:00:00", "2027-01-05T14:00:00"])
        let last = ScheduleEvaluator(try OpeningHours.parse("Th[-1] 18:00-20:00"))
        #expect(last.next(after: LocalDateTime(date: LocalDate(year: 2026, month: 11, day: 23), minutes: 720))?.start.description == "2026-11-26T18:00:00")
    }

    @Test func everyOtherWeekKeepsItsAnchor() {
        let rule = ScheduleRule(days: [WeekdaySelector(weekday: 3)], times: [TimeSpan(open: 840, close: 960)], interval: 2, anchor: LocalDate(year: 2026, month: 11, day: 4))
        let e = ScheduleEvaluator(Schedule(rules: [rule]))
        let dates = e.occurrences(from: LocalDate(year: 2026, month: 11, day: 1), days: 80).map { $0.start.date.description }
        #expect(dates == ["2026-11-04", "2026-11-18", "2026-12-02", "2026-12-16", "2026-12-30", "2027-01-13"])
        #expect(OpeningHours.format(Schedule(rules: [rule])) == nil)
        #expect(OpeningHours.rrule(rule) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE")
    }

    @Test func parisOffsetsFollowSummerTime() {
        let winter = LocalDateTime(date: LocalDate(year: 2027, month: 3, day: 26), minutes: 540)
        let summer = LocalDateTime(date: LocalDate(year: 2027, month: 4, day: 2), minutes: 540)
        #expect(ParisTime.iso(winter) == "2027-03-26T09:00:00+01:00")
        #expect(ParisTime.iso(summer) == "2027-04-02T09:00:00+02:00")
        let utc = ParisTime.local(atEpoch: ParisTime.epoch(of: LocalDateTime(date: LocalDate(year: 2027, month: 2, day: 9), minutes: 17 * 60 + 30)) + 3600)
        #expect(utc.description == "2027-02-09T18:30:00")
        #expect(LocalDate(year: 2026, month: 11, day: 23).weekday == 1)
        #expect(FrenchHolidays.easter(2027) == LocalDate(year: 2027, month: 3, day: 28))
    }
}
