import ArgumentParser
import Foundation
import RelaisApp
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisServer

struct Refer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Suggère des ressources d’entraide par besoin, public et lieu (une orientation, jamais une prescription).")

    @OptionGroup var store: StoreOptions

    @Option(help: "Besoins, séparés par des virgules : isolement, famille, emploi, droits, information, pair_aidance, retablissement, logement (ou crise).")
    var needs: String

    @Option(help: "Pour qui : personne, proche ou professionnel.")
    var audience: String = "personne"

    @Option(help: "Lieu : code postal, code INSEE, commune ou « latitude,longitude ».")
    var near: String?

    @Option(name: .customLong("radius-km"), help: "Rayon en kilomètres.")
    var radiusKm: Double = 30

    @Option(help: "Modalité : sur_place, telephone ou en_ligne.")
    var modalite: String?

    @Option(help: "Date de la question (AAAA-MM-JJ), par défaut aujourd’hui.")
    var date: String?

    @Option(name: .customLong("within-days"), help: "Ouvert ou en session dans les N jours.")
    var withinDays: Int?

    @Option(help: "Langue d’accueil : code ISO 639 (ar, es, fsl…) ou nom (arabe, espagnol, LSF).")
    var langue: String?

    @Option(help: "Accessibilité demandée : \(AccessFeature.allCases.map(\.rawValue).joined(separator: ", ")).")
    var accessible: String?

    @Option(help: "Nombre de suggestions.")
    var limit: Int = 10

    @ArgumentParser.Flag(help: "Sortie JSON (la même que /api/referrals).")
    var json = false

    /// The question as typed: the same checks as the API and the pages.
    func ask() throws -> ReferralAsk {
        var p = QueryParameters()
        p["langue"] = langue
        p["accessible"] = accessible
        return ReferralAsk(
            needs: needs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            audience: try QueryParameters.choice(audience, Audience.self, parameter: "audience"), near: near, radiusKm: radiusKm,
            modality: try modalite.map { try QueryParameters.choice($0, Modality.self, parameter: "modalite") }, date: date, withinDays: withinDays,
            limit: limit, language: try AccessFilters.language(p), access: try AccessFilters.access(p))
    }

    func run() async throws {
        try await CommandLineErrors.run {
            let ctx = try await store.open(.readOnly)
            let result = try await ctx.referrals.answer(try ask())
            if json {
                print(ReferralJSON.render(result, taxonomy: ctx.taxonomy))
                return
            }
            let answer = result.answer
            if let lines = answer.emergency {
                print("EN CAS D’URGENCE, appelez d’abord :")
                for l in lines { print("  \(l.number) — \(l.name) : \(l.when)") }
                print("")
            }
            print(answer.disclaimer)
            print("")
            if answer.suggestions.isEmpty { print("Aucune ressource trouvée : élargissez le rayon ou les besoins.") }
            for (i, s) in answer.suggestions.enumerated() {
                let l = result.listings[s.id]
                let distance = s.distanceKm.map { $0 < 1 ? " — moins d’1 km" : " — \(FrenchFormat.distance($0))" } ?? " — à distance"
                print("\(i + 1). \(s.name) [\(ctx.taxonomy.label(of: s.kind))]\(distance)\(s.demo ? " (données de démonstration)" : "")")
                for r in s.reasons { print("   · \(r)") }
                let contact = [l?.content.phones.first.map { PhoneNumber.national($0.number) }, l?.content.emails.first, l?.content.website, l?.content.address?.singleLine]
                    .compactMap { $0 }.filter { !$0.isEmpty }
                if !contact.isEmpty { print("   ☎ \(contact.joined(separator: " · "))") }
                if let languages = l?.content.languages, !languages.isEmpty { print("   Langues parlées : \(languages.map(Language.shortName).joined(separator: ", "))") }
                if let features = l?.content.accessibility?.features, !features.isEmpty { print("   Accessibilité : \(features.map(\.label).joined(separator: ", "))") }
            }
        }
    }
}

struct Sessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Prochaines sessions datées (ateliers Prospect, groupes de parole) près d’un lieu.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Types, séparés par des virgules (par défaut atelier_prospect,groupe_parole).")
    var kind: String?

    @Option(help: "Lieu : code postal, commune ou « latitude,longitude ».")
    var near: String?

    @Option(name: .customLong("radius-km"), help: "Rayon en kilomètres.")
    var radiusKm: Double = 30

    @Option(help: "À partir de (AAAA-MM-JJ).")
    var from: String?

    @Option(help: "Nombre de sessions.")
    var limit: Int = 20

    @ArgumentParser.Flag(help: "Sortie JSON (la même que /api/sessions).")
    var json = false

    func run() async throws {
        try await CommandLineErrors.run {
            let ctx = try await store.open(.readOnly)
            var p = QueryParameters(["radius_km": String(radiusKm), "limit": String(limit)])
            p["kind"] = kind
            p["near"] = near
            p["from"] = from
            let (query, sessions) = try await ctx.referrals.sessions(p)
            if json {
                print(SessionsJSON.render(query, sessions, taxonomy: ctx.taxonomy))
                return
            }
            if sessions.isEmpty { print("Aucune session à venir.") }
            for s in sessions {
                let days = s.occurrences.map(FrenchFormat.occurrence).joined(separator: " ; ")
                print("- \(s.title)\(s.title == s.listingName ? "" : " (\(s.listingName))") — \(days)\(s.distanceKm.map { " — \(FrenchFormat.distance($0))" } ?? "")\(s.demo ? " (données de démonstration)" : "")")
            }
        }
    }
}
