import Foundation
import RelaisModel
import RelaisTestSupport
import Testing

/// The iCalendar feeds Relais serves, read by icalendar and recurring-ical-events: every feed
/// parses, and its occurrences are exactly the sessions the API lists for the same question.
@Suite(.serialized) struct CalendarOracleTests {
    @Test func servedFeedsParseAndMatchTheSessions() async throws {
        guard let py = Oracle.python() else { return }
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { s in
            var compared = 0
            for near in ["75011", "33000", "69003", "13001", "31000"] {
                let (status, ics, _) = try await h.get(s, "/calendrier.ics?near=\(near)&radius_km=100")
                #expect(status == 200)
                let file = SharedData.temporaryDirectory("ics").appendingPathComponent("feed.ics")
                try Data(ics.utf8).write(to: file)
                let lines = try Oracle.run(py, script: Oracle.script("oracle-rrule.py"), arguments: ["--ics", file.path, "2026-11-01", "2028-01-01"])
                    .split(separator: "\n").map(String.init)
                let theirs = lines.map { line -> String in
                    let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                    // The feed labels demonstration data in its summaries; the API says it in a field.
                    return f.count >= 3 ? "\(f[0]) \(f[2].replacingOccurrences(of: " (données de démonstration)", with: ""))" : line
                }.sorted()
                // The same question to the API: every occurrence of every session, in Paris time.
                let (_, body) = try await h.json(s, "/api/sessions?near=\(near)&radius_km=100&kind=atelier_prospect,groupe_parole&limit=200")
                var mine: [String] = []
                for item in (body["sessions"] as? [[String: Any]]) ?? [] {
                    let title = item["title"] as? String ?? ""
                    for o in (item["occurrences"] as? [[String: Any]]) ?? [] {
                        guard let start = o["start"] as? String else { continue }
                        if start.count == 10 {
                            mine.append("\(start) all-day \(title)")
                        } else if let date = ISO8601DateFormatter().date(from: start) {
                            let local = CivilZone.paris.local(atEpoch: Int(date.timeIntervalSince1970))
                            mine.append("\(local.date) \(String(format: "%02d:%02d", local.minutes / 60, local.minutes % 60)) \(title)")
                        }
                    }
                }
                mine.sort()
                #expect(!mine.isEmpty, "no session near \(near)")
                #expect(mine == theirs, "near \(near): Relais \(mine.prefix(4)) / reference \(theirs.prefix(4))")
                compared += mine.count
            }
            print("iCalendar oracle: \(compared) occurrences of the served feeds compared")
        }
    }
}
