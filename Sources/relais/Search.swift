import ArgumentParser
import Foundation
import RelaisApp
import RelaisModel
import RelaisNormalize
import RelaisServer

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Recherche dans l’annuaire (accents et majuscules ignorés, préfixes acceptés).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "Texte recherché, par exemple « groupe de parole » ou « entraide Dijon ».")
    var text: String

    @Option(help: "Type de ressource (gem, association_familles…).")
    var kind: String?

    @Option(help: "Code du département (21, 2A, 974…).")
    var departement: String?

    @Option(help: "Langue d’accueil : code ISO 639 ou nom (arabe, LSF…).")
    var langue: String?

    @Option(help: "Accessibilité : \(AccessFeature.allCases.map(\.rawValue).joined(separator: ", ")).")
    var accessible: String?

    @Option(help: "Nombre de résultats.")
    var limit: Int = 20

    @ArgumentParser.Flag(help: "Sortie JSON (la même forme que l’API /api/services).")
    var json = false

    func run() async throws {
        try await CommandLineErrors.run {
            let ctx = try await store.open(.readOnly)
            // The same parser as /api/services: the same checks, the same messages.
            var p = QueryParameters(["q": text, "per_page": String(max(1, min(limit, 100)))])
            p["kind"] = kind
            p["departement"] = departement
            p["langue"] = langue
            p["accessible"] = accessible
            let page = try await ctx.store.search(try SearchQuery.parse(p, taxonomy: ctx.taxonomy, gazetteer: ctx.data.gazetteer))
            if json {
                print(JSONOutput.string(JSONOutput.page(page, taxonomy: ctx.taxonomy), pretty: true))
                return
            }
            print("\(page.totalItems) résultat(s)")
            for l in page.listings {
                let c = l.content
                let place = [c.address?.postalCode, c.address?.commune].compactMap { $0 }.joined(separator: " ")
                let tags = [l.demo ? "données de démonstration" : nil, l.stale ? "obsolète" : nil].compactMap { $0 }
                print("- \(c.name) — \(ctx.taxonomy.label(of: c.kind))\(place.isEmpty ? "" : ", \(place)")\(c.phones.first.map { " — \(PhoneNumber.national($0.number))" } ?? "")\(tags.isEmpty ? "" : " [\(tags.joined(separator: ", "))]")")
            }
        }
    }
}
