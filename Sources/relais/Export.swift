import ArgumentParser
import Foundation
import RelaisApp
import RelaisModel
import RelaisNormalize

/// `relais export hsds|datainclusion --out DIR`: the directory as open data.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Exporte l’annuaire en données ouvertes : « hsds » (paquet tabulaire HSDS 3.0 et JSON) ou « datainclusion » (structures et services data·inclusion v1).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "Format : hsds ou datainclusion.")
    var format: String

    @Option(help: "Dossier où écrire les fichiers (créé s’il manque).")
    var out: String

    @ArgumentParser.Flag(name: .customLong("inclure-demo"), help: "Inclut les fiches de démonstration (jamais exportées sinon).")
    var includeDemo = false

    @Option(help: "Dossier des manifestes (licence et attribution de chaque source).")
    var manifests: String?

    func validate() throws {
        guard ["hsds", "datainclusion"].contains(format) else {
            throw ValidationError("Format « \(format) » inconnu : hsds ou datainclusion.")
        }
    }

    func run() async throws {
        try await CommandLineErrors.run {
            let ctx = try await store.open(.readOnly)
            let listings = Export.selected(try await ctx.store.allListings(includeHidden: false), includeDemo: includeDemo)
            let used = Set(listings.flatMap(\.sources))
            let known = (try? ctx.manifests(in: manifests.map { URL(fileURLWithPath: $0) })) ?? []
            let sources = known.filter { used.contains($0.id) }.map {
                Export.Attribution(id: $0.id, title: $0.title, licence: $0.licence, attribution: $0.attribution, url: $0.url)
            }
            let dir = URL(fileURLWithPath: out)
            let summary: Export.Summary
            if format == "hsds" {
                summary = try Export.hsds(listings, context: HSDS.Context(taxonomy: ctx.taxonomy, gazetteer: ctx.data.gazetteer, now: ctx.clock()), sources: sources, to: dir)
            } else {
                summary = try Export.dataInclusion(listings, taxonomy: ctx.taxonomy, vocabulary: ctx.data.dataInclusion, sources: sources, to: dir)
            }
            print("\(Text.count(summary.listings, "fiche exportée", "fiches exportées")) dans \(dir.path) : \(summary.files.joined(separator: ", "))")
            if !includeDemo, listings.isEmpty { print("(les fiches de démonstration ne sont exportées qu’avec --inclure-demo)") }
        }
    }
}
