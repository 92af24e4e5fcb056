import Foundation
import RelaisApp
import RelaisFetch
import RelaisImport
import RelaisSources
import RelaisStoreSQLite
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisStore
import RelaisTestSupport
import Testing
import Yams

/// The referral scenarios of ../shared/scenarios/referrals.yml, on every public
/// fixture imported with the national entries, at the reference date.
@Suite(.serialized) struct ScenarioTests {
    static let referenceNow = LocalDateTime(date: LocalDate(year: 2026, month: 11, day: 23), hour: 12, minute: 0)
    static let data: DirectoryData = try! DirectoryData.load(from: RelaisHome(root: SharedData.projectRoot))

    static let engine: ReferralEngine? = index.map { ReferralEngine(index: $0, emergencyLines: data.emergency) }

    /// Built once: every public fixture imported through file:// manifests.
    static let index: ReferralIndex? = {
        guard SharedData.available else { return nil }
        let dir = SharedData.temporaryDirectory("scenarios")
        let store = try! SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
        let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_795_431_600) }
        let f = SharedData.url("fixtures")
        // The API pages of data·inclusion and HSDS are served by a real local server.
        let manifests: [(String, String, SourceFormat, Kind?)] = [
            ("gems", "gem-annuaire.csv", .csv, .gem), ("unafam", "unafam-delegation.html", .html, nil),
            ("mdu", "mdu-permanences.html", .html, .mdu_permanence), ("peers", "peer-platform.html", .jsonld, .plateforme_pairs),
            ("agenda", "agenda.ics", .ics, .groupe_parole),
        ]
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            defer { semaphore.signal() }
            // The app as `relais import` assembles it: the national lines come with it.
            let importer = try await RelaisContext.open(store: store, home: RelaisHome(root: SharedData.projectRoot), clock: clock).importer
            for (id, file, format, kind) in manifests {
                _ = await importer.run(Manifest(id: id, title: id, url: f.appendingPathComponent(file).absoluteString, format: format, kind: kind))
            }
            let server = try await TestHTTPServer.start(FixtureRoutes.router(serving: f))
            _ = await importer.run(Manifest(id: "di", title: "di", url: "\(server.baseURL)/di", format: .dataInclusion))
            _ = await importer.run(Manifest(id: "hsds", title: "hsds", url: "\(server.baseURL)/hsds/services", format: .hsds))
            await server.stop()
        }
        semaphore.wait()
        let rows = try! store.allListings(includeHidden: false)
        return ReferralIndex(taxonomy: data.taxonomy, listings: rows.map { IndexListing(id: $0.id, content: $0.content, stale: $0.stale, demo: $0.demo, lastVerified: $0.lastVerified) })
    }()

    func ask(_ needs: [String], _ audience: Audience, near: String?, radius: Double = 30, within: Int? = nil, date: LocalDateTime = referenceNow, situation: String? = nil) throws -> ReferralAnswer {
        let engine = try #require(Self.engine)
        var origin: GeoPoint?
        if let near, case .point(let p, _, _) = Self.data.gazetteer.lookup(near) { origin = p }
        let crisis = situation.map(ReferralEngine.signalsCrisis) ?? false
        return engine.answer(ReferralQuestion(needs: needs, audience: audience, origin: origin, radiusKm: radius, now: date, withinDays: within, crisis: crisis))
    }

    @Test func isolementDijon() throws {
        guard SharedData.requireShared() else { return }
        let a = try ask(["isolement"], .personne, near: "21000", radius: 30)
        #expect(a.suggestions.prefix(5).filter { $0.kind == .gem }.count >= 3)
        #expect(a.suggestions.allSatisfy { ($0.distanceKm ?? 0) <= 30 })
        #expect(!a.suggestions.contains { $0.name == "GEM de Beaune Le Cerisier" })
        #expect(a.emergency == nil)
    }

    @Test func familleNiceProspect() throws {
        guard SharedData.requireShared() else { return }
        let a = try ask(["famille"], .proche, near: "06000", radius: 40, within: 90)
        #expect(a.suggestions.prefix(5).contains { $0.kind == .association_familles && $0.name.hasPrefix("Unafam 06") })
        #expect(a.suggestions.contains { $0.kind == .atelier_prospect && $0.nextOpening.map { ParisTime.iso($0.start) } == "2027-01-16T09:00:00+01:00" })
        #expect(Set(a.suggestions.prefix(5).map(\.kind)).count >= 2)
        #expect(!a.suggestions.contains { $0.name.contains("Cannes") && $0.kind == .atelier_prospect })
    }

    @Test func familleBordeauxSoonAndExdate() throws {
        guard SharedData.requireShared() else { return }
        let a = try ask(["famille"], .proche, near: "33000", radius: 20, within: 10)
        let group = try #require(a.suggestions.first { $0.kind == .groupe_parole && $0.name.contains("Bordeaux") })
        #expect(group.nextOpening.map { ParisTime.iso($0.start) } == "2026-11-26T18:00:00+01:00")
        let later = try ask(["famille"], .proche, near: "33000", radius: 20, within: 20, date: LocalDateTime(date: LocalDate(year: 2026, month: 12, day: 20), minutes: 0))
        #expect(!later.suggestions.contains { $0.nextOpening.map { ParisTime.iso($0.start) } == "2026-12-31T18:00:00+01:00" })
        let wide = try ask(["famille"], .proche, near: "33000", radius: 20, date: LocalDateTime(date: LocalDate(year: 2026, month: 12, day: 20), minutes: 0))
        #expect(wide.suggestions.first { $0.name.contains("familles – Bordeaux") }?.nextOpening.map { ParisTime.iso($0.start) } == "2027-01-28T18:00:00+01:00")
    }

    @Test func peersLyonDroitsNantesEmploiLyon() throws {
        guard SharedData.requireShared() else { return }
        #expect(try ask(["pair_aidance"], .personne, near: "69003", radius: 15).suggestions.prefix(3).contains { $0.name == "Passerelle Pairs Lyon" })
        #expect(try ask(["droits"], .personne, near: "44300", radius: 20).suggestions.prefix(3).contains { $0.kind == .mdu_permanence })
        #expect(try ask(["emploi"], .personne, near: "69001", radius: 15).suggestions.prefix(5).contains { $0.name == "Clubhouse Lyon" })
    }

    @Test func familleToulouseRemoteAndClosed() throws {
        guard SharedData.requireShared() else { return }
        let a = try ask(["famille"], .proche, near: "31000", radius: 30)
        let line = try #require(a.suggestions.first { $0.kind == .ligne_ecoute && $0.name.contains("proches") })
        #expect(line.distanceKm == nil)
        #expect(a.suggestions.contains { $0.kind == .atelier_prospect && $0.name.contains("Toulouse") })
        // The closed Clubhouse of Montpellier, asked about nearby, is never presented as open.
        let mtp = try ask(["emploi", "isolement"], .personne, near: "34070", radius: 10)
        let club = try #require(mtp.suggestions.first { $0.kind == .clubhouse })
        #expect(club.closed && club.nextOpening == nil)
        #expect(club.reasons.contains { $0.contains("Temporairement fermé") })
    }

    @Test func inactiveIsNeverSuggested() throws {
        guard SharedData.requireShared() else { return }
        #expect(!(try ask(["isolement"], .personne, near: "34500", radius: 20).suggestions.contains { $0.name.contains("Béziers") }))
    }

    @Test func crisisComesFirst() throws {
        guard SharedData.requireShared() else { return }
        let a = try ask(["crise"], .proche, near: "75014")
        let numbers = a.emergency?.map(\.number) ?? []
        #expect(["3114", "15", "112"].allSatisfy(numbers.contains))
        let b = try ask(["isolement"], .personne, near: "21000", situation: "Il parle d’en finir depuis quelques jours")
        #expect(b.emergency != nil)
        let c = try ask(["isolement"], .personne, near: "21000", situation: "Elle se sent seule depuis son déménagement")
        #expect(c.emergency == nil)
    }

    @Test func sameQuestionSameOrderAndNoPrescriptionVocabulary() throws {
        guard SharedData.requireShared() else { return }
        let q: ([String], Audience, String) = (["famille", "isolement"], .proche, "69003")
        let a = try ask(q.0, q.1, near: q.2, radius: 20), b = try ask(q.0, q.1, near: q.2, radius: 20)
        #expect(!a.suggestions.isEmpty)
        #expect(a.suggestions.map(\.id) == b.suggestions.map(\.id))
        let text = a.suggestions.flatMap { [$0.name] + $0.reasons }.joined(separator: " ").lowercased()
        for word in ["prescri", "ordonnance", "posologie", "traitement", "médicament", "antidépresseur", "neuroleptique"] {
            #expect(!text.contains(word), "\(word)")
        }
        #expect(a.disclaimer.contains("pas une prescription"))
    }

    @Test func diversityMixesKindsForFamilies() throws {
        guard SharedData.requireShared() else { return }
        let a = try ask(["famille"], .proche, near: "06000", radius: 40)
        let firstFamily = a.suggestions.firstIndex { $0.kind == .association_familles } ?? 99
        #expect(a.suggestions.prefix(firstFamily).filter { $0.kind == .gem }.count < 5)
        #expect(a.suggestions.prefix(5).filter { $0.kind == .groupe_parole }.count <= 3)
    }
}
