import RelaisModel
import RelaisNormalize
import RelaisReferral
import Testing

/// The engine alone, on a small directory built in memory: no store, no import.
@Suite struct EngineTests {
    static let taxonomy = Taxonomy(
        needs: [
            NeedDefinition(id: "isolement", label: "Rompre l’isolement", kinds: [.gem, .clubhouse]),
            NeedDefinition(id: "famille", label: "Soutien aux proches", kinds: [.association_familles, .apaf, .ligne_ecoute], kindsForRelatives: [.groupe_parole]),
        ],
        kinds: Kind.allCases.map { KindDefinition(kind: $0, label: $0.rawValue, plural: $0.rawValue, audiences: [.personne], keywords: []) })
    static let emergency = [EmergencyLine(number: "3114", name: "Prévention du suicide", when: "idées suicidaires")]
    static let dijon = GeoPoint(latitude: 47.322, longitude: 5.041)
    static let monday = LocalDateTime(date: LocalDate(year: 2026, month: 11, day: 23), hour: 12, minute: 0)

    static func listing(_ id: String, _ kind: Kind, km: Double, audiences: [Audience] = [.personne], hours: String? = nil, stale: Bool = false,
                        languages: [String] = [], access: [AccessFeature] = [], status: ServiceStatus = .active) -> IndexListing {
        var c = ListingContent(
            name: id, kind: kind, status: status, audiences: audiences, modalities: kind.isRemote ? [.telephone] : [.sur_place],
            point: kind.isRemote ? nil : GeoPoint(latitude: dijon.latitude + km / 111.195, longitude: dijon.longitude), languages: languages,
            accessibility: access.isEmpty ? nil : Accessibility(features: access))
        if let hours, let s = try? OpeningHours.parse(hours) { c.schedule = s }
        return IndexListing(id: id, content: c, stale: stale, demo: false, lastVerified: "2026-11-01")
    }

    static func engine(_ listings: [IndexListing]) -> ReferralEngine {
        ReferralEngine(index: ReferralIndex(taxonomy: taxonomy, listings: listings), emergencyLines: emergency)
    }

    static func ask(_ needs: [String], _ audience: Audience = .personne, radius: Double = 30, within: Int? = nil, crisis: Bool = false,
                    language: String? = nil, access: AccessFeature? = nil, limit: Int = 10) -> ReferralQuestion {
        ReferralQuestion(
            needs: needs, audience: audience, origin: dijon, originLabel: "21000 Dijon", radiusKm: radius, now: monday, withinDays: within, limit: limit,
            crisis: crisis, language: language, access: access)
    }

    @Test func nearerAndOpenSoonerRankFirstAndEachSuggestionSaysWhy() {
        let e = Self.engine([
            Self.listing("far", .gem, km: 25, hours: "Mo-Fr 14:00-18:00"),
            Self.listing("near", .gem, km: 2, hours: "Mo-Fr 14:00-18:00"),
            Self.listing("out", .gem, km: 45, hours: "Mo-Fr 14:00-18:00"),
        ])
        let a = e.answer(Self.ask(["isolement"]))
        #expect(a.suggestions.map(\.id) == ["near", "far"])
        #expect(a.emergency == nil)
        let first = a.suggestions[0]
        #expect(first.reasons.first == "Répond à votre besoin « Rompre l’isolement ».")
        #expect(first.reasons.contains { $0.hasPrefix("À 2 km") })
        #expect(first.nextOpening?.start == LocalDateTime(date: Self.monday.date, hour: 14, minute: 0))
        #expect(a.disclaimer.contains("pas une prescription médicale"))
    }

    @Test func crisisPutsEmergencyLinesFirstAndListeningLinesAfter() {
        let e = Self.engine([Self.listing("gem", .gem, km: 1), Self.listing("ecoute", .ligne_ecoute, km: 0, audiences: [.proche])])
        let crisisOnly = e.answer(Self.ask(["crise"]))
        #expect(crisisOnly.emergency?.map(\.number) == ["3114"])
        #expect(crisisOnly.suggestions.map(\.id) == ["ecoute"])
        // Signalled by the situation, with other needs: emergency first, the needs answered.
        let signalled = e.answer(Self.ask(["isolement"], crisis: true))
        #expect(signalled.emergency != nil && signalled.suggestions.map(\.id) == ["gem"])
    }

    @Test func staleAndClosedListingsComeLastAndSaySo() {
        let e = Self.engine([
            Self.listing("stale", .gem, km: 1, stale: true), Self.listing("closed", .gem, km: 1, status: .temporarily_closed), Self.listing("ok", .gem, km: 10),
        ])
        let a = e.answer(Self.ask(["isolement"]))
        #expect(a.suggestions.map(\.id) == ["ok", "closed", "stale"])
        #expect(a.suggestions[1].reasons.contains("Temporairement fermé : à recontacter plus tard."))
        #expect(a.suggestions[2].reasons.contains("À vérifier : cette fiche n’apparaît plus dans sa source."))
    }

    @Test func diversityMixesKindsAndCapsRemoteLines() {
        var listings = (0..<5).map { Self.listing("gem\($0)", .gem, km: Double($0)) }
        listings.append(Self.listing("club", .clubhouse, km: 8))
        listings += (0..<4).map { Self.listing("line\($0)", .ligne_ecoute, km: 0) }
        let a = Self.engine(listings).answer(Self.ask(["isolement", "famille"], limit: 6))
        #expect(a.suggestions.contains { $0.id == "club" })
        #expect(a.suggestions.filter { $0.kind == .ligne_ecoute }.count <= 2)
        // The same question gives the same order, every time.
        #expect(Self.engine(listings).answer(Self.ask(["isolement", "famille"], limit: 6)).suggestions.map(\.id) == a.suggestions.map(\.id))
    }

    @Test func aWindowKeepsOnlyWhatOpensInIt() {
        let e = Self.engine([
            Self.listing("monthly", .gem, km: 1, hours: "Dec 01-31 Tu 14:00-17:00"), Self.listing("weekly", .gem, km: 3, hours: "We 14:00-17:00"),
            Self.listing("unknown", .gem, km: 2),
        ])
        // Unknown hours may be open: kept, after, and told to call first; known hours outside the window are not.
        let soon = e.answer(Self.ask(["isolement"], within: 3))
        #expect(soon.suggestions.map(\.id) == ["weekly", "unknown"])
        #expect(soon.suggestions.last?.reasons.contains("Horaires non précisés : appeler avant de venir.") == true)
        #expect(Set(e.answer(Self.ask(["isolement"])).suggestions.map(\.id)) == ["monthly", "weekly", "unknown"])
    }

    @Test func languageAndAccessFilterAndAreExplained() {
        let e = Self.engine([
            Self.listing("arabe", .gem, km: 3, languages: ["fr", "ar"], access: [.fauteuil, .plain_pied]),
            Self.listing("lsf", .gem, km: 2, languages: ["fr", "fsl"], access: [.lsf]),
            Self.listing("unsaid", .gem, km: 1),
        ])
        let ar = e.answer(Self.ask(["isolement"], language: "ar"))
        #expect(ar.suggestions.map(\.id) == ["arabe"])
        #expect(ar.suggestions[0].reasons.contains("Accueil en arabe."))
        // French: every listing that names it, and those that name no language.
        #expect(Set(e.answer(Self.ask(["isolement"], language: "fr")).suggestions.map(\.id)) == ["arabe", "lsf", "unsaid"])
        let wheel = e.answer(Self.ask(["isolement"], access: .fauteuil))
        #expect(wheel.suggestions.map(\.id) == ["arabe"])
        #expect(wheel.suggestions[0].reasons.contains("Accessible en fauteuil roulant."))
        #expect(e.answer(Self.ask(["isolement"], language: "ar", access: .lsf)).suggestions.isEmpty)
    }

    @Test func relativesAreToldWhatIsForThePersonConcerned() {
        let e = Self.engine([Self.listing("gem", .gem, km: 1), Self.listing("unafam", .association_familles, km: 5, audiences: [.proche])])
        let a = e.answer(Self.ask(["isolement", "famille"], .proche))
        #expect(a.suggestions.first?.id == "unafam")
        #expect(a.suggestions.first { $0.id == "gem" }?.reasons.contains("S’adresse surtout aux personnes concernées : à proposer à votre proche.") == true)
    }
}
