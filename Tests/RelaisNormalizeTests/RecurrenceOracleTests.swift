import Foundation
import RelaisModel
import RelaisNormalize
import RelaisTestSupport
import Testing

extension Oracle {
    static func run(_ python: String, arguments: [String] = [], input: String = "") throws -> String {
        try run(python, script: script("oracle-rrule.py"), arguments: arguments, input: input)
    }
}


@Suite struct RecurrenceOracleTests {
    static let dayNames = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    /// Seeded random combinations of FREQ, INTERVAL, BYDAY (with ordinals), BYMONTHDAY,
    /// BYMONTH, BYSETPOS, WKST, COUNT and UNTIL, with a floating DTSTART.
    static func generatedRules(count: Int, seed: UInt64) -> [(start: LocalDateTime, rule: String)] {
        var g = SeededRandom(seed: seed)
        var out: [(LocalDateTime, String)] = []
        for _ in 0..<count {
            let freq = ["DAILY", "WEEKLY", "WEEKLY", "MONTHLY", "MONTHLY", "MONTHLY", "YEARLY"].randomElement(using: &g)!
            let year = Int.random(in: 2024...2028, using: &g), month = Int.random(in: 1...12, using: &g)
            let day = Int.random(in: 1...LocalDate.daysIn(month: month, year: year), using: &g)
            let start = LocalDateTime(date: LocalDate(year: year, month: month, day: day), hour: Int.random(in: 6...21, using: &g),
                                      minute: [0, 15, 30, 45].randomElement(using: &g)!)
            var parts = ["FREQ=\(freq)"]
            if Int.random(in: 0..<2, using: &g) == 1 { parts.append("INTERVAL=\(Int.random(in: 2...4, using: &g))") }
            var hasDaySelector = false
            if Int.random(in: 0..<10, using: &g) < 6 {
                let n = Int.random(in: 1...3, using: &g)
                let ordinals = (freq == "MONTHLY" || freq == "YEARLY") && Int.random(in: 0..<10, using: &g) < 6
                let days = Set((0..<n).map { _ in Int.random(in: 0..<7, using: &g) }).sorted()
                parts.append("BYDAY=" + days.map { d in
                    (ordinals ? String([1, 2, 3, 4, -1, -2].randomElement(using: &g)!) : "") + dayNames[d]
                }.joined(separator: ","))
                hasDaySelector = true
            }
            if freq != "WEEKLY" && Int.random(in: 0..<10, using: &g) < 3 {
                let n = Int.random(in: 1...3, using: &g)
                let values = Set((0..<n).map { _ in [1, 2, 5, 10, 13, 15, 20, 28, 29, 30, 31, -1, -2, -3, -7].randomElement(using: &g)! })
                parts.append("BYMONTHDAY=" + values.sorted().map(String.init).joined(separator: ","))
                hasDaySelector = true
            }
            if Int.random(in: 0..<4, using: &g) == 0 {
                let n = Int.random(in: 1...3, using: &g)
                let months = Set((0..<n).map { _ in Int.random(in: 1...12, using: &g) }).union(freq == "YEARLY" ? [] : [month])
                parts.append("BYMONTH=" + months.sorted().map(String.init).joined(separator: ","))
            }
            // Not WEEKLY: python-dateutil starts the first week at DTSTART before applying BYSETPOS
            // (see RecurrenceFrenchFeedsTests.weeklySetPosCountsTheWholeFirstWeek).
            if hasDaySelector && (freq == "MONTHLY" || freq == "YEARLY") && Int.random(in: 0..<5, using: &g) == 0 {
                parts.append("BYSETPOS=" + [[1], [-1], [2], [1, -1]].randomElement(using: &g)!.map(String.init).joined(separator: ","))
            }
            if Int.random(in: 0..<7, using: &g) == 0 { parts.append("WKST=" + dayNames.randomElement(using: &g)!) }
            switch Int.random(in: 0..<10, using: &g) {
            case 0..<4: parts.append("COUNT=\(Int.random(in: 1...30, using: &g))")
            case 4..<7:
                let until = LocalDateTime(date: start.date.adding(days: Int.random(in: 20...900, using: &g)), hour: Int.random(in: 0...23, using: &g), minute: 0)
                parts.append("UNTIL=" + String(until.description.filter { $0.isNumber }.prefix(8)) + "T" + String(until.description.filter { $0.isNumber }.dropFirst(8).prefix(6)))
            default: break
            }
            parts.shuffle(using: &g)
            out.append((start, parts.joined(separator: ";")))
        }
        return out
    }

    static func icalText(_ t: LocalDateTime) -> String {
        let d = t.description.filter { $0.isNumber }
        return String(d.prefix(8)) + "T" + String(d.dropFirst(8).prefix(6))
    }

    @Test func generatedRulesMatchDateutil() throws {
        guard let py = Oracle.python() else { return }
        let rules = Self.generatedRules(count: 200, seed: 0x5EED_2026)
        let limit = 300
        var input = ""
        for (start, rule) in rules {
            let through = LocalDateTime(date: start.date.adding(days: 3 * 366), minutes: start.minutes)
            input += "DTSTART:\(Self.icalText(start)) RRULE:\(rule) WINDOW:\(Self.icalText(start))/\(Self.icalText(through)) LIMIT:\(limit)\n"
        }
        let lines = try Oracle.run(py, input: input).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count >= rules.count)
        var agree = 0, occurrences = 0
        for (i, (start, text)) in rules.enumerated() {
            let through = LocalDateTime(date: start.date.adding(days: 3 * 366), minutes: start.minutes)
            let rule = try RecurrenceRule.parse(text).get()
            let mine = Recurrence.expand(rule, start: start, from: start, through: through, limit: limit, startIsOccurrence: false)
            let theirs = lines[i].split(separator: " ").map(String.init)
            #expect(!lines[i].hasPrefix("ERROR"), "dateutil refused \(text): \(lines[i])")
            let ours = mine.occurrences.map(compact)
            #expect(ours == theirs, "DTSTART:\(Self.icalText(start)) RRULE:\(text)\n  relais:   \(ours.prefix(12))\n  dateutil: \(theirs.prefix(12))")
            if ours == theirs { agree += 1 }
            occurrences += theirs.count
        }
        print("◇ oracle: \(agree)/\(rules.count) generated rules equal to python-dateutil (\(occurrences) occurrences)")
    }

    @Test func rfcExamplesMatchDateutil() throws {
        guard let py = Oracle.python() else { return }
        let examples = RecurrenceRFCExamplesTests.examples.filter { $0.exdates.isEmpty }
        var input = ""
        for x in examples {
            let rrule = x.rrule.replacingOccurrences(of: "Z", with: "")  // dateutil wants floating bounds with a floating DTSTART
            input += "DTSTART:\(x.dtstart) RRULE:\(rrule) LIMIT:\(x.expected.count)\n"
        }
        let lines = try Oracle.run(py, input: input).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, x) in examples.enumerated() {
            #expect(lines[i].split(separator: " ").map(String.init) == x.expected, "\(x.title)")
        }
    }
}
