import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RelaisApp
import RelaisImport
import RelaisNormalize
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

    @Option(name: .customLong("lease-seconds"), help: "Durée du bail d’une source en cours d’import, renouvelé tant qu’il dure (900 par défaut)\u{A0}: ce qu’attend une autre instance avant de reprendre la source d’une instance tombée sur un autre hôte.")
    var leaseSeconds: Int = 900

    @ArgumentParser.Flag(name: .long, help: "Cookies de session sans l’attribut Secure (seulement derrière un proxy qui ne sert pas HTTPS — déconseillé).")
    var insecureCookies = false

    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp(
        "Adresse (ou réseau, 10.0.0.0/8) d’un proxy inverse dont l’en-tête de transfert donne l’adresse du client\u{A0}; répétable. Par défaut aucun\u{A0}: l’adresse est celle de la connexion. Aussi $RELAIS_TRUSTED_PROXY (liste séparée par des virgules).",
        valueName: "adresse"))
    var trustedProxy: [String] = []

    @Option(name: .long, help: "En-tête écrit par le proxy de confiance\u{A0}: x-forwarded-for (par défaut) ou forwarded. Aussi $RELAIS_FORWARDED_HEADER.")
    var forwardedHeader: String?

    @Option(name: .customLong("reports-per-client-10min"), help: "Signalements par client en 10 minutes.")
    var reportsPerClient10min = 5

    @Option(name: .customLong("reports-per-client-day"), help: "Signalements par client et par jour.")
    var reportsPerClientDay = 20

    @Option(name: .customLong("reports-per-hour"), help: "Signalements en tout par heure.")
    var reportsPerHour = 200

    @Option(name: .customLong("reports-per-day"), help: "Signalements en tout par jour.")
    var reportsPerDay = 1000

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency : au moins 1.") }
        for n in [reportsPerClient10min, reportsPerClientDay, reportsPerHour, reportsPerDay] where n < 0 {
            throw ValidationError("Limites de signalements\u{A0}: un nombre positif ou nul.")
        }
        _ = try proxies()
    }

    /// The trusted proxies of the options, else of the environment.
    func proxies() throws -> TrustedProxies {
        let env = ProcessInfo.processInfo.environment
        let list = trustedProxy.isEmpty ? (env["RELAIS_TRUSTED_PROXY"] ?? "") : trustedProxy.joined(separator: ",")
        let headerName = (forwardedHeader ?? env["RELAIS_FORWARDED_HEADER"] ?? TrustedProxies.Header.xForwardedFor.rawValue).lowercased()
        guard let header = TrustedProxies.Header(rawValue: headerName) else {
            throw ValidationError("--forwarded-header\u{A0}: «\u{A0}\(headerName)\u{A0}» n’est ni x-forwarded-for ni forwarded.")
        }
        switch TrustedProxies.parse(list, header: header) {
        case .success(let proxies): return proxies
        case .failure(let bad): throw ValidationError("--trusted-proxy\u{A0}: «\u{A0}\(bad.item)\u{A0}» n’est ni une adresse IP ni un réseau (10.0.0.0/8).")
        }
    }

    func run() async throws {
        try await CommandLineErrors.run { try await body() }
    }

    func body() async throws {
        LoggingSystem.bootstrapOnce(level: .info)
        let ctx = try await store.open(creating: true, warmIndex: true)
        let logger = Logger(label: "relais")
        let folder = manifests.map { URL(fileURLWithPath: $0) }
        // An invalid manifest is reported (log, /admin) and left out; the others run.
        for problem in try await ctx.manifestSet(in: folder).problems { logger.error("manifeste invalide — \(problem)") }
        if try await ctx.store.listingCount() <= ctx.data.nationalLines.count {
            logger.info("premier démarrage : import des sources fournies")
            for run in try await ctx.importBundled(leaseDuration: TimeInterval(max(5, leaseSeconds))) {
                logger.info("\(run.sourceID) : \(run.status.rawValue), \(Text.count(run.added, "fiche ajoutée", "fiches ajoutées"))")
            }
            // The index read at the start was the empty store's: the first question waits for this one.
            try? await ctx.index.ready()
        }
        let refresher = ctx.scheduler(settings: SchedulerSettings(concurrency: concurrency, leaseDuration: TimeInterval(max(5, leaseSeconds))), manifestsFolder: folder)
        if let list = try? ctx.manifests(in: folder) { try? await ctx.store.register(list.map(\.registration)) }
        let reports = ReportLimits(
            perClient: [.init(reportsPerClient10min, per: 600), .init(reportsPerClientDay, per: 86400)],
            overall: [.init(reportsPerHour, per: 3600), .init(reportsPerDay, per: 86400)])
        let proxies = try proxies()
        if !proxies.networks.isEmpty {
            logger.info("proxys de confiance (\(proxies.header.rawValue))\u{A0}: \(proxies.networks.map(\.description).joined(separator: ", "))")
        }
        let setup = RelaisServer.Setup(
            context: ctx, scheduler: refresher, admin: AdminSettings(reports: reports, trustedProxies: proxies, secureCookies: !insecureCookies))
        if try await ctx.store.adminUsers().isEmpty {
            logger.info("aucun compte d’administration : créez-en un avec « relais admin add NOM --db \(RelaisContext.display(db: store.db)) »")
        }
        let (host, port) = (host, port)
        let app = await RelaisServer.application(setup, host: host, port: port, services: scheduler ? [SchedulerService(scheduler: refresher)] : []) { port in
            logger.info("Relais écoute sur http://\(host):\(port)")
        }
        try await app.runService()
    }
}
