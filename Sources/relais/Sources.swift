import ArgumentParser
import Foundation
import RelaisApp
import RelaisImport
import RelaisSources

struct Sources: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Liste les sources (manifestes) et leur dernière exécution.")

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "Dossier des manifestes (par défaut Importers/).")
    var manifests: String?

    @ArgumentParser.Flag(help: "Sortie JSON.")
    var json = false

    func run() async throws {
        try await CommandLineErrors.run { try await body() }
    }

    func body() async throws {
        // Read-only: lists, writes nothing (an invalid manifest is reported here, recorded by the commands that import).
        let ctx = try await store.open(.readOnly)
        let set = try await ctx.manifestSet(in: self.manifests.map { URL(fileURLWithPath: $0) })
        let lines = SourceOverview.list(manifests: set.manifests, states: try await ctx.store.sources(), now: Date()).sorted { $0.id < $1.id }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            e.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try e.encode(lines), as: UTF8.self))
            for problem in set.problems { printErr("manifeste invalide — \(problem)") }
            if !set.problems.isEmpty { throw ExitCode(1) }
            return
        }
        for problem in set.problems { print("manifeste invalide — \(problem) (fichier ignoré)") }
        for l in lines {
            print("\(l.id) — \(l.title) [\(l.format), \(l.schedule ?? "sans calendrier")] \(l.listings) fiche(s) — \(l.statusLabel)\(l.nextRunAt.map { ", prochain run \($0)" } ?? "")")
            if let error = l.lastError, l.consecutiveFailures > 0 { print("  \(l.consecutiveFailures) échec(s) de suite : \(error)") }
            if let r = l.lastRun {
                print("  dernière exécution n° \(r.id) le \(r.startedAt) : \(Import.statusLabel(r.status))\(r.httpStatus.map { " (HTTP \($0))" } ?? "") — +\(r.added) ~\(r.updated) =\(r.unchanged) obsolètes \(r.stale) retirées \(r.removed) rejetées \(r.rejected)")
                if let m = r.message { print("  \(m)") }
            } else {
                print("  jamais exécutée")
            }
        }
        if !set.problems.isEmpty { throw ExitCode(1) }
    }
}
