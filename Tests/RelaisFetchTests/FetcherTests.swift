import Foundation
import RelaisFetch
import RelaisTestSupport
import Testing

/// The libcurl client against a real HTTP server on 127.0.0.1.
@Suite struct FetcherTests {
    let dir: URL

    init() throws {
        dir = SharedData.temporaryDirectory("fetch")
        try Data("Nom;Commune\nGEM Test;Dijon\n".utf8).write(to: dir.appendingPathComponent("list.csv"))
    }

    func fetcher(total: Double = 5, attempts: Int = 3, maxBody: Int = 1 << 20) -> Fetcher {
        Fetcher(configuration: .init(
            timeouts: .init(connect: 2, total: total),
            retry: .init(maxAttempts: attempts, baseDelay: 0.05, maxDelay: 0.2),
            maxBodyBytes: maxBody))
    }

    @Test func fetchesAFileWithValidatorsThenGets304() async throws {
        let log = RequestLog()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir, log: log)) { server in
            let first = try await fetcher().fetch("\(server.baseURL)/list.csv")
            #expect(first.status == 200)
            #expect(String(decoding: first.body, as: UTF8.self).contains("GEM Test"))
            let etag = try #require(first.etag)
            #expect(first.lastModified != nil)
            #expect(first.declaredCharset == "windows-1252")

            let second = try await fetcher().fetch(FetchRequest(url: "\(server.baseURL)/list.csv", etag: etag, lastModified: first.lastModified))
            #expect(second.notModified)
            #expect(second.body.isEmpty)

            let byDate = try await fetcher().fetch(FetchRequest(url: "\(server.baseURL)/list.csv", lastModified: first.lastModified))
            #expect(byDate.status == 304)
            #expect(await log.lines == ["GET /list.csv 200", "GET /list.csv 304", "GET /list.csv 304"])
            #expect(await log.userAgents.allSatisfy { $0.hasPrefix("Relais/") })
        }
    }

    @Test func retries5xxThenGivesUpWithTheStatus() async throws {
        let log = RequestLog()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir, log: log)) { server in
            let error = await #expect(throws: FetchError.self) { try await fetcher(attempts: 3).fetch("\(server.baseURL)/fault/500") }
            #expect(error?.reason == .httpStatus(500))
            #expect(error?.attempts == 3)
            #expect(await log.count("GET /fault/500") == 3)
        }
    }

    @Test func recoversFromTransient503() async throws {
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir)) { server in
            let r = try await fetcher(attempts: 4).fetch("\(server.baseURL)/fault/flaky")
            #expect(r.status == 200)
            #expect(r.attempts == 3)
        }
    }

    @Test func neverRetries4xx() async throws {
        let log = RequestLog()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir, log: log)) { server in
            let error = await #expect(throws: FetchError.self) { try await fetcher(attempts: 3).fetch("\(server.baseURL)/fault/404") }
            #expect(error?.reason == .httpStatus(404))
            #expect(await log.count("GET /fault/404") == 1)
        }
    }

    @Test func timesOutAndRetries() async throws {
        let log = RequestLog()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir, log: log)) { server in
            let started = Date()
            let error = await #expect(throws: FetchError.self) { try await fetcher(total: 0.5, attempts: 2).fetch("\(server.baseURL)/fault/slow") }
            #expect(error?.reason == .timeout)
            #expect(error?.attempts == 2)
            // Two half-second attempts, not the server's 30 seconds.
            #expect(Date().timeIntervalSince(started) < 10)
        }
    }

    @Test func stopsARedirectLoopAndFollowsARealRedirect() async throws {
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir)) { server in
            let error = await #expect(throws: FetchError.self) { try await fetcher().fetch("\(server.baseURL)/fault/redirect-loop") }
            #expect(error?.reason == .tooManyRedirects(5))
            #expect(error?.attempts == 1)
            try Data("BEGIN:VCALENDAR\n".utf8).write(to: dir.appendingPathComponent("agenda.ics"))
            let r = try await fetcher().fetch("\(server.baseURL)/fault/redirect-once")
            #expect(r.status == 200)
            #expect(r.url.hasSuffix("/agenda.ics"))
        }
    }

    @Test func capsTheDecodedBodySoAGzipBombStops() async throws {
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir)) { server in
            let error = await #expect(throws: FetchError.self) { try await fetcher(maxBody: 1 << 20).fetch("\(server.baseURL)/fault/gzip-bomb") }
            #expect(error?.reason == .bodyTooLarge(limit: 1 << 20))
            // Within the cap, the gzip body arrives decoded.
            let r = try await fetcher(maxBody: 32 << 20).fetch("\(server.baseURL)/fault/gzip-bomb")
            #expect(r.body.count == 20_000_000)
        }
    }

    @Test func connectionRefusedIsAConnectionErrorRetried() async throws {
        // Bind then release a port: nothing listens there.
        let server = try await TestHTTPServer.start(FixtureRoutes.router(serving: dir))
        let url = "\(server.baseURL)/list.csv"
        await server.stop()
        let error = await #expect(throws: FetchError.self) { try await fetcher(attempts: 2).fetch(url) }
        guard case .connection = error?.reason else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
        #expect(error?.attempts == 2)
    }

    @Test func readsFileURLsThroughTheSamePath() async throws {
        let url = dir.appendingPathComponent("list.csv").absoluteString
        #expect(url.hasPrefix("file://"))
        let r = try await fetcher().fetch(url)
        #expect(r.status == 200)
        #expect(String(decoding: r.body, as: UTF8.self).hasPrefix("Nom;Commune"))
        #expect(r.lastModified != nil)
        let etag = try #require(r.etag)
        let again = try await fetcher().fetch(FetchRequest(url: url, etag: etag))
        #expect(again.notModified)
        // A rewrite within the same second is still seen.
        try Data("Nom;Commune\nGEM Autre;Dijon\n".utf8).write(to: dir.appendingPathComponent("list.csv"))
        let changed = try await fetcher().fetch(FetchRequest(url: url, etag: etag))
        #expect(changed.status == 200)

        let missing = await #expect(throws: FetchError.self) { try await fetcher().fetch(dir.appendingPathComponent("nope.csv").absoluteString) }
        #expect(missing?.reason == .fileNotFound)
        #expect(missing?.attempts == 1)
    }

    @Test func refusesOtherSchemes() async throws {
        let error = await #expect(throws: FetchError.self) { try await fetcher().fetch("ftp://127.0.0.1/x.csv") }
        #expect(error?.reason == .unsupportedScheme("ftp"))
        let bad = await #expect(throws: FetchError.self) { try await fetcher().fetch("not a url") }
        #expect(bad?.reason == .invalidURL)
    }

    @Test func backoffGrowsAndIsCapped() {
        let r = FetchConfiguration.Retry(maxAttempts: 6, baseDelay: 1, maxDelay: 5)
        #expect((2...6).map { r.delay(beforeAttempt: $0) } == [1, 2, 4, 5, 5])
    }
}
