import ArgumentParser
import Foundation
import RelaisApp
import RelaisImport
import RelaisModel
import RelaisSources

struct Refresh: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rafraîchit les sources dues selon leur calendrier (--due), ou une source tout de suite (--source ID) — pour cron ou un minuteur systemd.",
        discussion: """
            Respecte les baux : une source en cours dans un autre processus (relais serve) n’est pas relancée.
            Code de sortie 0 même si une source a échoué (l’échec est enregistré et visible dans /admin) ;
            avec --strict, 1 si un run a échoué.
            """)

    @OptionGroup var store: StoreOptions

    @ArgumentParser.Flag(name: .long, help: "Les sources dont l’heure est venue (selon « schedule » et les reprises après échec).")
    var due = false

    @Option(name: .long, help: "Identifiant d’une source à rafraîchir tout de suite.")
    var source: String?

    @Option(name: .long, help: "Dossier des manifestes (par défaut Importers/).")
    var manifests: String?

    @Option(name: .long, help: "Nombre de sources rafraîchies en même temps.")
    var concurrency: Int = 2

    @ArgumentParser.Flag(name: .long, help: "Sortir avec le code 1 si un run a échoué ou a été refusé.")
    var strict = false

    func validate() throws {
        if due == (source != nil) { throw ValidationError("Indiquez soit --due, soit --source ID.") }
        if concurrency < 1 { throw ValidationError("--concurrency : au moins 1.") }
    }

    func run() async throws {
        try await CommandLineErrors.run { try await body() }
    }

    func body() async throws {
        let ctx = try await store.open(creating: true)
        let folder = manifests.map { URL(fileURLWithPath: $0) }
        let set = try await ctx.manifestSet(in: folder)
        for problem in set.problems { printErr("manifeste invalide — \(problem)") }
        let scheduler = ctx.scheduler(settings: SchedulerSettings(concurrency: concurrency), manifestsFolder: folder)
        let (due, source) = (due, source)
        let work = Task { () async throws -> [RunRecord] in
            if due { return await scheduler.runDue() }
            guard let source else { return [] }
            guard try await scheduler.runNow(source, trigger: "cli") else {
                throw RelaisError(.conflict, "« \(source) » est déjà en cours dans un autre processus ; réessayez plus tard.")
            }
            return await scheduler.result(of: source).map { [$0] } ?? []
        }
        // SIGTERM/SIGINT: runs in flight stop before applying anything.
        let signals = SignalCancellation { work.cancel() }
        defer { signals.stop() }
        let runs = try await work.value
        if runs.isEmpty { print("Aucune source à rafraîchir pour le moment.") }
        for run in runs {
            print(Import.ledgerLine(run))
            if let message = run.message, run.status != .success { print("  \(message)") }
        }
        if strict, !set.problems.isEmpty || runs.contains(where: { [.failed, .refused, .interrupted, .held].contains($0.status) }) { throw ExitCode(1) }
    }
}
