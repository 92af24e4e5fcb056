import Foundation
import Hummingbird
import Logging
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

public enum RelaisServer {
    /// Assembles the routes of the API and the pages; the executable and the tests both call it.
    public static func router(state: ServerState) -> Router<RelaisRequestContext> {
        let router = Router(context: RelaisRequestContext.self)
        router.add(middleware: PrivacyRequestLogger(logger: state.logger))
        router.get("/health") { _, _ in
            JSONResponse(["status": "ok", "listings": "\(try state.store.listingCount())"])
        }
        ServicesController(state: state).add(to: router)
        ReferralController(state: state).add(to: router)
        AdminAPI(state: state).add(to: router)
        let pages = Pages(state: state)
        pages.add(to: router)
        AdminPages(state: state, pages: pages).add(to: router)
        // Unknown addresses: a French page, or a JSON error under /api/.
        router.get("/api/**") { request, _ -> Response in throw APIError(.notFound, "Adresse inconnue : \(request.uri.path)") }
        router.get("**") { request, _ -> Response in
            if request.uri.path.hasPrefix("/api/") { throw APIError(.notFound, "Adresse inconnue : \(request.uri.path)") }
            throw pages.error(.notFound, "Page introuvable", "Cette adresse ne correspond à aucune page de Relais.")
        }
        return router
    }

    public static func application(
        state: ServerState, host: String = "127.0.0.1", port: Int = 8080, services: [any Service] = [], onRunning: (@Sendable (Int) async -> Void)? = nil
    ) -> some ApplicationProtocol {
        Application(
            router: router(state: state),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onRunning?(channel.localAddress?.port ?? port) },
            logger: state.logger)
    }
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
