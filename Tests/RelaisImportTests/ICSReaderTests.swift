import Foundation
import RelaisApp
import RelaisMerge
@testable import RelaisSources
import RelaisStoreSQLite
@testable import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisStore
import RelaisTestSupport
import Testing

/// The iCalendar reader on its own: bytes in, raw records out, at the fixtures' reference date.
@Suite struct ICSReaderTests {
    static func read(_ bytes: [UInt8], now: Date = TestEnvironment.referenceDate, kind: Kind? = .groupe_parole) throws -> ReadResult {
        let m = Manifest(id: "t", title: "t", url: "http://127.0.0.1/t.ics", format: .ics, kind: kind)
        let ctx = ReaderContext(manifest: m, normalizer: RecordNormalizer(data: TestEnvironment.data, defaultKind: kind), now: now, environment: [:])
        return try ICSReader().read(Payload(documents: [Document(url: m.url, body: bytes)]), ctx)
    }

    /// A calendar of the given lines (CRLF), with VCALENDAR around them.
    static func calendar(_ lines: [String]) -> [UInt8] {
        Array((["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Relais//Tests//FR"] + lines + ["END:VCALENDAR", ""]).joined(separator: "\r\n").utf8)
    }

    static func event(_ lines: [String]) -> [String] { ["BEGIN:VEVENT"] + lines + ["END:VEVENT"] }

    static func iso(_ o: Occurrence) -> String { ParisTime.iso(o.start) }

    /// Session occurrences and schedule occurrences (exceptions removed) of a record, from a date, in order.
    static func occurrences(_ r: RawRecord, from: LocalDate, days: Int) -> [Occurrence] {
        var out = r.sessions.flatMap(\.occurrences).filter { $0.start.date >= from && $0.start.date < from.adding(days: days) }
        if let s = r.schedule { out += ScheduleEvaluator(s).occurrences(from: from, days: days) }
        return out.sorted()
    }

    static func day(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d) }

    // MARK: Lines

    @Test func foldsCutInsideUTF8CharactersAreUnfoldedBeforeDecoding() throws {
        // "mères" folded between the two bytes of "è" (C3 A8), with CRLF + space, and "déplacé" with LF + tab.
        var bytes = Array("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270114T183000\r\nSUMMARY:Groupe des m".utf8)
        bytes += [0xC3, 0x0D, 0x0A, 0x20, 0xA8] + Array("res\r\nDESCRIPTION:D".utf8)
        bytes += [0xC3, 0x0A, 0x09, 0xA9] + Array("plac".utf8) + [0xC3, 0xA9] + Array("\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8)
        let r = try #require(try Self.read(bytes).records.first)
        #expect(r.name == "Groupe des mères")
        #expect(r.description == "Déplacé")
        // Decoding first would have failed; the unfolded bytes are valid UTF-8.
        #expect(throws: (any Error).self) { try TextDecoding.decode(bytes, encoding: "utf-8") }
    }

    @Test func quotedParametersAndEscapedText() throws {
        let r = try #require(try Self.read(Self.calendar(Self.event([
            "UID:b", "DTSTART;TZID=\"Europe/Paris\":20270114T183000",
            "LOCATION;ALTREP=\"http://exemple.fr/salle;a:b\";LANGUAGE=fr:Salle Verlaine\\, 3 place de la Comédie\\; RDC\\, 57000 Metz",
            "SUMMARY:Parole\\\\partage\\nsuite",
            "DESCRIPTION:Sur inscription. Contact : 03 53 01 57 57.",
        ]))).records.first)
        #expect(r.addressText == "Salle Verlaine, 3 place de la Comédie, RDC, 57000 Metz")
        #expect(r.name == "Parole\\partage\nsuite")
        #expect(r.registration == "Sur inscription.")
        #expect(r.sessions.first.map { Self.iso($0.occurrences[0]) } == "2027-01-14T18:30:00+01:00")
    }

    @Test func notICalendarAndTruncatedFeedsAreErrors() throws {
        #expect(throws: ReadError.self) { try Self.read(Array("<html>".utf8)) }
        #expect(throws: ReadError.self) { try Self.read(Array("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n".utf8)) }
        #expect(throws: ReadError.self) { try Self.read(Array(String(repeating: "BEGIN:VCALENDAR\r\n", count: 20).utf8)) }
    }

    // MARK: Times and zones

    @Test func utcFloatingWindowsAndIANAZones() throws {
        let result = try Self.read(Self.calendar(
            Self.event(["UID:utc", "SUMMARY:utc", "DTSTART:20270209T173000Z", "DTEND:20270209T190000Z"])
                + Self.event(["UID:floating", "SUMMARY:floating", "DTSTART:20270209T183000", "DURATION:PT1H30M"])
                + Self.event(["UID:windows", "SUMMARY:windows", "DTSTART;TZID=Romance Standard Time:20270709T183000", "DTEND;TZID=Romance Standard Time:20270709T200000"])
                + Self.event(["UID:reunion", "SUMMARY:reunion", "DTSTART;TZID=Indian/Reunion:20270209T100000", "DTEND;TZID=Indian/Reunion:20270209T120000"])
                + Self.event(["UID:unknown", "SUMMARY:unknown", "DTSTART;TZID=Mars/Olympus:20270209T100000"])
        ))
        func first(_ s: String) -> Occurrence? { result.records.first { $0.name == s }?.sessions.first?.occurrences.first }
        #expect(first("utc").map(Self.iso) == "2027-02-09T18:30:00+01:00")
        #expect(first("utc")?.end.map { ParisTime.iso($0) } == "2027-02-09T20:00:00+01:00")
        #expect(first("floating").map(Self.iso) == "2027-02-09T18:30:00+01:00")
        #expect(first("floating")?.end?.description == "2027-02-09T20:00:00")
        #expect(first("windows").map(Self.iso) == "2027-07-09T18:30:00+02:00")
        #expect(first("reunion").map(Self.iso) == "2027-02-09T07:00:00+01:00")  // 10:00 +04:00
        #expect(first("unknown").map(Self.iso) == "2027-02-09T10:00:00+01:00")
        #expect(result.issues.contains { $0.field == "TZID" && $0.reason.contains("Mars/Olympus") })
    }

    /// A VTIMEZONE with the North American rule at −05:00, under a name no table knows.
    static let easternVTimezone = [
        "BEGIN:VTIMEZONE", "TZID:Heure de l’Est (Montréal)",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "DTSTART:19700308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
        "BEGIN:STANDARD", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "DTSTART:19701101T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD",
        "END:VTIMEZONE",
    ]

    @Test func vtimezoneOffsetsAreComputedFromItsRules() throws {
        let tz = "TZID=Heure de l’Est (Montréal)"
        let result = try Self.read(Self.calendar(Self.easternVTimezone + Self.event([
            "UID:visio", "SUMMARY:Visio transatlantique", "DTSTART;\(tz):20270106T120000", "DTEND;\(tz):20270106T130000",
            "RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20271117T170000Z",
        ])))
        let r = try #require(result.records.first)
        #expect(r.schedule == nil)  // another zone: dated occurrences
        let occ = r.sessions.flatMap(\.occurrences)
        func at(_ d: LocalDate) -> String? { occ.first { $0.start.date == d }.map(Self.iso) }
        // 12:00 in Montréal is 18:00 in Paris, but 17:00 while only North America is on summer time
        // (2027-03-14 → 03-28 and 10-31 → 11-07).
        #expect(at(Self.day(2027, 1, 6)) == "2027-01-06T18:00:00+01:00")
        #expect(at(Self.day(2027, 3, 10)) == "2027-03-10T18:00:00+01:00")
        #expect(at(Self.day(2027, 3, 17)) == "2027-03-17T17:00:00+01:00")
        #expect(at(Self.day(2027, 3, 24)) == "2027-03-24T17:00:00+01:00")
        #expect(at(Self.day(2027, 3, 31)) == "2027-03-31T18:00:00+02:00")
        #expect(at(Self.day(2027, 11, 3)) == "2027-11-03T17:00:00+01:00")
        #expect(at(Self.day(2027, 11, 10)) == "2027-11-10T18:00:00+01:00")
        // UNTIL 17:00Z is 12:00 in Montréal on 11-17: the last occurrence.
        #expect(occ.last.map(Self.iso) == "2027-11-17T18:00:00+01:00")
        #expect(occ.first?.end.map { ParisTime.iso($0) } == "2027-01-06T19:00:00+01:00")
    }

    @Test func outlookDisplayNamesAndOtherCETNames() {
        #expect(CivilZone.named("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna") == .paris)
        #expect(CivilZone.named("Europe/Prague") == .paris)
        #expect(CivilZone.named("(UTC+04:00) Port Louis") == .reunion)
        #expect(CivilZone.named("(UTC-03:00) Cayenne, Fortaleza") == .cayenne)
    }

    @Test func aVTimezoneThatIsParisUnderAnotherNameIsParis() throws {
        let result = try Self.read(Self.calendar([
            "BEGIN:VTIMEZONE", "TZID:Heure de Paris (perso)",
            "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
            "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
            "END:VTIMEZONE",
        ] + Self.event([
            "UID:cafe", "SUMMARY:Café des proches", "DTSTART;TZID=Heure de Paris (perso):20261104T180000",
            "DTEND;TZID=Heure de Paris (perso):20261104T200000", "RRULE:FREQ=WEEKLY;BYDAY=WE",
        ])))
        let r = try #require(result.records.first)
        #expect(OpeningHours.format(r.schedule ?? Schedule()) == "2026 Nov 04+ We 18:00-20:00")
        #expect(result.issues.isEmpty)
    }

    // MARK: Recurrences

    @Test func recurrenceIdOverridesMoveRenameRelocateAndCancel() throws {
        let p = "TZID=Europe/Paris"
        let result = try Self.read(Self.calendar(
            Self.event(["UID:s", "SEQUENCE:0", "DTSTART;\(p):20261103T180000", "DTEND;\(p):20261103T200000", "RRULE:FREQ=WEEKLY;BYDAY=TU",
                        "EXDATE;\(p):20261110T180000", "SUMMARY:Groupe du mardi", "LOCATION:Maison des associations\\, 12 rue Lecocq\\, 33000 Bordeaux"])
                // Cancelled.
                + Self.event(["UID:s", "SEQUENCE:1", "RECURRENCE-ID;\(p):20261124T180000", "DTSTART;\(p):20261124T180000", "STATUS:CANCELLED"])
                // Moved to Thursday: the later SEQUENCE wins over a stale one, whatever the order.
                + Self.event(["UID:s", "SEQUENCE:2", "RECURRENCE-ID;\(p):20261208T180000", "DTSTART;\(p):20261210T183000", "DTEND;\(p):20261210T203000"])
                + Self.event(["UID:s", "SEQUENCE:1", "RECURRENCE-ID;\(p):20261208T180000", "DTSTART;\(p):20261209T090000"])
                // Relocated and renamed, same time; RECURRENCE-ID in UTC.
                + Self.event(["UID:s", "SEQUENCE:1", "RECURRENCE-ID:20261215T170000Z", "DTSTART;\(p):20261215T180000", "DTEND;\(p):20261215T200000",
                              "SUMMARY:Groupe du mardi (salle Garonne)", "LOCATION:Salle Garonne\\, 1 quai Richelieu\\, 33000 Bordeaux"])
        ))
        #expect(result.records.count == 1)
        let r = try #require(result.records.first)
        // Dated up to the last override (2026-12-15), the rule from the 16th.
        #expect(OpeningHours.format(r.schedule ?? Schedule()) == "2026 Dec 16+ Tu 18:00-20:00")
        let occ = Self.occurrences(r, from: Self.day(2026, 11, 1), days: 60).map(Self.iso)
        #expect(occ == ["2026-11-03T18:00:00+01:00", "2026-11-17T18:00:00+01:00", "2026-12-01T18:00:00+01:00", "2026-12-10T18:30:00+01:00",
                        "2026-12-15T18:00:00+01:00", "2026-12-22T18:00:00+01:00", "2026-12-29T18:00:00+01:00"])
        let relocated = try #require(r.sessions.first { $0.title.contains("Garonne") })
        #expect(relocated.placeName == "Salle Garonne, 1 quai Richelieu, 33000 Bordeaux")
        #expect(relocated.occurrences.map(Self.iso) == ["2026-12-15T18:00:00+01:00"])
        let moved = try #require(r.sessions.flatMap(\.occurrences).first { $0.start.date == Self.day(2026, 12, 10) })
        #expect(moved.end.map { ParisTime.iso($0) } == "2026-12-10T20:30:00+01:00")
    }

    @Test func cancelledSeriesAndOrphanOverrides() throws {
        let result = try Self.read(Self.calendar(
            Self.event(["UID:c", "STATUS:CANCELLED", "DTSTART:20261103T180000", "RRULE:FREQ=WEEKLY", "SUMMARY:Annulé"])
                + Self.event(["UID:c", "RECURRENCE-ID:20261110T180000", "DTSTART:20261111T180000", "SUMMARY:Annulé aussi"])
                + Self.event(["UID:o", "RECURRENCE-ID:20261201T180000", "DTSTART:20261202T180000", "SUMMARY:Seule occurrence publiée"])
        ))
        #expect(result.records.map(\.name) == ["Seule occurrence publiée"])
        #expect(result.records.first?.sessions.first?.occurrences.map(Self.iso) == ["2026-12-02T18:00:00+01:00"])
    }

    @Test func republishedEventsAndRecurringSiblings() throws {
        let result = try Self.read(Self.calendar(
            Self.event(["UID:r", "SEQUENCE:1", "SUMMARY:Réunion d’information", "DTSTART:20270112T180000"])
                + Self.event(["UID:r", "SEQUENCE:0", "SUMMARY:Réunion d’information", "DTSTART:20270105T180000"])
                + Self.event(["UID:x1", "RELATED-TO:cycle", "SUMMARY:Cycle (séance 1)", "DTSTART:20270109T100000"])
                + Self.event(["UID:x2", "RELATED-TO:cycle", "SUMMARY:Cycle (séance 2)", "DTSTART:20270116T100000", "RRULE:FREQ=WEEKLY;COUNT=2"])
        ))
        #expect(result.records.first { $0.name == "Réunion d’information" }?.sessions.flatMap(\.occurrences).map { $0.start.description } == ["2027-01-12T18:00:00"])
        #expect(result.records.first { $0.name == "Cycle" }?.sessions.flatMap(\.occurrences).map { $0.start.date.description } == ["2027-01-09", "2027-01-16", "2027-01-23"])
    }

    @Test func allDayMultiDayAndDuration() throws {
        let result = try Self.read(Self.calendar(
            Self.event(["UID:f", "SUMMARY:Forum", "DTSTART;VALUE=DATE:20270206", "DTEND;VALUE=DATE:20270209"])
                + Self.event(["UID:w", "SUMMARY:Week-end", "DTSTART;VALUE=DATE:20270313", "DURATION:P2D"])
                + Self.event(["UID:m", "SUMMARY:Mensuel", "DTSTART;VALUE=DATE:20261205", "RRULE:FREQ=MONTHLY;BYMONTHDAY=5;COUNT=3"])
        ))
        func days(_ s: String) -> [String] { result.records.first { $0.name == s }?.sessions.flatMap(\.occurrences).map { "\($0.start.date)\($0.allDay ? "" : "!")" } ?? [] }
        #expect(days("Forum") == ["2027-02-06", "2027-02-07", "2027-02-08"])
        #expect(days("Week-end") == ["2027-03-13", "2027-03-14"])
        #expect(days("Mensuel") == ["2026-12-05", "2027-01-05", "2027-02-05"])
    }

    @Test func rulesTheModelCannotSayAreDatedWithinTheWindow() throws {
        let result = try Self.read(Self.calendar(
            Self.event(["UID:md", "SUMMARY:Le 15", "DTSTART:20261115T100000", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15,-1"])
                + Self.event(["UID:sp", "SUMMARY:Avant-dernier jour ouvré", "DTSTART:20261127T100000", "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2"])
                + Self.event(["UID:daily", "SUMMARY:Chaque jour", "DTSTART:20200101T100000", "RRULE:FREQ=DAILY;COUNT=1000000000"])
                + Self.event(["UID:bad", "SUMMARY:Règle illisible", "DTSTART:20261215T100000", "RRULE:FREQ=DAILY;INTERVAL=0"])
        ))
        func occ(_ s: String) -> [Occurrence] { result.records.first { $0.name == s }?.sessions.flatMap(\.occurrences) ?? [] }
        #expect(occ("Le 15").prefix(4).map { $0.start.description } == ["2026-11-15T10:00:00", "2026-11-30T10:00:00", "2026-12-15T10:00:00", "2026-12-31T10:00:00"])
        #expect(occ("Avant-dernier jour ouvré").prefix(3).map { $0.start.date.description } == ["2026-11-27", "2026-12-30", "2027-01-28"])
        // From a year before the import date to 400 days after it.
        let daily = occ("Chaque jour")
        #expect(daily.first?.start.date == Self.day(2026, 11, 23).adding(days: -ICSReader.historyDays))
        #expect(daily.last?.start.date == Self.day(2026, 11, 23).adding(days: ICSReader.windowDays))
        #expect(occ("Règle illisible").map { $0.start.description } == ["2026-12-15T10:00:00"])
        #expect(result.issues.contains { $0.field == "RRULE" && $0.reason.contains("INTERVAL") && $0.severity == .warning })
    }

    @Test func outlookConformanceFixture() throws {
        guard SharedData.requireShared() else { return }
        let bytes = [UInt8](try SharedData.data("fixtures/conformance/agenda-outlook.ics"))
        let result = try Self.read(bytes)
        #expect(result.issues.isEmpty, "\(result.issues)")
        let coeurs = try #require(result.records.first { $0.name?.contains("Cœurs de mères") == true })
        #expect(OpeningHours.format(coeurs.schedule ?? Schedule())?.hasSuffix("Tu[2,4] 18:00-20:00") == true)
        let after = Self.occurrences(coeurs, from: Self.day(2026, 12, 1), days: 90).map(Self.iso)
        #expect(after == ["2026-12-08T18:00:00+01:00", "2027-01-14T18:30:00+01:00", "2027-01-26T18:00:00+01:00",
                          "2027-02-09T18:00:00+01:00", "2027-02-23T18:00:00+01:00"])
        let moved = try #require(coeurs.sessions.first { $0.title.contains("déplacé") })
        #expect(moved.placeName?.hasPrefix("Salle Verlaine") == true)
        #expect(moved.note == "Remplace la séance du mardi 12 janvier 2027.")
        #expect(coeurs.description?.contains("d’un enfant adulte") == true && coeurs.description?.contains("Entrée libre") == true)
        let nancy = try #require(result.records.first { $0.name?.contains("Nancy") == true })
        #expect(nancy.schedule == nil)
        #expect(nancy.sessions.flatMap(\.occurrences).map(Self.iso) == ["2027-01-23T09:30:00+01:00", "2027-01-30T09:30:00+01:00", "2027-02-06T09:30:00+01:00"])
        #expect(nancy.registration?.hasPrefix("Inscription obligatoire") == true)
    }

    // MARK: Hostile input

    static let hostileEvents: [[String]] = [
        ["UID:h1", "SUMMARY:Minute par minute depuis 1601", "DTSTART:16010101T000000", "RRULE:FREQ=MINUTELY;COUNT=2000000000"],
        ["UID:h2", "SUMMARY:Fin des temps", "DTSTART:99991231T235959", "DTEND:99991231T235959", "RRULE:FREQ=YEARLY"],
        ["UID:h3", "SUMMARY:Durée folle", "DTSTART:20270101T100000", "DURATION:P999999999999W", "RDATE:" + Array(repeating: "20270102T100000", count: 5000).joined(separator: ",")],
        ["UID:h4", "SUMMARY:Nombres", "DTSTART:20270101T100000", "SEQUENCE:99999999999999999999999", "GEO:1e400;-1e400",
         "EXDATE:20270101T100000/PT1H,garbage,,", "RRULE:FREQ=WEEKLY;INTERVAL=100000;BYDAY=53MO"],
        ["UID:h5", "SUMMARY:Dates fausses", "DTSTART;TZID=\"Non:Fermé;\":20270230T250000", "RECURRENCE-ID:2027"],
        ["UID:h6", "SUMMARY:Chaque jour, toujours", "DTSTART;VALUE=DATE:20000101", "DTEND;VALUE=DATE:99991231", "RRULE:FREQ=DAILY"],
        ["UID:h7", "RECURRENCE-ID;TZID=Europe/Paris:20270105T100000", "DTSTART:20270105T100000", "SUMMARY:Orpheline"],
    ]

    @Test func hostileEventsAreBoundedAndNeverTrap() throws {
        var lines = Self.easternVTimezone.map { $0.replacingOccurrences(of: "FREQ=YEARLY", with: "FREQ=MINUTELY;COUNT=2000000000") }
        for e in Self.hostileEvents { lines += Self.event(e) }
        let result = try Self.read(Self.calendar(lines))
        for r in result.records { #expect(r.sessions.reduce(0) { $0 + $1.occurrences.count } <= ICSReader.maxOccurrencesPerRecord) }
        #expect(result.records.contains { $0.name == "Orpheline" })
    }

    @Test func mutatedFeedsNeverTrap() throws {
        let base = Self.calendar(Self.easternVTimezone + Self.event([
            "UID:m", "SEQUENCE:2", "DTSTART;TZID=Heure de l’Est (Montréal):20261110T180000", "DTEND;TZID=Heure de l’Est (Montréal):20261110T200000",
            "RRULE:FREQ=MONTHLY;BYDAY=2TU,4TU", "EXDATE;TZID=Europe/Paris:20261222T180000", "SUMMARY:Groupe « Cœurs de mères »",
            "LOCATION:Maison\\, 1 rue\\; Metz", "DESCRIPTION:Entrée libre\\, contact : 03 53 01 57 57.",
        ]) + Self.event(["UID:m", "RECURRENCE-ID:20270112T170000Z", "DTSTART:20270114T173000Z", "SUMMARY:Déplacé"]))
        var state: UInt64 = 0xF00D
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(1, n)))
        }
        let tokens: [[UInt8]] = [[0x0D, 0x0A, 0x20], [0x0A], [0xC3], [0xE2, 0x80], Array(";".utf8), Array(":".utf8), Array("\"".utf8),
                                 Array("BEGIN:VEVENT\r\n".utf8), Array("END:VEVENT\r\n".utf8), Array("99999999999".utf8), Array("-".utf8)]
        var outcomes = (read: 0, refused: 0)
        // RELAIS_FUZZ_ITERATIONS and RELAIS_FUZZ_SEED run more or other mutations.
        let env = ProcessInfo.processInfo.environment
        let iterations = env["RELAIS_FUZZ_ITERATIONS"].flatMap { Int($0.prefix(7)) } ?? 400
        state = env["RELAIS_FUZZ_SEED"].flatMap { UInt64($0.prefix(19)) } ?? state
        for _ in 0..<iterations {
            var b = base
            for _ in 0..<(1 + next(6)) {
                switch next(8) {
                case 0, 1, 2: b.insert(contentsOf: tokens[next(tokens.count)], at: next(b.count + 1))
                case 3: if !b.isEmpty { b[next(b.count)] = UInt8(32 + next(95)) }  // another ASCII character
                case 4: if !b.isEmpty { b[next(b.count)] = UInt8(next(256)) }
                case 5:
                    let at = next(b.count)
                    b.removeSubrange(at..<min(b.count, at + next(40)))
                case 6:
                    let at = next(b.count)
                    b.insert(contentsOf: b[at..<min(b.count, at + next(200))], at: next(b.count + 1))
                default: if next(3) == 0 { b = Array(b.prefix(next(b.count + 1))) }
                }
            }
            do { _ = try Self.read(b); outcomes.read += 1 } catch { outcomes.refused += 1 }
        }
        print("◇ \(iterations) mutated feeds: \(outcomes.read) read, \(outcomes.refused) refused with an error")
    }

    // MARK: Size

    @Test func twentyThousandEventsOfOneSeriesReadInLinearTime() throws {
        // One daily series and 19,999 overrides moving each occurrence by an hour.
        var lines = Self.event(["UID:big", "SUMMARY:Permanence", "DTSTART:20260101T100000", "DTEND:20260101T110000", "RRULE:FREQ=DAILY"])
        for i in 1..<20_000 {
            let d = LocalDate(year: 2026, month: 1, day: 1).adding(days: i)
            let s = d.description.filter { $0.isNumber }
            lines += Self.event(["UID:big", "SEQUENCE:1", "RECURRENCE-ID:\(s)T100000", "DTSTART:\(s)T110000", "DTEND:\(s)T120000"])
        }
        // And 20,000 sibling events of one session.
        for i in 0..<20_000 {
            let s = LocalDate(year: 2027, month: 1, day: 1).adding(days: i % 300).description.filter { $0.isNumber }
            lines += Self.event(["UID:sib-\(i)", "RELATED-TO:atelier", "SUMMARY:Atelier (séance \(i))", "DTSTART:\(s)T\(10 + i % 8)0000"])
        }
        let bytes = Self.calendar(lines)
        let clock = ContinuousClock()
        var result = ReadResult()
        let elapsed = try clock.measure { result = try Self.read(bytes) }
        print("◇ 40,000 VEVENTs (\(bytes.count / 1024) Kio) read in \(elapsed)")
        let big = try #require(result.records.first { $0.name == "Permanence" })
        let occ = big.sessions.flatMap(\.occurrences)
        #expect(occ.contains { $0.start.description == "2027-01-10T11:00:00" })
        #expect(!occ.contains { $0.start.description == "2027-01-10T10:00:00" })
        let siblings = try #require(result.records.first { $0.name == "Atelier" })
        #expect(siblings.sessions.first?.occurrences.count == 600)  // (i mod 300, i mod 8) takes 600 values
    }
}

/// `conformance/agenda-outlook.ics` through a real local server and the store
/// (../shared/fixtures/conformance/EXPECTED.md).
@Suite(.serialized) struct OutlookFeedImportTests {
    @Test func outlookFeedImports() async throws {
        guard SharedData.requireShared() else { return }
        let env = try TestEnvironment()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: SharedData.url("fixtures"))) { server in
            let run = await env.importer.run(env.manifest("outlook", url: "\(server.baseURL)/conformance/agenda-outlook.ics", format: .ics, kind: .groupe_parole))
            #expect(run.status == .success, "\(run.message ?? "")")
            let all = try env.all()
            #expect(all.count == 2)
            let coeurs = try #require(all.first { $0.content.name.contains("Cœurs de mères") })
            #expect(coeurs.content.kind == .groupe_parole)
            #expect(OpeningHours.format(coeurs.content.schedule)?.hasSuffix("Tu[2,4] 18:00-20:00") == true)
            #expect(coeurs.content.phones.map(\.number) == ["+33353015757"])
            #expect(coeurs.content.address?.insee == "57463")
            #expect(coeurs.content.audiences.contains(.proche))  // « Pour les mères et les pères d’un enfant adulte… »
            // Occurrences after 2026-12-01: the cancelled 22 December is gone, 12 January moved to Thursday 14th 18:30.
            var occ = coeurs.content.sessions.flatMap(\.occurrences).filter { $0.start.date >= LocalDate(year: 2026, month: 12, day: 1) }
            occ += ScheduleEvaluator(coeurs.content.schedule).occurrences(from: LocalDate(year: 2026, month: 12, day: 1), days: 90)
            #expect(occ.sorted().map { ParisTime.iso($0.start) } == ["2026-12-08T18:00:00+01:00", "2027-01-14T18:30:00+01:00", "2027-01-26T18:00:00+01:00",
                                                                    "2027-02-09T18:00:00+01:00", "2027-02-23T18:00:00+01:00"])
            let moved = try #require(coeurs.content.sessions.flatMap(\.occurrences).first { $0.start.date == LocalDate(year: 2027, month: 1, day: 14) })
            #expect(moved.end.map { ParisTime.iso($0) } == "2027-01-14T20:30:00+01:00")
            let nancy = try #require(all.first { $0.content.name.contains("Nancy") })
            #expect(nancy.content.kind == .atelier_prospect)
            #expect(nancy.content.schedule.isEmpty)
            #expect(nancy.content.sessions.flatMap(\.occurrences).map { ParisTime.iso($0.start) + "–" + ($0.end.map { ParisTime.iso($0) } ?? "") } == [
                "2027-01-23T09:30:00+01:00–2027-01-23T17:00:00+01:00", "2027-01-30T09:30:00+01:00–2027-01-30T17:00:00+01:00",
                "2027-02-06T09:30:00+01:00–2027-02-06T17:00:00+01:00",
            ])
            #expect(nancy.content.address?.insee == "54395")
            #expect(nancy.content.phones.map(\.number) == ["+33353015454"])
            #expect(nancy.content.registration?.hasPrefix("Inscription obligatoire") == true)
        }
    }
}

/// Each public iCalendar fixture expanded by recurring-ical-events (PyPI) and read by
/// Relais: the same non-cancelled start times, in Paris time, from 2026-12-01 to 2027-06-30.
@Suite struct ICSOracleTests {
    static func python(_ test: String = #function) -> String? {
        if let py = ProcessInfo.processInfo.environment["RELAIS_ORACLE_PY"], !py.isEmpty { return py }
        print("◇ skipped \(test): set RELAIS_ORACLE_PY to a Python with icalendar and recurring-ical-events (see scripts/oracle-tests.sh)")
        return nil
    }

    static func oracle(_ python: String, _ file: URL) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [SharedData.projectRoot.appendingPathComponent("scripts/oracle-rrule.py").path, "--ics", file.path, "2026-12-01", "2027-07-01"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "\(String(decoding: errors, as: UTF8.self).suffix(2000))")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 2, f[1] != "CANCELLED" else { return nil }
            return String(f[0])
        }.sorted()
    }

    @Test(arguments: ["fixtures/agenda.ics", "fixtures/conformance/agenda-outlook.ics"])
    func fixtureMatchesRecurringICalEvents(_ path: String) throws {
        guard SharedData.requireShared(), let py = Self.python() else { return }
        let file = SharedData.url(path)
        let theirs = try Self.oracle(py, file)
        let result = try ICSReaderTests.read([UInt8](try Data(contentsOf: file)))
        let from = LocalDate(year: 2026, month: 12, day: 1), through = LocalDate(year: 2027, month: 6, day: 30)
        var ours: [String] = []
        for r in result.records {
            for o in ICSReaderTests.occurrences(r, from: from, days: through.dayNumber - from.dayNumber + 1) {
                ours.append(o.allDay ? "\(o.start.date) all-day" : "\(o.start.date) \(TimeSpan.hhmm(o.start.minutes))")
            }
        }
        ours.sort()
        #expect(ours == theirs)
        print("◇ oracle: \(path): \(ours.count) occurrences from Relais, \(theirs.count) from recurring-ical-events")
    }
}
