import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RelaisImport
import RelaisServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sert l’annuaire en HTTP (pages, API, administration) et rafraîchit les sources selon leur calendrier. Au premier démarrage, importe les sources fournies (données de démonstration).")

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "Port HTTP.")
    var port: Int = 8080

    @Option(name: .long, help: "Adresse d’écoute.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Dossier des manifestes (par défaut Importers/).")
    var manifests: String?

    @ArgumentParser.Flag(name: .long, inversion: .prefixedNo, help: "Rafraîchir les sources selon leur calendrier (désactivez-le si cron lance « relais refresh --due »).")
    var scheduler = true

    @Option(name: .long, help: "Sources rafraîchies en même temps par le planificateur.")
    var concurrency: Int = 2

    @ArgumentParser.Flag(name: .long, help: "Cookies de session sans l’attribut Secure (seulement derrière un proxy qui ne sert pas HTTPS — déconseillé).")
    var insecureCookies = false

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency : au moins 1.") }
    }

    func run() async throws {
        LoggingSystem.bootstrapOnce(level: .info)
        let ctx = try store.open()
        let logger = Logger(label: "relais")
        let folder = manifests.map { URL(fileURLWithPath: $0) }
        // An invalid manifest is reported (log, /admin) and left out; the others run.
        do {
            for problem in try ctx.manifestSet(in: folder).problems { logger.error("manifeste invalide — \(problem)") }
        } catch { throw Failure("\(error)") }
        if try ctx.store.listingCount() <= ctx.data.nationalLines.count {
            logger.info("premier démarrage : import des sources fournies")
            for run in try await ctx.importBundled() {
                logger.info("\(run.sourceID): \(run.status.rawValue), \(run.added) ajoutées")
            }
        }
        let refresher = RefreshScheduler(context: ctx, settings: SchedulerSettings(concurrency: concurrency), manifestsFolder: folder, logger: Logger(label: "relais.scheduler"))
        if let list = try? ctx.manifests(in: folder) { try? ctx.store.register(list.map(\.registration)) }
        let state = ServerState(context: ctx, logger: logger, scheduler: refresher, admin: AdminSettings(secureCookies: !insecureCookies))
        if try ctx.store.adminUsers().isEmpty {
            logger.info("aucun compte d’administration : créez-en un avec « relais admin add NOM --db \(store.db) »")
        }
        let (host, port) = (host, port)
        let app = RelaisServer.application(state: state, host: host, port: port, services: scheduler ? [SchedulerService(scheduler: refresher)] : []) { port in
            logger.info("Relais écoute sur http://\(host):\(port)")
        }
        try await app.runService()
    }
}
