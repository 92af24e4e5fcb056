import RelaisModel
import Testing

@Suite struct CivilZoneTests {
    func at(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int = 0) -> LocalDateTime {
        LocalDateTime(date: LocalDate(year: y, month: m, day: d), hour: h, minute: min)
    }

    @Test func overseasOffsets() {
        #expect(CivilZone.reunion.iso(at(2026, 12, 2, 8)) == "2026-12-02T08:00:00+04:00")
        #expect(CivilZone.guadeloupe.iso(at(2026, 7, 2, 9)) == "2026-07-02T09:00:00-04:00")
        #expect(CivilZone.cayenne.iso(at(2026, 7, 2, 9)) == "2026-07-02T09:00:00-03:00")
        #expect(CivilZone.mayotte.iso(at(2026, 1, 2, 9)) == "2026-01-02T09:00:00+03:00")
        #expect(CivilZone.forDepartement("974") == .reunion)
        #expect(CivilZone.forDepartement("2A") == .paris)
    }

    @Test func summerTimeRules() {
        // Paris: 2026-03-29 and 2026-10-25.
        #expect(CivilZone.paris.iso(at(2026, 3, 29, 1, 59)) == "2026-03-29T01:59:00+01:00")
        #expect(CivilZone.paris.iso(at(2026, 3, 29, 3)) == "2026-03-29T03:00:00+02:00")
        #expect(CivilZone.paris.iso(at(2026, 10, 25, 3)) == "2026-10-25T03:00:00+01:00")
        // Saint-Pierre-et-Miquelon: 2026-03-08 and 2026-11-01 (North American rule, −03:00 / −02:00).
        #expect(CivilZone.miquelon.iso(at(2026, 3, 8, 1)) == "2026-03-08T01:00:00-03:00")
        #expect(CivilZone.miquelon.iso(at(2026, 3, 8, 3)) == "2026-03-08T03:00:00-02:00")
        #expect(CivilZone.miquelon.iso(at(2026, 10, 31, 12)) == "2026-10-31T12:00:00-02:00")
        #expect(CivilZone.miquelon.iso(at(2026, 11, 1, 3)) == "2026-11-01T03:00:00-03:00")
    }

    @Test func conversionsRoundTrip() {
        for zone in CivilZone.all {
            for day in stride(from: 0, to: 730, by: 7) {
                let local = LocalDateTime(date: LocalDate(year: 2026, month: 1, day: 1).adding(days: day), minutes: 12 * 60 + 30)
                #expect(zone.local(atEpoch: zone.epoch(of: local)) == local, "\(zone) \(local)")
            }
        }
        #expect(CivilZone.reunion.convert(at(2026, 12, 2, 12), from: .paris) == at(2026, 12, 2, 15))
    }

    @Test func windowsAndIANANames() {
        #expect(CivilZone.named("Romance Standard Time") == .paris)
        #expect(CivilZone.named("Europe/Paris") == .paris)
        #expect(CivilZone.named("Indian/Reunion") == .reunion)
        #expect(CivilZone.named("America/Guadeloupe") == .guadeloupe)
        #expect(CivilZone.named("Mars/Olympus") == nil)
    }
}
