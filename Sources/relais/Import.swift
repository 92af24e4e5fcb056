import ArgumentParser
import Foundation
import RelaisImport
import RelaisStore

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Importe une source (--source ID) ou toutes les sources actives (--all), en affichant la progression.")

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "Identifiant de la source (nom du manifeste).")
    var source: String?

    @ArgumentParser.Flag(name: .long, help: "Toutes les sources actives.")
    var all = false

    @Option(name: .long, help: "Dossier des manifestes (par défaut Importers/).")
    var manifests: String?

    func validate() throws {
        if (source == nil) == !all { throw ValidationError("Indiquez soit --source ID, soit --all.") }
    }

    func run() async throws {
        let ctx = try store.open()
        let folder = manifests.map { URL(fileURLWithPath: $0) }
        let list: [Manifest]
        do { list = try ctx.manifests(in: folder) } catch { throw Failure("\(error)") }
        let chosen: [Manifest]
        if let source {
            guard let m = list.first(where: { $0.id == source }) else {
                throw Failure("source « \(source) » introuvable ; sources : \(list.map(\.id).joined(separator: ", "))")
            }
            chosen = [m]
        } else {
            chosen = list.filter(\.enabled)
        }
        var failed = 0
        for m in chosen {
            let run = await ctx.importer.run(m, trigger: "cli") { line in print(line) }
            print(Self.ledgerLine(run))
            if let message = run.message, ![.success].contains(run.status) { print("  \(message)") }
            for issue in (try? ctx.store.issues(runID: run.id)) ?? [] where issue.severity == .rejected {
                print("  rejeté — \(issue.item ?? "?")\(issue.field.map { " [\($0)]" } ?? "") : \(issue.reason)")
            }
            if [.failed, .refused, .interrupted].contains(run.status) { failed += 1 }
        }
        if failed > 0 { throw ExitCode(1) }
    }

    static func ledgerLine(_ r: RunRecord) -> String {
        "\(r.sourceID) : \(statusLabel(r.status)) — \(r.added) ajoutée(s), \(r.updated) mise(s) à jour, \(r.unchanged) inchangée(s), \(r.stale) obsolète(s), \(r.removed) retirée(s), \(r.rejected) rejetée(s)"
    }

    static func statusLabel(_ s: RunRecord.Status) -> String {
        switch s {
        case .running: return "en cours"
        case .success: return "réussi"
        case .unchanged: return "inchangé"
        case .empty: return "vide"
        case .failed: return "échec"
        case .refused: return "refusé"
        case .interrupted: return "interrompu"
        }
    }
}
