import Foundation
import Hummingbird
import Logging
import NIOCore

/// A real HTTP server on 127.0.0.1 and a free port, started by a test and
/// stopped when the test is done. Not a mock: requests cross a socket.
public final class TestHTTPServer: Sendable {
    public let port: Int
    private let task: Task<Void, any Error>

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Starts `router` on 127.0.0.1 with a port chosen by the system.
    public static func start<Context: RequestContext>(_ router: Router<Context>) async throws -> TestHTTPServer
    where Context: InitializableFromSource<ApplicationRequestContextSource> {
        try await start(responder: router.buildResponder())
    }

    /// Starts any responder (a router wrapped as `relais serve` wraps it).
    public static func start<Responder: HTTPResponder>(responder: Responder) async throws -> TestHTTPServer
    where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test-http-server")
        logger.logLevel = .critical
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: logger
        )
        let task = Task { try await app.run() }
        guard let port = await stream.first(where: { _ in true }), port > 0 else {
            task.cancel()
            throw CocoaError(.featureUnsupported)
        }
        return TestHTTPServer(port: port, task: task)
    }

    /// Stops the server and waits for it.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Runs `body` with a started server, stopping it afterwards.
    public static func with<T, Context: RequestContext>(_ router: Router<Context>, _ body: (TestHTTPServer) async throws -> T) async throws -> T
    where Context: InitializableFromSource<ApplicationRequestContextSource> {
        try await with(responder: router.buildResponder(), body)
    }

    public static func with<T, Responder: HTTPResponder>(responder: Responder, _ body: (TestHTTPServer) async throws -> T) async throws -> T
    where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let server = try await start(responder: responder)
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }
}
