import Foundation
import RelaisApp
import RelaisMerge
import RelaisSources
import RelaisStoreSQLite
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisStore
import RelaisTestSupport
import Testing

/// Inputs the world sends: overseas listings in their own time, coordinates in territories
/// the gazetteer knows only by one point, audiences written as single words.
@Suite(.serialized) struct ConformanceImportTests {
    static let header = "Identifiant;Nom;Type;Adresse;Code postal;Commune;Horaires;Public;Lat;Lon\n"
    static let fields = ["id": "Identifiant", "name": "Nom", "kind": "Type", "street": "Adresse", "postal_code": "Code postal", "commune": "Commune",
                         "hours": "Horaires", "audience": "Public", "latitude": "Lat", "longitude": "Lon"]

    func run(_ rows: [String]) async throws -> TestEnvironment {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("om.csv")
        try Data((Self.header + rows.joined(separator: "\n") + "\n").utf8).write(to: file)
        let run = await env.importer.run(env.manifest("om", url: file.absoluteString, format: .csv, options: ["delimiter": ";", "encoding": "utf-8"], fields: Self.fields))
        #expect(run.status == .success, "\(run.message ?? "")")
        return env
    }

    @Test func everyTerritoryHasItsZone() async throws {
        let env = try await run([
            "1;GEM Le Lagon;gem;14 rue de Paris;97400;Saint-Denis;du lundi au vendredi de 8h à 16h;adultes;;",
            "2;GEM Les Alizés;gem;3 rue Frébault;97110;Pointe-à-Pitre;Tu-Sa 09:00-17:00;personne;;",
            "3;GEM Le Fromager;gem;2 rue Lalouette;97300;Cayenne;Mo,We,Fr 14:00-18:00;tous;;",
            "4;GEM Ylang;gem;1 place Mariage;97600;Mamoudzou;Mo-Th 08:00-15:00;jeunes;;",
            "5;GEM Miquelon;gem;1 rue du Port;97500;Saint-Pierre;Mo 10:00-12:00;proches;;",
            "6;GEM Te Fare;gem;12 avenue Pomare;98714;Papeete;Mo-Fr 08:00-16:00;personne, proche;-17.5350;-149.5696",
            "7;GEM Metz;gem;1 rue Serpenoise;57000;Metz;We 14:30-16:30;professionnels;;",
        ])
        func listing(_ name: String) throws -> Listing { try #require(try env.listing(named: name)) }
        #expect(try listing("GEM Le Lagon").content.zone == .reunion)
        #expect(try listing("GEM Les Alizés").content.zone == .guadeloupe)
        #expect(try listing("GEM Le Fromager").content.zone == .cayenne)
        #expect(try listing("GEM Ylang").content.zone == .mayotte)
        #expect(try listing("GEM Miquelon").content.zone == .miquelon)
        #expect(try listing("GEM Metz").content.zone == .paris && (try listing("GEM Metz").content.timeZone) == nil)
        // French Polynesia: the source's point is kept (the gazetteer has one point for all its communes).
        let tahiti = try listing("GEM Te Fare")
        #expect(tahiti.content.zone == .tahiti && tahiti.content.pointPrecision == .source)
        #expect(tahiti.content.point.map { abs($0.latitude + 17.535) < 0.001 } == true)
        // Audiences written as single words.
        #expect(try listing("GEM Le Fromager").content.audiences.count == 3)
        #expect(try listing("GEM Miquelon").content.audiences == [.proche])
        #expect(try listing("GEM Ylang").content.audiences == [.personne])
        #expect(Set(tahiti.content.audiences) == [.personne, .proche])
        #expect(try listing("GEM Metz").content.audiences == [.professionnel])
        // Hours are local: the Réunion GEM closes at 16:00 Réunion time.
        let lagon = try listing("GEM Le Lagon")
        let at17 = LocalDateTime(date: LocalDate(year: 2026, month: 12, day: 2), hour: 17, minute: 0)
        let next = ScheduleEvaluator(lagon.content.schedule).next(after: at17)
        #expect(next.map { lagon.content.zone.iso($0.start) } == "2026-12-03T08:00:00+04:00")
    }

    @Test func aPolynesianListingWithoutCoordinatesIsPlacedApproximately() async throws {
        let env = try await run(["8;GEM Sans Point;gem;5 rue X;98714;Papeete;Mo 10:00-12:00;personne;;"])
        let l = try #require(try env.listing(named: "GEM Sans Point"))
        // Not at La Poste's shared point 2,600 km away: at the collectivity's chief town, and said to be approximate.
        #expect(l.content.pointPrecision == .departement)
        #expect(l.content.point.map { abs($0.latitude + 17.535) < 0.01 } == true)
    }
}
