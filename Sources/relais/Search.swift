import ArgumentParser
import Foundation
import RelaisModel
import RelaisNormalize
import RelaisServer
import RelaisStore

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Recherche dans l’annuaire (accents et majuscules ignorés, préfixes acceptés).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "Texte recherché, par exemple « groupe de parole » ou « entraide Dijon ».")
    var text: String

    @Option(help: "Type de ressource (gem, association_familles…).")
    var kind: String?

    @Option(help: "Code du département (21, 2A, 974…).")
    var departement: String?

    @Option(help: "Nombre de résultats.")
    var limit: Int = 20

    @ArgumentParser.Flag(help: "Sortie JSON (la même forme que l’API /api/services).")
    var json = false

    func run() async throws {
        let ctx = try store.open()
        var q = SearchQuery(text: text, page: 1, perPage: max(1, min(limit, 100)))
        if let kind {
            guard let k = Kind(rawValue: kind) else { throw Failure("type inconnu « \(kind) » ; types : \(Kind.allCases.map(\.rawValue).joined(separator: ", "))") }
            q.kind = k
        }
        q.departement = departement?.uppercased()
        let page = try ctx.store.search(q)
        if json {
            print(JSONOutput.string(JSONOutput.page(page, taxonomy: ctx.data.taxonomy), pretty: true))
            return
        }
        print("\(page.totalItems) résultat(s)")
        for l in page.listings {
            let c = l.content
            let place = [c.address?.postalCode, c.address?.commune].compactMap { $0 }.joined(separator: " ")
            let tags = [l.demo ? "données de démonstration" : nil, l.stale ? "obsolète" : nil].compactMap { $0 }
            print("- \(c.name) — \(ctx.data.taxonomy.label(of: c.kind))\(place.isEmpty ? "" : ", \(place)")\(c.phones.first.map { " — \(PhoneNumber.national($0.number))" } ?? "")\(tags.isEmpty ? "" : " [\(tags.joined(separator: ", "))]")")
        }
    }
}
