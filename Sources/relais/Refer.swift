import ArgumentParser
import Foundation
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

    @Option(help: "Nombre de suggestions.")
    var limit: Int = 10

    @ArgumentParser.Flag(help: "Sortie JSON (la même que /api/referrals).")
    var json = false

    func run() async throws {
        let ctx = try store.open()
        let state = ServerState(context: ctx)
        var p: [String: String] = ["needs": needs, "audience": audience, "radius_km": String(radiusKm), "limit": String(limit)]
        p["near"] = near
        p["modalite"] = modalite
        p["date"] = date
        p["within_days"] = withinDays.map(String.init)
        let request: ReferralRequest, answer: ReferralAnswer, listings: [String: Listing]
        do { (request, answer, listings) = try await state.refer(p) } catch let e as APIError {
            printErr("erreur : \(e.message)")
            if let valid = e.extra["valid"] { printErr("valeurs possibles : \(valid.joined(separator: ", "))") }
            if let choices = e.extra["choices"] { printErr("précisez parmi : \(choices.joined(separator: " ; "))") }
            throw ExitCode(2)
        }
        if json {
            print(ReferralJSON.render(request, answer, listings: listings, taxonomy: ctx.data.taxonomy))
            return
        }
        if let lines = answer.emergency {
            print("EN CAS D’URGENCE, appelez d’abord :")
            for l in lines { print("  \(l.number) — \(l.name) : \(l.when)") }
            print("")
        }
        print(answer.disclaimer)
        print("")
        if answer.suggestions.isEmpty { print("Aucune ressource trouvée : élargissez le rayon ou les besoins.") }
        for (i, s) in answer.suggestions.enumerated() {
            let l = listings[s.id]
            let distance = s.distanceKm.map { $0 < 1 ? " — moins d’1 km" : " — \(FrenchFormat.distance($0))" } ?? " — à distance"
            print("\(i + 1). \(s.name) [\(ctx.data.taxonomy.label(of: s.kind))]\(distance)\(s.demo ? " (données de démonstration)" : "")")
            for r in s.reasons { print("   · \(r)") }
            let contact = [l?.content.phones.first.map { PhoneNumber.national($0.number) }, l?.content.emails.first, l?.content.website, l?.content.address?.singleLine].compactMap { $0 }.filter { !$0.isEmpty }
            if !contact.isEmpty { print("   ☎ \(contact.joined(separator: " · "))") }
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
        let ctx = try store.open()
        let state = ServerState(context: ctx)
        var p: [String: String] = ["radius_km": String(radiusKm), "limit": String(limit)]
        p["kind"] = kind
        p["near"] = near
        p["from"] = from
        let query: SessionQuery, sessions: [UpcomingSession]
        do { (query, sessions) = try await state.sessions(p) } catch let e as APIError {
            printErr("erreur : \(e.message)")
            throw ExitCode(2)
        }
        if json {
            print(SessionsJSON.render(query, sessions, taxonomy: ctx.data.taxonomy))
            return
        }
        if sessions.isEmpty { print("Aucune session à venir.") }
        for s in sessions {
            let days = s.occurrences.map(FrenchFormat.occurrence).joined(separator: " ; ")
            print("- \(s.title)\(s.title == s.listingName ? "" : " (\(s.listingName))") — \(days)\(s.distanceKm.map { " — \(FrenchFormat.distance($0))" } ?? "")\(s.demo ? " (données de démonstration)" : "")")
        }
    }
}
