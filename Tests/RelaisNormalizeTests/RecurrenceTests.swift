import RelaisModel
import RelaisNormalize
import RelaisTestSupport
import Testing

/// `19970902T0900` for 1997-09-02 09:00.
func compact(_ t: LocalDateTime) -> String {
    String(t.description.filter { $0.isNumber }.prefix(12)).enumerated().map { i, c in i == 8 ? "T\(c)" : "\(c)" }.joined()
}

func wall(_ s: String) -> LocalDateTime {
    guard let v = ICalDateTime.parse(s) else { fatalError("bad test date \(s)") }
    return v.wallClock
}

/// Days of one month at one time, as the RFC lists them: `on(1997, 9, [2, 4, 6], "0900")`.
func on(_ y: Int, _ m: Int, _ days: [Int], _ hm: String = "0900") -> [String] {
    days.map { String(format4(y)) + pad(m) + pad($0) + "T" + hm }
}

func on(_ y: Int, _ m: Int, _ days: ClosedRange<Int>, _ hm: String = "0900") -> [String] { on(y, m, Array(days), hm) }

func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
func format4(_ n: Int) -> String { String(n) }

/// One example of RFC 5545 §3.8.5.3: DTSTART (America/New_York in the RFC, run
/// here as floating wall-clock time, which is what the RFC's lists show), the rule,
/// and the occurrences the RFC lists. For an unbounded rule the RFC lists the
/// first occurrences: only that many are compared.
struct RFCExample: CustomTestStringConvertible, Sendable {
    var title: String
    var dtstart: String
    var rrule: String
    var exdates: [String] = []
    var expected: [String]
    var unbounded = false
    var testDescription: String { title + " — " + rrule }
}

@Suite struct RecurrenceRFCExamplesTests {
    static let examples: [RFCExample] = {
        var x: [RFCExample] = []
        x.append(.init(title: "Daily for 10 occurrences", dtstart: "19970902T090000", rrule: "FREQ=DAILY;COUNT=10",
                       expected: on(1997, 9, 2...11)))
        x.append(.init(title: "Daily until December 24, 1997", dtstart: "19970902T090000", rrule: "FREQ=DAILY;UNTIL=19971224T000000Z",
                       expected: on(1997, 9, 2...30) + on(1997, 10, 1...25) + on(1997, 10, 26...31) + on(1997, 11, 1...30) + on(1997, 12, 1...23)))
        x.append(.init(title: "Every other day - forever", dtstart: "19970902T090000", rrule: "FREQ=DAILY;INTERVAL=2",
                       expected: on(1997, 9, Array(stride(from: 2, through: 30, by: 2))) + on(1997, 10, Array(stride(from: 2, through: 24, by: 2)))
                           + on(1997, 10, [26, 28, 30]) + on(1997, 11, Array(stride(from: 1, through: 29, by: 2))) + on(1997, 12, [1, 3]),
                       unbounded: true))
        x.append(.init(title: "Every 10 days, 5 occurrences", dtstart: "19970902T090000", rrule: "FREQ=DAILY;INTERVAL=10;COUNT=5",
                       expected: on(1997, 9, [2, 12, 22]) + on(1997, 10, [2, 12])))
        let january3Years = on(1998, 1, 1...31) + on(1999, 1, 1...31) + on(2000, 1, 1...31)
        x.append(.init(title: "Every day in January, for 3 years (yearly)", dtstart: "19980101T090000",
                       rrule: "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA", expected: january3Years))
        x.append(.init(title: "Every day in January, for 3 years (daily)", dtstart: "19980101T090000",
                       rrule: "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", expected: january3Years))
        x.append(.init(title: "Weekly for 10 occurrences", dtstart: "19970902T090000", rrule: "FREQ=WEEKLY;COUNT=10",
                       expected: on(1997, 9, [2, 9, 16, 23, 30]) + on(1997, 10, [7, 14, 21]) + on(1997, 10, [28]) + on(1997, 11, [4])))
        x.append(.init(title: "Weekly until December 24, 1997", dtstart: "19970902T090000", rrule: "FREQ=WEEKLY;UNTIL=19971224T000000Z",
                       expected: on(1997, 9, [2, 9, 16, 23, 30]) + on(1997, 10, [7, 14, 21]) + on(1997, 10, [28]) + on(1997, 11, [4, 11, 18, 25])
                           + on(1997, 12, [2, 9, 16, 23])))
        x.append(.init(title: "Every other week - forever", dtstart: "19970902T090000", rrule: "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
                       expected: on(1997, 9, [2, 16, 30]) + on(1997, 10, [14]) + on(1997, 10, [28]) + on(1997, 11, [11, 25]) + on(1997, 12, [9, 23])
                           + on(1998, 1, [6, 20]) + on(1998, 2, [3, 17]), unbounded: true))
        let tuTh5Weeks = on(1997, 9, [2, 4, 9, 11, 16, 18, 23, 25, 30]) + on(1997, 10, [2])
        x.append(.init(title: "Weekly on Tuesday and Thursday for five weeks (UNTIL)", dtstart: "19970902T090000",
                       rrule: "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH", expected: tuTh5Weeks))
        x.append(.init(title: "Weekly on Tuesday and Thursday for five weeks (COUNT)", dtstart: "19970902T090000",
                       rrule: "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", expected: tuTh5Weeks))
        x.append(.init(title: "Every other week on Monday, Wednesday, and Friday until December 24, 1997", dtstart: "19970901T090000",
                       rrule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
                       expected: on(1997, 9, [1, 3, 5, 15, 17, 19, 29]) + on(1997, 10, [1, 3, 13, 15, 17]) + on(1997, 10, [27, 29, 31])
                           + on(1997, 11, [10, 12, 14, 24, 26, 28]) + on(1997, 12, [8, 10, 12, 22])))
        x.append(.init(title: "Every other week on Tuesday and Thursday, for 8 occurrences", dtstart: "19970902T090000",
                       rrule: "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
                       expected: on(1997, 9, [2, 4, 16, 18, 30]) + on(1997, 10, [2, 14, 16])))
        x.append(.init(title: "Monthly on the first Friday for 10 occurrences", dtstart: "19970905T090000", rrule: "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
                       expected: on(1997, 9, [5]) + on(1997, 10, [3]) + on(1997, 11, [7]) + on(1997, 12, [5]) + on(1998, 1, [2]) + on(1998, 2, [6])
                           + on(1998, 3, [6]) + on(1998, 4, [3]) + on(1998, 5, [1]) + on(1998, 6, [5])))
        x.append(.init(title: "Monthly on the first Friday until December 24, 1997", dtstart: "19970905T090000",
                       rrule: "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
                       expected: on(1997, 9, [5]) + on(1997, 10, [3]) + on(1997, 11, [7]) + on(1997, 12, [5])))
        x.append(.init(title: "Every other month on the first and last Sunday of the month for 10 occurrences", dtstart: "19970907T090000",
                       rrule: "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
                       expected: on(1997, 9, [7, 28]) + on(1997, 11, [2, 30]) + on(1998, 1, [4, 25]) + on(1998, 3, [1, 29]) + on(1998, 5, [3, 31])))
        x.append(.init(title: "Monthly on the second-to-last Monday of the month for 6 months", dtstart: "19970922T090000",
                       rrule: "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
                       expected: on(1997, 9, [22]) + on(1997, 10, [20]) + on(1997, 11, [17]) + on(1997, 12, [22]) + on(1998, 1, [19]) + on(1998, 2, [16])))
        x.append(.init(title: "Monthly on the third-to-the-last day of the month, forever", dtstart: "19970928T090000", rrule: "FREQ=MONTHLY;BYMONTHDAY=-3",
                       expected: on(1997, 9, [28]) + on(1997, 10, [29]) + on(1997, 11, [28]) + on(1997, 12, [29]) + on(1998, 1, [29]) + on(1998, 2, [26]),
                       unbounded: true))
        x.append(.init(title: "Monthly on the 2nd and 15th of the month for 10 occurrences", dtstart: "19970902T090000",
                       rrule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
                       expected: on(1997, 9, [2, 15]) + on(1997, 10, [2, 15]) + on(1997, 11, [2, 15]) + on(1997, 12, [2, 15]) + on(1998, 1, [2, 15])))
        x.append(.init(title: "Monthly on the first and last day of the month for 10 occurrences", dtstart: "19970930T090000",
                       rrule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
                       expected: on(1997, 9, [30]) + on(1997, 10, [1]) + on(1997, 10, [31]) + on(1997, 11, [1, 30]) + on(1997, 12, [1, 31])
                           + on(1998, 1, [1, 31]) + on(1998, 2, [1])))
        x.append(.init(title: "Every 18 months on the 10th thru 15th of the month for 10 occurrences", dtstart: "19970910T090000",
                       rrule: "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
                       expected: on(1997, 9, 10...15) + on(1999, 3, 10...13)))
        x.append(.init(title: "Every Tuesday, every other month", dtstart: "19970902T090000", rrule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
                       expected: on(1997, 9, [2, 9, 16, 23, 30]) + on(1997, 11, [4, 11, 18, 25]) + on(1998, 1, [6, 13, 20, 27]) + on(1998, 3, [3, 10, 17, 24, 31]),
                       unbounded: true))
        x.append(.init(title: "Yearly in June and July for 10 occurrences", dtstart: "19970610T090000", rrule: "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
                       expected: (1997...2001).flatMap { on($0, 6, [10]) + on($0, 7, [10]) }))
        x.append(.init(title: "Every other year on January, February, and March for 10 occurrences", dtstart: "19970310T090000",
                       rrule: "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
                       expected: on(1997, 3, [10]) + [1999, 2001, 2003].flatMap { on($0, 1, [10]) + on($0, 2, [10]) + on($0, 3, [10]) }))
        x.append(.init(title: "Every third year on the 1st, 100th, and 200th day for 10 occurrences", dtstart: "19970101T090000",
                       rrule: "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
                       expected: on(1997, 1, [1]) + on(1997, 4, [10]) + on(1997, 7, [19]) + on(2000, 1, [1]) + on(2000, 4, [9]) + on(2000, 7, [18])
                           + on(2003, 1, [1]) + on(2003, 4, [10]) + on(2003, 7, [19]) + on(2006, 1, [1])))
        x.append(.init(title: "Every 20th Monday of the year, forever", dtstart: "19970519T090000", rrule: "FREQ=YEARLY;BYDAY=20MO",
                       expected: on(1997, 5, [19]) + on(1998, 5, [18]) + on(1999, 5, [17]), unbounded: true))
        x.append(.init(title: "Monday of week number 20, forever", dtstart: "19970512T090000", rrule: "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
                       expected: on(1997, 5, [12]) + on(1998, 5, [11]) + on(1999, 5, [17]), unbounded: true))
        x.append(.init(title: "Every Thursday in March, forever", dtstart: "19970313T090000", rrule: "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
                       expected: on(1997, 3, [13, 20, 27]) + on(1998, 3, [5, 12, 19, 26]) + on(1999, 3, [4, 11, 18, 25]), unbounded: true))
        x.append(.init(title: "Every Thursday, but only during June, July, and August, forever", dtstart: "19970605T090000",
                       rrule: "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
                       expected: on(1997, 6, [5, 12, 19, 26]) + on(1997, 7, [3, 10, 17, 24, 31]) + on(1997, 8, [7, 14, 21, 28])
                           + on(1998, 6, [4, 11, 18, 25]) + on(1998, 7, [2, 9, 16, 23, 30]) + on(1998, 8, [6, 13, 20, 27])
                           + on(1999, 6, [3, 10, 17, 24]) + on(1999, 7, [1, 8, 15, 22, 29]) + on(1999, 8, [5, 12, 19, 26]), unbounded: true))
        x.append(.init(title: "Every Friday the 13th, forever", dtstart: "19970902T090000", rrule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
                       exdates: ["19970902T090000"],
                       expected: on(1998, 2, [13]) + on(1998, 3, [13]) + on(1998, 11, [13]) + on(1999, 8, [13]) + on(2000, 10, [13]), unbounded: true))
        x.append(.init(title: "The first Saturday that follows the first Sunday of the month, forever", dtstart: "19970913T090000",
                       rrule: "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
                       expected: on(1997, 9, [13]) + on(1997, 10, [11]) + on(1997, 11, [8]) + on(1997, 12, [13]) + on(1998, 1, [10]) + on(1998, 2, [7])
                           + on(1998, 3, [7]) + on(1998, 4, [11]) + on(1998, 5, [9]) + on(1998, 6, [13]), unbounded: true))
        x.append(.init(title: "Every 4 years, the first Tuesday after a Monday in November, forever", dtstart: "19961105T090000",
                       rrule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
                       expected: on(1996, 11, [5]) + on(2000, 11, [7]) + on(2004, 11, [2]), unbounded: true))
        x.append(.init(title: "The third instance into the month of one of Tuesday, Wednesday, or Thursday, for the next 3 months",
                       dtstart: "19970904T090000", rrule: "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
                       expected: on(1997, 9, [4]) + on(1997, 10, [7]) + on(1997, 11, [6])))
        x.append(.init(title: "The second-to-last weekday of the month", dtstart: "19970929T090000", rrule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
                       expected: on(1997, 9, [29]) + on(1997, 10, [30]) + on(1997, 11, [27]) + on(1997, 12, [30]) + on(1998, 1, [29]) + on(1998, 2, [26])
                           + on(1998, 3, [30]), unbounded: true))
        // As floating time 17:00 is the bound; in New York (EDT) 17:00Z would be 13:00 and stop
        // after 12:00 (RFC 5545 errata): the RFC's list is the floating reading.
        x.append(.init(title: "Every 3 hours from 9:00 AM to 5:00 PM on a specific day", dtstart: "19970902T090000",
                       rrule: "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z",
                       expected: ["0900", "1200", "1500"].map { "19970902T" + $0 }))
        x.append(.init(title: "Every 15 minutes for 6 occurrences", dtstart: "19970902T090000", rrule: "FREQ=MINUTELY;INTERVAL=15;COUNT=6",
                       expected: ["0900", "0915", "0930", "0945", "1000", "1015"].map { "19970902T" + $0 }))
        x.append(.init(title: "Every hour and a half for 4 occurrences", dtstart: "19970902T090000", rrule: "FREQ=MINUTELY;INTERVAL=90;COUNT=4",
                       expected: ["0900", "1030", "1200", "1330"].map { "19970902T" + $0 }))
        let every20 = [2, 3].flatMap { d in (9...16).flatMap { h in [0, 20, 40].map { m in "199709" + pad(d) + "T" + pad(h) + pad(m) } } }
        x.append(.init(title: "Every 20 minutes from 9:00 AM to 4:40 PM every day (daily)", dtstart: "19970902T090000",
                       rrule: "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40", expected: every20, unbounded: true))
        x.append(.init(title: "Every 20 minutes from 9:00 AM to 4:40 PM every day (minutely)", dtstart: "19970902T090000",
                       rrule: "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16", expected: every20, unbounded: true))
        x.append(.init(title: "An example where the days generated makes a difference because of WKST (MO)", dtstart: "19970805T090000",
                       rrule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", expected: on(1997, 8, [5, 10, 19, 24])))
        x.append(.init(title: "Changing only WKST from MO to SU", dtstart: "19970805T090000",
                       rrule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", expected: on(1997, 8, [5, 17, 19, 31])))
        x.append(.init(title: "An example where an invalid date (i.e., February 30) is ignored", dtstart: "20070115T090000",
                       rrule: "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", expected: on(2007, 1, [15, 30]) + on(2007, 2, [15]) + on(2007, 3, [15, 30])))
        return x
    }()

    @Test func theRFCHasFortyTwoExamples() {
        #expect(Self.examples.count == 42)
    }

    @Test(arguments: examples) func rfcExample(_ x: RFCExample) throws {
        let rule = try RecurrenceRule.parse(x.rrule).get()
        let start = wall(x.dtstart)
        let r = Recurrence.expand(rule, start: start, from: start, through: wall("20101231T235900"),
                                  limit: x.unbounded ? x.expected.count : 5000, exdates: x.exdates.map(wall))
        #expect(r.occurrences.map(compact) == x.expected)
        #expect(r.truncated == x.unbounded)
    }
}

/// The shapes French association feeds use, with occurrences read from the calendar.
@Suite struct RecurrenceFrenchFeedsTests {
    func expand(_ dtstart: String, _ rrule: String, zone: CivilZone? = nil, through: String = "20281231T000000") throws -> [String] {
        let rule = try RecurrenceRule.parse(rrule).get()
        let start = wall(dtstart)
        return Recurrence.expand(rule, start: start, zone: zone, from: start, through: wall(through)).occurrences.map(compact)
    }

    @Test func weeklyOnTuesdayUntil() throws {
        #expect(try expand("20261103T180000", "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215T235959Z", zone: .paris)
            == on(2026, 11, [3, 10, 17, 24], "1800") + on(2026, 12, [1, 8, 15], "1800"))
    }

    @Test func firstAndThirdTuesday() throws {
        #expect(try expand("20261103T140000", "FREQ=MONTHLY;BYDAY=1TU,3TU;COUNT=6")
            == on(2026, 11, [3, 17], "1400") + on(2026, 12, [1, 15], "1400") + on(2027, 1, [5, 19], "1400"))
    }

    @Test func lastThursdayUntilUTC() throws {
        // 20270225T230000Z is 2027-02-26 00:00 in Paris: the 25th is in.
        let want = on(2026, 10, [29], "1800") + on(2026, 11, [26], "1800") + on(2026, 12, [31], "1800") + on(2027, 1, [28], "1800") + on(2027, 2, [25], "1800")
        #expect(try expand("20261029T180000", "FREQ=MONTHLY;BYDAY=-1TH;UNTIL=20270225T230000Z", zone: .paris) == want)
        // Read as floating time, 23:00 on the 25th is also after 18:00.
        #expect(try expand("20261029T180000", "FREQ=MONTHLY;BYDAY=-1TH;UNTIL=20270225T230000Z") == want)
        // 17:00Z is 18:00 in Paris in winter: still in (UNTIL is inclusive); 16:59Z is not.
        #expect(try expand("20261029T180000", "FREQ=MONTHLY;BYDAY=-1TH;UNTIL=20270225T170000Z", zone: .paris) == want)
        #expect(try expand("20261029T180000", "FREQ=MONTHLY;BYDAY=-1TH;UNTIL=20270225T165900Z", zone: .paris) == Array(want.dropLast()))
    }

    @Test func secondAndFourthWednesday() throws {
        #expect(try expand("20261111T183000", "FREQ=MONTHLY;BYDAY=2WE,4WE;COUNT=8")
            == on(2026, 11, [11, 25], "1830") + on(2026, 12, [9, 23], "1830") + on(2027, 1, [13, 27], "1830") + on(2027, 2, [10, 24], "1830"))
        // Unbounded: the next occurrences keep coming (the old reader lost them).
        let rule = try RecurrenceRule.parse("FREQ=MONTHLY;BYDAY=2WE,4WE").get()
        let r = Recurrence.expand(rule, start: wall("20261111T183000"), from: wall("20270201T000000"), through: wall("20270331T235900"))
        #expect(r.occurrences.map(compact) == on(2027, 2, [10, 24], "1830") + on(2027, 3, [10, 24], "1830"))
    }

    @Test func secondAndFourthTuesdayAsOutlookWritesIt() throws {
        #expect(try expand("20261110T180000", "FREQ=MONTHLY;BYDAY=2TU,4TU", through: "20270228T000000")
            == on(2026, 11, [10, 24], "1800") + on(2026, 12, [8, 22], "1800") + on(2027, 1, [12, 26], "1800") + on(2027, 2, [9, 23], "1800"))
    }

    @Test func everyOtherWednesday() throws {
        #expect(try expand("20261104T100000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;COUNT=5")
            == on(2026, 11, [4, 18], "1000") + on(2026, 12, [2, 16, 30], "1000"))
        // A DATE bound includes its whole day.
        #expect(try expand("20261104T100000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;UNTIL=20270113")
            == on(2026, 11, [4, 18], "1000") + on(2026, 12, [2, 16, 30], "1000") + on(2027, 1, [13], "1000"))
    }

    @Test func rdateAndExdate() throws {
        let rule = try RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=TU").get()
        let start = wall("20261103T180000")
        let r = Recurrence.expand(rule, start: start, from: start, through: wall("20261201T000000"),
                                  rdates: [wall("20261105T180000")], exdates: [wall("20261110T180000")])
        #expect(r.occurrences.map(compact) == on(2026, 11, [3, 5, 17, 24], "1800"))
    }

    @Test func weeklySetPosCountsTheWholeFirstWeek() throws {
        // BYSETPOS picks among the instances of the whole period (the week from WKST), then
        // instances before DTSTART are dropped. python-dateutil starts the first week at
        // DTSTART instead, so it finds no second instance in the week of 2026-12-11 (a Friday)
        // and would even drop a synchronised DTSTART of Saturday 12th.
        let rule = try RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=TU,SA;BYSETPOS=2;COUNT=3").get()
        for dtstart in ["20261211T160000", "20261212T160000"] {
            let r = Recurrence.expand(rule, start: wall(dtstart), from: wall(dtstart), through: wall("20271231T000000"), startIsOccurrence: false)
            #expect(r.occurrences.map(compact) == on(2026, 12, [12, 19, 26], "1600"))
        }
    }

    @Test func unsynchronizedStartCountsAsFirstOccurrence() throws {
        // RFC 5545: DTSTART always counts; python-dateutil yields only what the rule selects.
        let rule = try RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=TU;COUNT=3").get()
        let start = wall("20261102T180000")  // a Monday
        let rfc = Recurrence.expand(rule, start: start, from: start, through: wall("20271231T000000"))
        #expect(rfc.occurrences.map(compact) == ["20261102T1800", "20261103T1800", "20261110T1800"])
        let dateutil = Recurrence.expand(rule, start: start, from: start, through: wall("20271231T000000"), startIsOccurrence: false)
        #expect(dateutil.occurrences.map(compact) == on(2026, 11, [3, 10, 17], "1800"))
        #expect(!Recurrence.isSynchronized(rule, start: start))
        #expect(Recurrence.isSynchronized(rule, start: wall("20261103T180000")))
    }
}

/// Hostile and malformed rules: bounded work, error values, never a trap.
@Suite struct RecurrenceHardeningTests {
    @Test func hugeCountIsBoundedByTheWindow() throws {
        let rule = try RecurrenceRule.parse("FREQ=DAILY;COUNT=1000000000").get()
        let start = wall("20260101T090000")
        let r = Recurrence.expand(rule, start: start, from: start, through: wall("20261231T235900"))
        #expect(r.occurrences.count == 365 && !r.truncated)
    }

    @Test func unboundedRulesAreCapped() throws {
        let start = wall("20260101T090000")
        let daily = Recurrence.expand(try RecurrenceRule.parse("FREQ=DAILY").get(), start: start, from: start, through: wall("99991231T000000"))
        #expect(daily.occurrences.count == Recurrence.defaultLimit && daily.truncated)
        // Counting from 1601 minute by minute: the work budget stops it.
        let old = wall("16010101T000000")
        let minutely = Recurrence.expand(try RecurrenceRule.parse("FREQ=MINUTELY;COUNT=2000000000").get(), start: old,
                                         from: wall("20260101T000000"), through: wall("20270101T000000"))
        #expect(minutely.occurrences.isEmpty && minutely.truncated)
        // A rule that never matches ends at the window's end.
        let never = Recurrence.expand(try RecurrenceRule.parse("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").get(), start: old,
                                      from: wall("20260101T000000"), through: wall("99991231T000000"))
        #expect(never.occurrences.isEmpty)
        // Without COUNT, the years before the window are skipped, not walked.
        let skipped = Recurrence.expand(try RecurrenceRule.parse("FREQ=MINUTELY;INTERVAL=7").get(), start: old,
                                        from: wall("20260101T000000"), through: wall("20260101T010000"))
        #expect(!skipped.truncated && skipped.occurrences.count >= 8)
    }

    @Test(arguments: [
        "", "FREQ=", "FREQ=FORTNIGHTLY", "BYDAY=MO", "FREQ=SECONDLY", "FREQ=DAILY;COUNT=0", "FREQ=DAILY;COUNT=-3",
        "FREQ=DAILY;COUNT=99999999999999999999999", "FREQ=DAILY;COUNT=1e9", "FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;INTERVAL=9223372036854775808",
        "FREQ=WEEKLY;BYDAY=0MO", "FREQ=MONTHLY;BYDAY=99TU", "FREQ=MONTHLY;BYDAY=X", "FREQ=MONTHLY;BYDAY=", "FREQ=MONTHLY;BYDAY=+TU",
        "FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=MONTHLY;BYMONTHDAY=0", "FREQ=YEARLY;BYMONTH=13", "FREQ=DAILY;UNTIL=2027",
        "FREQ=DAILY;UNTIL=20270230", "FREQ=DAILY;UNTIL=20270101T250000Z", "FREQ=DAILY;COUNT=3;UNTIL=20270101", "FREQ=DAILY;FREQ=WEEKLY",
        "FREQ=DAILY;BYSECOND=30", "FREQ=DAILY;WKST=XX", "FREQ=DAILY;FOO=1", "FREQ=DAILY;BYSETPOS=400", "FREQ=DAILY;BYHOUR=24",
        "FREQ=DAILY;COUNT", "FREQ=MONTHLY;BYDAY=2ÉWE", "FREQ=DAILY;BYMONTH=" + String(repeating: "1,", count: 500) + "1",
        String(repeating: "FREQ=DAILY;", count: 300),
    ])
    func malformedRulesAreErrorValues(_ text: String) {
        switch RecurrenceRule.parse(text) {
        case .success(let r): Issue.record("accepted \(text.prefix(60)) as \(r)")
        case .failure(let e): #expect(e.message.hasPrefix("RRULE"), "\(e.message)")
        }
    }

    @Test func randomRulesParseOrFailAndExpandWithinBounds() {
        // Rules assembled from valid and broken parts: parsing is total, expansion bounded.
        var g = SeededRandom(seed: 0xBAD_5EED)
        let keys = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSETPOS", "WKST", "X-Y", ""]
        let values = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "MINUTELY", "0", "1", "-1", "2", "53", "-53", "366", "400", "99999999999", "2WE,-1TH",
                      "MO,TU", "5FR", "-0SU", "SU", "20270101", "20270101T100000Z", "19000101T000000", "1,15,-1", "", ",", "=", "é", "12", "31"]
        var parsed = 0
        for _ in 0..<3000 {
            let n = Int.random(in: 1...6, using: &g)
            var parts = ["FREQ=" + ["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "MINUTELY", "X"].randomElement(using: &g)!]
            for _ in 0..<n { parts.append(keys.randomElement(using: &g)! + "=" + values.randomElement(using: &g)!) }
            parts.shuffle(using: &g)
            guard case .success(let rule) = RecurrenceRule.parse(parts.joined(separator: ";")) else { continue }
            parsed += 1
            let start = wall("20260101T093000")
            let r = Recurrence.expand(rule, start: start, from: start, through: wall("20260401T000000"), limit: 500)
            #expect(r.occurrences.count <= 500)
            #expect(r.occurrences == r.occurrences.sorted())
        }
        #expect(parsed > 100)
    }

    @Test func messagesAreFrench() {
        guard case .failure(let e) = RecurrenceRule.parse("FREQ=DAILY;COUNT=abc") else { Issue.record("accepted"); return }
        #expect(e.message == "RRULE\u{A0}: COUNT invalide «\u{A0}abc\u{A0}» (entier de 1 à 2147483647 attendu)")
    }

    @Test func roundTrip() throws {
        for text in ["FREQ=MONTHLY;BYDAY=2WE,4WE", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;WKST=SU", "FREQ=MONTHLY;UNTIL=20270624T220000Z;BYDAY=-1TH",
                     "FREQ=YEARLY;COUNT=3;BYMONTH=3;BYDAY=-1SU", "FREQ=MONTHLY;BYMONTHDAY=-3;BYSETPOS=1"] {
            #expect(try RecurrenceRule.parse(text).get().description == text)
        }
        // Trailing separators, lower case and the property name are tolerated.
        #expect(try RecurrenceRule.parse("RRULE:freq=weekly;byday=we;").get().description == "FREQ=WEEKLY;BYDAY=WE")
    }

    @Test func dateTimeValues() {
        #expect(ICalDateTime.parse("20270114") == .date(LocalDate(year: 2027, month: 1, day: 14)))
        #expect(ICalDateTime.parse("20270114T183000")?.wallClock.description == "2027-01-14T18:30:00")
        #expect(ICalDateTime.parse("20270114T173000Z") == .utc(LocalDateTime(date: LocalDate(year: 2027, month: 1, day: 14), hour: 17, minute: 30)))
        for bad in ["", "2027", "20271314", "20270229", "20270114T", "20270114T2400", "20270114T240000", "20270114T183000ZZ", "２０２７0114", "20270114T18300a"] {
            #expect(ICalDateTime.parse(bad) == nil, "\(bad)")
        }
    }
}
