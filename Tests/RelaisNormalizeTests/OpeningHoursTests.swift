import RelaisModel
import RelaisNormalize
import RelaisTestSupport
import Testing

@Suite struct OpeningHoursGrammarTests {
    /// Spreadsheet placeholders and malformed lists: an error with a French reason, never a trap
    /// (each of these ended the process with SIGILL before the grammar rewrite).
    @Test(arguments: [
        "-", "Mo,,Tu 10:00-12:00", ",Mo 10:00-12:00", "Mo-Fr 09:00-12:00; ,Sa 10:00-12:00",
        "Mo[", "Mo[]", "Mo[1", "Mo[-] 10:00-12:00", "Mo[6] 10:00-12:00", "Tu[1-] 10:00-12:00", "Jan-", "2026 Dec", "2026 Dec 32 off",
        "week", "week 54", "week 10-5", "week 01-53/", "10:00", "10:", ":00-12:00", "99:00-12:00", "Mo 10:00-", "Mo 10:00-12",
        "\"", "||", "|", "Mo 10:00-12:00 |", "24/", "24/7/7", "Mo-", "-Mo 10:00-12:00", "Mo - 10:00-12:00", "PH Mo 10:00-12:00",
        "Mo 10:00-12:00 unknown", "Mo sunrise-sunset", "0000000000000000000000 Jan 01", "Feb 30 10:00-12:00", "2025 Feb 29 off",
        "Mo[1] -1 day 10:00-12:00", "Mo-Fr", "off", "é", "Mo 10:00-12:00,", "Mo 10:00-12:00, ",
    ])
    func malformedIsAnError(text: String) {
        #expect(throws: OpeningHours.ParseError.self) { try OpeningHours.parse(text) }
    }

    /// Valid strings read and written back unchanged (the canonical form).
    @Test(arguments: [
        "Mo-Fr 09:00-12:00,14:00-17:00; PH off", "Tu[1,3] 14:00-16:00", "Th[-1] 18:00-20:00", "Su[1,2] 10:00-12:00",
        "week 01-53/2 Sa 09:00+", "Th 14:30+; SH off", "2023 Jan 28 17:00+", "Dec 24-Jan 02 off", "Dec 25 off",
        "2026 Dec 24-2027 Jan 02 off", "2026 Dec 31 off", "24/7", "Mo 10:00-12:00, We 14:00-16:00", "2026 Jan-Mar Mo 10:00-12:00",
        "Mo-Su 21:00-02:30", "Oct-Jun We 14:00-18:00; Jul-Aug off", "Mo,We,Fr 14:00-18:00", "Mo 10:00-12:00 \"sur rendez-vous\"",
        "2027 Jan 23,2027 Jan 30,2027 Feb 06 09:30-17:00", "2026-2027 Sa 10:00-12:00", "Fr-Su 18:00-26:00", "Mo-Fr 08:00-18:00; PH,SH off",
        "Mo-Fr 09:00-12:00,14:00-17:00; We 14:00-17:00 off", "Tu[2,4] 18:00-20:00; 2026 Dec 22 18:00-20:00 off", "off \"fermé temporairement\"",
    ])
    func roundTrips(text: String) throws {
        let schedule = try OpeningHours.parse(text)
        #expect(OpeningHours.format(schedule) == text)
    }

    @Test func tolerantSpellings() throws {
        #expect(OpeningHours.format(try OpeningHours.parse("Mo-Fr, 09:00-17:00")) == "Mo-Fr 09:00-17:00")
        #expect(OpeningHours.format(try OpeningHours.parse("Mo-Fr 09:00–17:00 || Sa 10:00-12:00")) == "Mo-Fr 09:00-17:00; Sa 10:00-12:00")
        #expect(OpeningHours.format(try OpeningHours.parse("Mo,Tu,We,Th,Fr 09:00-17:00;")) == "Mo-Fr 09:00-17:00")
        #expect(OpeningHours.format(try OpeningHours.parse("Mo-Fr, 09:00-17:00 ;;")) == "Mo-Fr 09:00-17:00")
        #expect(OpeningHours.format(try OpeningHours.parse("Su[1-2],Su[-1] 10:00-12:00")) == "Su[1,2,-1] 10:00-12:00")
        #expect(OpeningHours.format(try OpeningHours.parse("Fr,Mo,Mo 10:00-12:00")) == "Mo,Fr 10:00-12:00")
    }

    @Test func selectorsIntersect() throws {
        let e = ScheduleEvaluator(try OpeningHours.parse("week 01-53/2 Sa 09:00-12:00; 2026 Dec 24-2027 Jan 02 off"))
        // 2026-12-05 is a Saturday of ISO week 49 (odd); 2026-12-12 of week 50; 2026-12-26 of week 52 but closed.
        #expect(e.spans(on: LocalDate(year: 2026, month: 12, day: 5)) == [TimeSpan(open: 540, close: 720)])
        #expect(e.spans(on: LocalDate(year: 2026, month: 12, day: 12)).isEmpty)
        #expect(e.spans(on: LocalDate(year: 2027, month: 1, day: 2)).isEmpty)
        #expect(e.spans(on: LocalDate(year: 2027, month: 1, day: 9)) == [TimeSpan(open: 540, close: 720)])
        let yearly = ScheduleEvaluator(try OpeningHours.parse("Mo-Su 10:00-12:00; Dec 24-Jan 02 off"))
        #expect(yearly.spans(on: LocalDate(year: 2030, month: 12, day: 31)).isEmpty)
        #expect(yearly.spans(on: LocalDate(year: 2030, month: 1, day: 3)) == [TimeSpan(open: 600, close: 720)])
    }

    @Test func isoWeeks() {
        #expect(LocalDate(year: 2026, month: 1, day: 1).isoWeek == 1)
        #expect(LocalDate(year: 2027, month: 1, day: 1).isoWeek == 53)  // a Friday: week 53 of 2026
        #expect(LocalDate(year: 2026, month: 12, day: 28).isoWeek == 53)
        #expect(LocalDate(year: 2027, month: 1, day: 4).isoWeek == 1)
        #expect(LocalDate(year: 2024, month: 12, day: 30).isoWeek == 1)
    }

    /// Strings generated from the grammar, then mangled (a token dropped, doubled or
    /// swapped): whatever comes in, the parser answers a schedule or an error, and
    /// every schedule it answers is written back into a string that reads the same.
    @Test func generatedStringsNeverTrapAndRoundTrip() throws {
        var rng = SeededRandom(seed: 20261206)
        var parsed = 0
        for _ in 0..<5000 {
            var tokens = Self.generate(&rng)
            switch rng.next() % 5 {
            case 0 where !tokens.isEmpty: tokens.remove(at: Int(rng.next() % UInt64(tokens.count)))
            case 1 where !tokens.isEmpty:
                let i = Int(rng.next() % UInt64(tokens.count))
                tokens.insert(tokens[i], at: i)
            case 2 where tokens.count > 1:
                let i = Int(rng.next() % UInt64(tokens.count - 1))
                tokens.swapAt(i, i + 1)
            default: break
            }
            let text = tokens.joined()
            guard let schedule = try? OpeningHours.parse(text) else { continue }
            parsed += 1
            let written = try #require(OpeningHours.format(schedule), "\(text)")
            let again = try OpeningHours.parse(written)
            #expect(again == schedule, "\(text) → \(written)")
        }
        #expect(parsed > 1000)
    }

    static func generate(_ rng: inout SeededRandom) -> [String] {
        func pick(_ xs: [String]) -> String { xs[Int(rng.next() % UInt64(xs.count))] }
        var out: [String] = []
        for r in 0..<(1 + Int(rng.next() % 3)) {
            if r > 0 { out.append(pick(["; ", ", ", ";", " || ", ","])) }
            if rng.next() % 6 == 0 { out += [pick(["2026", "2027"]), " "] }
            if rng.next() % 5 == 0 { out += [pick(["Jan", "Oct-Jun", "Jul-Aug", "Dec 24-Jan 02", "Dec 25", "Mar,May"]), " "] }
            if rng.next() % 7 == 0 { out += ["week ", pick(["01-53/2", "02-52/2", "10", "1,3,5"]), " "] }
            let days = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
            for k in 0..<Int(rng.next() % 3) {
                if k > 0 { out.append(",") }
                out.append(pick(days))
                switch rng.next() % 4 {
                case 0: out += ["-", pick(days)]
                case 1: out += ["[", pick(["1", "-1", "2,4", "1-2", "3"]), "]"]
                default: break
                }
            }
            if rng.next() % 6 == 0 { out.append(pick([",PH", "PH", ",SH"])) }
            out.append(" ")
            if rng.next() % 5 == 0 {
                out.append(pick(["off", "closed", "24/7"]))
            } else {
                for k in 0..<(1 + Int(rng.next() % 2)) {
                    if k > 0 { out.append(",") }
                    let h = Int(rng.next() % 24), m = [0, 15, 30, 45][Int(rng.next() % 4)]
                    out.append(String(format: "%02d:%02d", h, m))
                    if rng.next() % 5 == 0 { out.append("+") } else { out.append(String(format: "-%02d:%02d", (h + 1 + Int(rng.next() % 10)) % 27, m)) }
                }
            }
        }
        return out
    }
}


@Suite struct PublishedHoursTests {
    @Test func exceptionsAndClosuresAreNeverDropped() throws {
        // An iCalendar EXDATE: no session on 31 December.
        var s = try OpeningHours.parse("Th 18:00-20:00")
        s.exceptions = [LocalDateTime(date: LocalDate(year: 2026, month: 12, day: 31), hour: 18, minute: 0)]
        #expect(OpeningHours.format(s) == "Th 18:00-20:00; 2026 Dec 31 off")
        // Two sessions that day: only the one cancelled goes.
        var two = try OpeningHours.parse("Th 10:00-12:00,18:00-20:00")
        two.exceptions = [LocalDateTime(date: LocalDate(year: 2026, month: 12, day: 31), hour: 18, minute: 0)]
        let written = try #require(OpeningHours.format(two))
        #expect(written == "Th 10:00-12:00,18:00-20:00; 2026 Dec 31 18:00-20:00 off")
        let e = ScheduleEvaluator(try OpeningHours.parse(written))
        #expect(e.spans(on: LocalDate(year: 2026, month: 12, day: 31)) == [TimeSpan(open: 600, close: 720)])
        // A validity window (iCalendar UNTIL) stays.
        let until = ScheduleRule(days: [WeekdaySelector(weekday: 2, nth: [2, 4])], times: [TimeSpan(open: 1080, close: 1200)], validFrom: LocalDate(year: 2026, month: 11, day: 10), validUntil: LocalDate(year: 2027, month: 6, day: 30))
        #expect(OpeningHours.format(Schedule(rules: [until])) == "2026 Nov 10-2027 Jun 30 Tu[2,4] 18:00-20:00")
        // A temporarily closed listing says so.
        var c = ListingContent(name: "GEM", kind: .gem, status: .temporarily_closed, schedule: try OpeningHours.parse("Mo-Fr 09:00-17:00"))
        #expect(OpeningHours.published(c) == "off \"fermé temporairement\"")
        c.status = .active
        #expect(OpeningHours.published(c) == "Mo-Fr 09:00-17:00")
    }
}
