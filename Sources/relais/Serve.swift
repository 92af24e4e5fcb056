import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RelaisImport
import RelaisServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sert l’annuaire en HTTP (pages et API). Au premier démarrage, importe les sources fournies (données de démonstration).")

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "Port HTTP.")
    var port: Int = 8080

    @Option(name: .long, help: "Adresse d’écoute.")
    var host: String = "127.0.0.1"

    func run() async throws {
        LoggingSystem.bootstrapOnce(level: .info)
        let ctx = try store.open()
        let logger = Logger(label: "relais")
        if try ctx.store.listingCount() <= ctx.data.nationalLines.count {
            logger.info("premier démarrage : import des sources fournies")
            for run in try await ctx.importBundled() {
                logger.info("\(run.sourceID): \(run.status.rawValue), \(run.added) ajoutées")
            }
        }
        let state = ServerState(context: ctx, logger: logger)
        let app = RelaisServer.application(state: state, host: host, port: port) { port in
            logger.info("Relais écoute sur http://\(host):\(port)")
        }
        try await app.runService()
    }
}
