import Foundation
import RelaisImport
import RelaisSources
import RelaisStoreSQLite
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisStore
import RelaisTestSupport
import Testing

/// « Cœurs de mères » (conformance/agenda-outlook.ics): a referral and the session
/// list see the moved occurrence where it is and not the cancelled one.
@Suite(.serialized) struct OutlookReferralTests {
    static let data: DirectoryData = try! DirectoryData.load(from: RelaisHome(root: SharedData.projectRoot))

    static func index(importedAt: Date) async throws -> ReferralIndex {
        let dir = SharedData.temporaryDirectory("outlook")
        let store = try SQLiteStore(path: dir.appendingPathComponent("o.sqlite").path)
        let importer = Importer(store: store, data: data, clock: { importedAt })
        let url = SharedData.url("fixtures/conformance/agenda-outlook.ics").absoluteString
        let run = await importer.run(Manifest(id: "outlook", title: "outlook", url: url, format: .ics, kind: .groupe_parole))
        #expect(run.status == .success)
        let rows = try store.allListings(includeHidden: false)
        return ReferralIndex(taxonomy: data.taxonomy, listings: rows.map { IndexListing(id: $0.id, content: $0.content, stale: $0.stale, demo: $0.demo, lastVerified: $0.lastVerified) })
    }

    static func at(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 12) -> LocalDateTime { LocalDateTime(date: LocalDate(year: y, month: m, day: d), hour: h, minute: 0) }

    @Test func nextOpeningIsTheMovedOccurrence() async throws {
        guard SharedData.requireShared() else { return }
        let engine = ReferralEngine(index: try await Self.index(importedAt: Date(timeIntervalSince1970: 1_795_431_600)), emergencyLines: Self.data.emergency)
        guard case .point(let metz, _, _) = Self.data.gazetteer.lookup("57000") else { Issue.record("57000"); return }
        let a = engine.answer(ReferralQuestion(needs: ["famille"], audience: .proche, origin: metz, radiusKm: 10, now: Self.at(2027, 1, 10), withinDays: 7, crisis: false))
        let s = try #require(a.suggestions.first { $0.name.contains("Cœurs de mères") })
        #expect(s.nextOpening.map { ParisTime.iso($0.start) } == "2027-01-14T18:30:00+01:00")
        let b = engine.answer(ReferralQuestion(needs: ["famille"], audience: .proche, origin: metz, radiusKm: 10, now: Self.at(2026, 12, 20), withinDays: 5, crisis: false))
        #expect(!b.suggestions.contains { $0.nextOpening.map { ParisTime.iso($0.start) } == "2026-12-22T18:00:00+01:00" })
    }

    @Test func upcomingSessionsListTheSeriesAsTheSourceHasIt() async throws {
        guard SharedData.requireShared() else { return }
        // As the served calendar asks on 2026-12-06, the day this reader was written.
        let index = try await Self.index(importedAt: Date(timeIntervalSince1970: 1_796_554_800))
        guard case .point(let metz, _, _) = Self.data.gazetteer.lookup("57000") else { Issue.record("57000"); return }
        let q = SessionQuery(kinds: SessionQuery.defaultKinds, origin: metz, originLabel: nil, radiusKm: 10, from: Self.at(2026, 12, 6),
                             to: LocalDate(year: 2027, month: 12, day: 6), audience: nil, limit: 200)
        let occ = UpcomingSessions.find(q, in: index).filter { $0.title.contains("Cœurs") }.flatMap(\.occurrences)
            .filter { $0.start.date >= LocalDate(year: 2026, month: 12, day: 1) && $0.start.date <= LocalDate(year: 2027, month: 2, day: 28) }
        #expect(occ.sorted().map { ParisTime.iso($0.start) } == ["2026-12-08T18:00:00+01:00", "2027-01-14T18:30:00+01:00", "2027-01-26T18:00:00+01:00",
                                                                "2027-02-09T18:00:00+01:00", "2027-02-23T18:00:00+01:00"])
    }
}
