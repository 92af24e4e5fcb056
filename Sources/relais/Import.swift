import ArgumentParser
import Foundation
import RelaisApp
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisSources

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

    @ArgumentParser.Flag(name: .long, help: "Accepter la baisse du nombre de fiches d’une source dont l’exécution a été mise en attente (avec --source).")
    var acceptShrink = false

    func validate() throws {
        if (source == nil) == !all { throw ValidationError("Indiquez soit --source ID, soit --all.") }
        if acceptShrink && source == nil { throw ValidationError("--accept-shrink s’emploie avec --source ID.") }
    }

    func run() async throws {
        try await CommandLineErrors.run { try await body() }
    }

    func body() async throws {
        let ctx = try await store.open(creating: true)
        let folder = manifests.map { URL(fileURLWithPath: $0) }
        let set = try await ctx.manifestSet(in: folder)
        // One bad manifest is reported; the others run.
        for problem in set.problems { printErr("manifeste invalide — \(problem)") }
        let list = set.manifests
        let chosen: [Manifest]
        if let source {
            guard let m = list.first(where: { $0.id == source }) else {
                let known = list.isEmpty ? "aucun manifeste valide dans ce dossier" : "sources : " + list.map(\.id).joined(separator: ", ")
                throw RelaisError(.notFound, "source « \(source) » introuvable ; \(known)")
            }
            chosen = [m]
        } else {
            chosen = list.filter(\.enabled)
        }
        if acceptShrink, let m = chosen.first { try await ctx.store.acceptShrink(sourceID: m.id, at: Date()) }
        // A signal (Ctrl-C, kill) stops the run cleanly: rolled back, recorded as « interrompu ».
        // The handler is in place before the first run starts.
        let box = CancellableBox()
        let signals = SignalCancellation { box.cancel() }
        let task = Task { await Self.runAll(chosen, ctx: ctx) }
        box.set(task)
        let failed = await task.value
        signals.stop()
        if failed > 0 || !set.problems.isEmpty { throw ExitCode(1) }
    }

    /// Runs the sources one after the other; returns how many failed.
    static func runAll(_ chosen: [Manifest], ctx: RelaisContext) async -> Int {
        var failed = 0
        for m in chosen {
            if Task.isCancelled { break }
            let run = await ctx.importer.run(m, trigger: "cli") { line in print(line) }
            print(Self.ledgerLine(run))
            if let message = run.message, ![.success].contains(run.status) { print("  \(message)") }
            for issue in (try? await ctx.store.issues(runID: run.id)) ?? [] where issue.severity == .rejected {
                print("  rejeté — \(issue.item ?? "?")\(issue.field.map { " [\($0)]" } ?? "") : \(issue.reason)")
            }
            if [.failed, .refused, .interrupted, .held].contains(run.status) { failed += 1 }
        }
        return failed
    }

    static func ledgerLine(_ r: RunRecord) -> String {
        "\(r.sourceID) : \(statusLabel(r.status)) — " + [Text.count(r.added, "ajoutée"), Text.count(r.updated, "mise à jour", "mises à jour"),
            Text.count(r.unchanged, "inchangée"), Text.count(r.stale, "obsolète"), Text.count(r.removed, "retirée"), Text.count(r.rejected, "rejetée")].joined(separator: ", ")
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
        case .held: return "en attente de validation"
        }
    }
}
