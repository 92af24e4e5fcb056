import Foundation
import RelaisApp
import RelaisMerge
import RelaisSources
import RelaisStoreSQLite
import Hummingbird
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisTestSupport
import Testing

/// Relais's hours against opening-hours-py, the reference OSM implementation: every
/// `opening_hours` string Relais publishes (demonstration data, every public fixture, the
/// overseas listings) parses, and for more than a thousand (listing, instant) pairs spread
/// over a year — public holidays, summer-time changes, overseas zones — "open now" and the
/// next change agree.
@Suite(.serialized) struct OpeningHoursOracleTests {
    /// Listings with a schedule, from every bundled and public source.
    func listings() async throws -> [Listing] {
        let env = try TestEnvironment()
        let home = RelaisHome(root: SharedData.projectRoot)
        for m in try Manifest.load(from: home.importers, environment: ["RELAIS_HOME": SharedData.projectRoot.path]).manifests
        where m.url.hasPrefix("file://") && m.format != .laposte {
            _ = await env.importer.run(m)
        }
        if SharedData.available {
            let fixtures = SharedData.url("fixtures")
            try await TestHTTPServer.with(FixtureRoutes.router(serving: fixtures)) { server in
                let csvFields = ["id": "Identifiant", "name": "Nom", "kind": "Type", "street": "Adresse", "postal_code": "Code postal", "commune": "Commune",
                                 "phones": "Téléphone", "hours": "Horaires"]
                for m in [
                    env.manifest("gems", url: "\(server.baseURL)/gem-annuaire.csv", format: .csv, kind: .gem),
                    env.manifest("mdu", url: "\(server.baseURL)/mdu-permanences.html", format: .html),
                    env.manifest("unafam", url: "\(server.baseURL)/unafam-delegation.html", format: .html),
                    env.manifest("peers", url: "\(server.baseURL)/peer-platform.html", format: .jsonld, kind: .plateforme_pairs),
                    env.manifest("agenda", url: "\(server.baseURL)/agenda.ics", format: .ics, kind: .groupe_parole),
                    env.manifest("outlook", url: "\(server.baseURL)/conformance/agenda-outlook.ics", format: .ics, kind: .groupe_parole),
                    env.manifest("hsds", url: "\(server.baseURL)/hsds/services", format: .hsds),
                    env.manifest("di", url: "\(server.baseURL)/di", format: .dataInclusion),
                    env.manifest("om", url: "\(server.baseURL)/conformance/outre-mer.csv", format: .csv, options: ["delimiter": ";", "encoding": "utf-8"], fields: csvFields),
                ] {
                    _ = await env.importer.run(m)
                }
            }
        }
        return try env.all().filter { !$0.content.schedule.isEmpty }
    }

    /// Instants over a year, with the days that catch implementations out.
    static func instants() -> [LocalDateTime] {
        var out: [LocalDateTime] = []
        let start = LocalDate(year: 2026, month: 12, day: 1)
        for k in 0..<26 {
            // Every two weeks, at hours that fall before, inside and after usual openings.
            let d = start.adding(days: k * 14 + k % 7)
            out.append(LocalDateTime(date: d, minutes: [8 * 60 + 30, 10 * 60, 13 * 60 + 45, 17 * 60 + 59, 19 * 60 + 10, 23 * 60 + 30][k % 6]))
        }
        for (y, m, d, h, min) in [(2027, 1, 1, 10, 0), (2027, 3, 28, 1, 30), (2027, 3, 28, 3, 30), (2027, 3, 29, 14, 0), (2027, 5, 1, 10, 0),
                                  (2027, 5, 6, 15, 0), (2027, 5, 17, 10, 0), (2027, 7, 14, 15, 0), (2027, 8, 15, 11, 0), (2027, 10, 31, 2, 30),
                                  (2027, 11, 11, 14, 30), (2026, 12, 24, 18, 30), (2026, 12, 31, 18, 30), (2027, 2, 9, 18, 30), (2027, 1, 14, 19, 0)] {
            out.append(LocalDateTime(date: LocalDate(year: y, month: m, day: d), hour: h, minute: min))
        }
        return out
    }

    @Test func openNowAndNextChangeAgreeWithTheReference() async throws {
        guard let py = Oracle.python() else { return }
        let all = try await listings()
        var cases: [(listing: Listing, osm: String, at: LocalDateTime)] = []
        for l in all {
            guard let osm = OpeningHours.published(l.content), OpeningHours.isValid(osm) else { continue }
            // School holidays need a calendar Relais does not have: such rules are published, not evaluated.
            if l.content.schedule.rules.contains(where: \.schoolHolidays) { continue }
            for t in Self.instants() { cases.append((l, osm, t)) }
        }
        let input = cases.map { "\($0.osm)\t\($0.listing.content.zone.identifier)\t\(String($0.at.description.prefix(16)))" }.joined(separator: "\n") + "\n"
        let answers = try Oracle.run(py, script: Oracle.script("oracle-osm.py"), input: input).split(separator: "\n").map(String.init)
        try #require(answers.count == cases.count)
        var compared = 0
        var disagreements: [String] = []
        let zones = Set(all.map(\.content.zone.identifier))
        for (c, answer) in zip(cases, answers) {
            #expect(!answer.hasPrefix("ERROR"), "opening-hours-py refused « \(c.osm) »: \(answer)")
            let parts = answer.split(separator: "\t").map(String.init)
            guard parts.count == 2, parts[0] != "unknown" else { continue }
            compared += 1
            let mine = Self.relais(OpeningHours.published(c.listing.content).flatMap { try? OpeningHours.parse($0) } ?? c.listing.content.schedule, at: c.at)
            let theirs = (open: parts[0] == "open", next: parts[1] == "-" ? nil : parts[1])
            if mine.open != theirs.open || (theirs.next != nil && mine.next != theirs.next) {
                disagreements.append("\(c.listing.content.name) « \(c.osm) » \(c.listing.content.zone) at \(c.at): Relais \(mine.open ? "open" : "closed") → \(mine.next ?? "-"), reference \(parts[0]) → \(parts[1])")
            }
        }
        print("opening_hours oracle: \(all.count) listings with hours in \(zones.sorted()), \(compared) (listing, instant) pairs compared, \(disagreements.count) disagreements")
        #expect(compared >= 1000)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(8))")
    }

    /// Open now, and the local time of the next change (closing if open, opening if closed),
    /// as Relais's evaluator says; a span ending at midnight that the next day continues is
    /// one opening (as OSM reads `Mo-Su 00:00-24:00`).
    static func relais(_ schedule: Schedule, at now: LocalDateTime) -> (open: Bool, next: String?) {
        let e = ScheduleEvaluator(schedule)
        guard let o = e.next(after: now, horizonDays: 400) else { return (false, nil) }
        if o.start <= now {
            var end = o.end ?? LocalDateTime(date: o.start.date, minutes: 1440)
            // Joined spans: 22:00-24:00 then 00:00-06:00 the next day close at 06:00.
            var guardDays = 0
            while guardDays < 400, let following = e.next(after: end, horizonDays: 2), following.start == end {
                end = following.end ?? LocalDateTime(date: following.start.date, minutes: 1440)
                guardDays += 1
            }
            return (true, String(end.description.prefix(16)))
        }
        return (false, String(o.start.description.prefix(16)))
    }
}
