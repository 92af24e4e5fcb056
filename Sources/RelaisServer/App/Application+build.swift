import Foundation
import Hummingbird
import Logging
import RelaisApp
import RelaisAuth
import RelaisImport
import RelaisModel
import RelaisStore
import ServiceLifecycle

/// Logs each request as method, path (never the query string: it may hold a
/// person's place or free text), status and duration.
struct PrivacyRequestLogger<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, Int(response.status.code), start)
            return response
        } catch let e as any HTTPResponseError {
            log(request, Int(e.status.code), start)
            throw e
        } catch {
            logger.error("\(request.method) \(request.uri.path) failed: \(type(of: error))")
            throw error
        }
    }

    func log(_ request: Request, _ status: Int, _ start: ContinuousClock.Instant) {
        let ms = (ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000
        logger.info("\(request.method) \(request.uri.path) \(status) \(ms)ms")
    }
}

/// The HTTP server: the API, the pages and the admin, over the app's composition root.
public enum RelaisServer {
    /// Addresses that answer JSON, errors included: Relais's API, the HSDS API, the OpenAPI document.
    static func isAPI(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path == "/hsds" || path.hasPrefix("/hsds/") || path == "/openapi.json" || path == "/health"
    }

    /// Everything the server adds to the app: its scheduler and its admin settings.
    public struct Setup: Sendable {
        public let context: RelaisContext
        public let scheduler: RefreshScheduler
        public let admin: AdminSettings
        /// The address the public reaches this server at, for links that leave it (calendar
        /// events, `webcal://`): `publicURL`, else `$RELAIS_PUBLIC_URL`, else each request's `Host`.
        public let publicURL: String?

        public init(context: RelaisContext, scheduler: RefreshScheduler? = nil, admin: AdminSettings = .init(), publicURL: String? = nil) {
            self.publicURL = publicURL ?? ProcessInfo.processInfo.environment["RELAIS_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 }
            self.context = context
            self.scheduler = scheduler ?? context.scheduler()
            self.admin = admin
        }

        /// The admin use cases over this setup's scheduler.
        public var actions: AdminActions { context.admin(scheduler: scheduler) }
    }

    /// Assembles the routes of the API and the pages; `relais serve`, the tests and the benchmarks all call it.
    /// Each controller gets what it uses, no more.
    public static func router(_ setup: Setup) async -> Router<RelaisRequestContext> {
        let context = setup.context
        let store = context.store
        let renderer = PageRenderer()
        let salt = ((try? await store.throttleSecret()) ?? []).nilIfEmpty ?? Secrets.randomBytes(32)
        let clients = Clients(proxies: setup.admin.trustedProxies, salt: salt)
        let auth = AdminAuth(accounts: store, settings: setup.admin, clients: clients, clock: context.clock)

        let router = Router(context: RelaisRequestContext.self)
        router.add(middleware: PrivacyRequestLogger(logger: context.logger))
        router.add(middleware: HTTPCompression())
        router.add(middleware: ConditionalGET())
        router.add(middleware: ErrorMiddleware(pages: renderer, logger: context.logger))
        router.get("/health") { _, _ in
            JSONResponse(["status": "ok", "listings": "\(try await store.listingCount())"])
        }
        ServicesController(listings: store, data: context.data).add(to: router)
        let openAPI = ByteBuffer(string: OpenAPIDocument.json(kinds: Kind.allCases.map(\.rawValue), needs: context.taxonomy.needIDs))
        router.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: openAPI))
        }
        HSDSController(listings: store, data: context.data, clock: context.clock).add(to: router)
        ReferralController(referrals: context.referrals, taxonomy: context.taxonomy).add(to: router)
        AdminAPI(actions: setup.actions, auth: auth, store: store).add(to: router)
        WebPages(
            renderer: renderer, referrals: context.referrals, store: store, data: context.data, clock: context.clock, reportLimits: setup.admin.reports,
            clients: clients, publicURL: setup.publicURL
        ).add(to: router)
        AdminPages(renderer: renderer, actions: setup.actions, auth: auth, store: store, taxonomy: context.taxonomy).add(to: router)
        // Unknown addresses: a French page, or a JSON error under /api/.
        router.get("**") { request, _ -> Response in
            if RelaisServer.isAPI(request.uri.path) { throw RelaisError(.notFound, "Adresse inconnue : \(request.uri.path)") }
            throw renderer.errorPage(.notFound, title: "Page introuvable", message: "Cette adresse ne correspond à aucune page de Relais.")
        }
        return router
    }

    /// The router as the server runs it: wrapped in what HTTP clients expect of every route
    /// (``HTTPSemantics``: HEAD, 405, OPTIONS, CORS).
    public static func responder(_ setup: Setup) async -> some HTTPResponder<RelaisRequestContext> {
        let router = await router(setup)
        return HTTPSemantics(inner: router.buildResponder(), routes: router.routes.map { ("\($0.path)", $0.method) })
    }

    public static func application(
        _ setup: Setup, host: String = "127.0.0.1", port: Int = 8080, services: [any Service] = [], onRunning: (@Sendable (Int) async -> Void)? = nil
    ) async -> some ApplicationProtocol {
        Application(
            responder: await responder(setup),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onRunning?(channel.localAddress?.port ?? port) },
            logger: setup.context.logger)
    }
}

extension Array {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}

/// The refresh scheduler as a service of the server's lifecycle: on SIGTERM
/// it stops starting runs, and runs in flight end as "interrupted" before
/// anything is applied.
public struct SchedulerService: Service {
    let scheduler: RefreshScheduler

    public init(scheduler: RefreshScheduler) { self.scheduler = scheduler }

    public func run() async throws {
        let scheduler = scheduler
        await cancelWhenGracefulShutdown { await scheduler.loop() }
    }
}
