import Foundation
import Logging
import RelaisApp
import RelaisAuth
import RelaisFetch
import RelaisImport
import RelaisModel
import RelaisServer
import RelaisSources
import RelaisStore
import RelaisStoreSQLite
import RelaisTestSupport

/// Captures log lines in memory, to check what the server writes.
final class MemoryLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

struct MemoryLogHandler: LogHandler {
    let log: MemoryLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        log.append("\(level) \(message) \(metadata ?? [:])")
    }
}

/// A clock that tests move by hand: delays are checked without waiting.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(_ seconds: TimeInterval) { lock.lock(); current += seconds; lock.unlock() }
}

/// A Relais server on 127.0.0.1 over a fresh store holding the demonstration
/// directory (and, with ../shared, the public fixtures).
struct ServerHarness {
    static let referenceDate = Date(timeIntervalSince1970: 1_795_431_600)  // 2026-11-23T12:00:00+01:00

    /// The server as `relais serve` assembles it (the composition root), over a SQLite file.
    let setup: RelaisServer.Setup
    /// The same store, read directly by the checks.
    let store: SQLiteStore
    let log: MemoryLog
    var context: RelaisContext { setup.context }
    var clock = TestClock(referenceDate)
    let fetcher = Fetcher(configuration: .init(timeouts: .init(connect: 2, total: 20), retry: .init(maxAttempts: 1)))

    static func make(fixtures: Bool = false, admin: AdminSettings = .init()) async throws -> ServerHarness {
        let dir = SharedData.temporaryDirectory("server")
        let testClock = TestClock(referenceDate)
        let clock: @Sendable () -> Date = { testClock.now }
        let log = MemoryLog()
        let logger = Logger(label: "relais-test") { _ in MemoryLogHandler(log: log) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("relais.sqlite").path)
        let ctx = try await RelaisContext.open(store: store, home: RelaisHome(root: SharedData.projectRoot), clock: clock, logger: logger)
        _ = try await ctx.importBundled()
        if fixtures, SharedData.available {
            let f = SharedData.url("fixtures")
            for (id, file, format, kind) in [("unafam", "unafam-delegation.html", SourceFormat.html, nil as RelaisModelKind?), ("agenda", "agenda.ics", .ics, .groupe_parole), ("gems", "gem-annuaire.csv", .csv, .gem)] {
                _ = await ctx.importer.run(Manifest(id: id, title: id, url: f.appendingPathComponent(file).absoluteString, format: format, kind: kind))
            }
        }
        return ServerHarness(setup: RelaisServer.Setup(context: ctx, admin: admin), store: store, log: log, clock: testClock)
    }

    func with<T>(_ body: (TestHTTPServer) async throws -> T) async throws -> T {
        try await TestHTTPServer.with(responder: await RelaisServer.responder(setup), body)
    }

    func get(_ server: TestHTTPServer, _ path: String) async throws -> (Int, String, [String: String]) {
        let r = try await fetcher.fetch(FetchRequest(url: "\(server.baseURL)\(path)", acceptErrorStatus: true))
        return (r.status, String(decoding: r.body, as: UTF8.self), r.headers)
    }

    /// Any request, redirections not followed: status, body, headers (lower-cased names).
    func send(_ server: TestHTTPServer, _ method: String, _ path: String, headers: [(String, String)] = [], form: [String: String]? = nil,
              json: String? = nil) async throws -> (Int, String, [String: String]) {
        var headers = headers
        var body: [UInt8]?
        if let form {
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(form.map { k, v in "\(k)=\(v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? v)" }.joined(separator: "&").utf8)
        } else if let json {
            headers.append(("Content-Type", "application/json"))
            body = Array(json.utf8)
        } else if method != "GET" && method != "HEAD" {
            body = []
        }
        let r = try await fetcher.fetch(FetchRequest(url: "\(server.baseURL)\(path)", headers: headers, acceptErrorStatus: true, method: method, body: body, followRedirects: false))
        return (r.status, String(decoding: r.body, as: UTF8.self), r.headers)
    }

    /// An admin account (cheap scrypt cost for tests) and an API token.
    func addAdmin(_ name: String, password: String = "mot de passe de test") throws -> String {
        let user = try store.addAdmin(name: name, passwordHash: try PasswordHasher(logN: 10).hash(password), at: Self.referenceDate)
        let token = APIToken.generate()
        try store.addToken(userID: user.id, label: "tests", prefix: token.prefix, hash: token.hash, at: Self.referenceDate)
        return token.value
    }

    func json(_ server: TestHTTPServer, _ path: String) async throws -> (Int, [String: Any]) {
        let (status, body, _) = try await get(server, path)
        return (status, (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:])
    }
}

typealias RelaisModelKind = RelaisModel.Kind
import RelaisModel
