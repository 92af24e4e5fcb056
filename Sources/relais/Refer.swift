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
            audience: try Self.choice(audience, Audience.self, parameter: "audience"), near: near, radiusKm: radiusKm,
            modality: try modalite.map { try Self.choice($0, Modality.self, parameter: "modalite") }, date: date, withinDays: withinDays,
            limit: limit, language: try AccessFilters.language(p), access: try AccessFilters.access(p))
    }

    /// `QueryParameters.choice`, with the value meant for a near miss (« proch » → « proche »).
    static func choice<T: RawRepresentable & CaseIterable>(_ raw: String, _ type: T.Type, parameter: String) throws -> T where T.RawValue == String {
        do {
            return try QueryParameters.choice(raw, type, parameter: parameter)
        } catch var e as RelaisError {
            if e.details["suggestion"] == nil, let near = FrenchCommandLine.closest(raw, among: T.allCases.map(\.rawValue)) {
                e.details["suggestion"] = [FrenchCommandLine.quoted(near)]
            }
            throw e
        }
    }

    /// The needs whose label or description holds one of `words` (or a word starting with it),
    /// as « « famille » (Soutien aux proches) »: labels first, at most two.
    static func needs(meaning words: [String], in taxonomy: Taxonomy) -> [String] {
        let folded = words.map(Text.fold).filter { $0.count >= 4 }
        guard !folded.isEmpty else { return [] }
        func holds(_ text: String?) -> Bool {
            let textWords = Text.fold(text ?? "").split { !$0.isLetter }.map(String.init)
            return textWords.contains { w in folded.contains { w == $0 || w.hasPrefix($0) || ($0.hasPrefix(w) && w.count >= 5) } }
        }
        let byLabel = taxonomy.needs.filter { holds($0.label) }
        let byDescription = taxonomy.needs.filter { holds($0.description) && !byLabel.contains($0) }
        return (byLabel + byDescription).prefix(2).map { "\(FrenchCommandLine.quoted($0.id)) (\($0.label))" }
    }

    func run() async throws {
        try await CommandLineErrors.run {
            let ctx = try await store.open(.readOnly)
            let result: ReferralResult
            do {
                result = try await ctx.referrals.answer(try ask())
            } catch let e as RelaisError where e.parameter == "needs" && e.details["suggestion"] == nil {
                // An unknown need: the need whose wording holds the word (« soutien » → famille, « Soutien aux proches »).
                var error = e
                let valid = Set(ctx.taxonomy.needIDs + [Taxonomy.crisisNeed])
                let typed = needs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let near = Self.needs(meaning: typed.filter { !valid.contains($0) }, in: ctx.taxonomy)
                if !near.isEmpty { error.details["suggestion"] = near }
                throw error
            }
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
            if let beyond = answer.nearestBeyond {
                // Nothing to go to within the radius: said first, with the nearest places beyond it.
                let notice = NothingNear(result)
                print(notice.message.replacingOccurrences(of: "\u{A0}", with: " "))
                for b in beyond {
                    let commune = result.listings[b.id]?.content.address?.commune.map { ", \($0)" } ?? ""
                    print("   → \(b.name)\(commune) — à \(FrenchFormat.distance(b.distanceKm ?? 0))\(b.demo ? " (données de démonstration)" : "")")
                }
                if let wider = notice.wider_radius_km { print("   Élargir : --radius-km \(wider) ; ou par téléphone : --modalite telephone") }
                print("")
            }
            if answer.suggestions.isEmpty && answer.nearestBeyond == nil { print("Aucune ressource trouvée : élargissez le rayon ou les besoins.") }
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
