import Foundation
import RelaisApp
import RelaisMerge
import RelaisSources
import RelaisStoreSQLite
import Hummingbird
import RelaisFetch
import RelaisImport
import RelaisModel
import RelaisStore
import RelaisTestSupport
import Synchronization
import Testing

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let now: Mutex<Date>
    init(_ start: Date) { now = Mutex(start) }
    func read() -> Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// What the sources serve: a CSV per name, a delay, a failure switch. Shared
/// with the real HTTP server's handlers.
final class SourceBoard: Sendable {
    struct State {
        var bodies: [String: String] = [:]
        var delay: Double = 0
        var requests: [String] = []
        var current = 0
        var peak = 0
    }
    let state = Mutex(State())

    func set(_ name: String, _ rows: [String]) {
        state.withLock { $0.bodies[name] = "Nom;Adresse;Code postal;Commune;Téléphone\n" + rows.joined(separator: "\n") + "\n" }
    }

    var requests: [String] { state.withLock { $0.requests } }
    var peak: Int { state.withLock { $0.peak } }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/csv/:name") { request, context -> Response in
            let name = try context.parameters.require("name")
            let delay = self.state.withLock { s -> Double in
                s.requests.append(name)
                s.current += 1
                s.peak = max(s.peak, s.current)
                return s.delay
            }
            defer { self.state.withLock { $0.current -= 1 } }
            if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
            guard let body = self.state.withLock({ $0.bodies[name] }) else {
                return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom")))
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return router
    }
}

/// The scheduler, driven by a hand-moved clock against a real HTTP server and
/// a real SQLite file: order, concurrency bound, backoff, leases, shutdown.
@Suite(.serialized) struct SchedulerTests {
    let clock = TestClock(TestEnvironment.referenceDate)

    func environment() throws -> TestEnvironment {
        let clock = clock
        return try TestEnvironment(clock: { clock.read() })
    }

    func manifests(_ env: TestEnvironment, _ server: TestHTTPServer, _ names: [String], hours: Int = 1) -> [Manifest] {
        names.map { env.manifest($0, url: "\(server.baseURL)/csv/\($0)", format: .csv, kind: .gem) }.map {
            var m = $0
            m.schedule = .every(hours: hours)
            return m
        }
    }

    func scheduler(_ env: TestEnvironment, _ list: [Manifest], concurrency: Int, owner: String = "test", store: SQLiteStore? = nil,
                   runner: RefreshScheduler.Runner? = nil) -> RefreshScheduler {
        let importer = env.importer
        let clock = clock
        return RefreshScheduler(
            store: store ?? env.store, settings: SchedulerSettings(concurrency: concurrency, backoffBase: 300, backoffCap: 3600), owner: owner,
            clock: { clock.read() }, manifests: { list }, runner: runner ?? { m, trigger in await importer.run(m, trigger: trigger) })
    }

    @Test func dueSourcesRunMostOverdueFirstWithinTheConcurrencyBound() async throws {
        let env = try environment()
        let board = SourceBoard()
        for (i, n) in ["a", "b", "c", "d"].enumerated() { board.set(n, ["GEM \(n.uppercased());\(i + 1) rue X;21000;Dijon;03 53 01 00 0\(i)"]) }
        try await TestHTTPServer.with(board.router()) { server in
            let list = manifests(env, server, ["a", "b", "c", "d"])
            // Last successes at different times: d, then b, then c, then a.
            for name in ["d", "b", "c", "a"] {
                _ = await env.importer.run(list.first { $0.id == name }!)
                clock.advance(600)
            }
            let s = scheduler(env, list, concurrency: 1)
            #expect(await s.tick().isEmpty)  // nothing due yet: every 1 h
            clock.advance(3600)
            let plan = try await s.plan().map(\.manifest.id)
            #expect(plan == ["d", "b", "c", "a"])
            // One at a time, most overdue first.
            var order: [String] = []
            for _ in 0..<4 {
                let started = await s.tick()
                #expect(started.count == 1)
                order += started
                #expect(await s.tick().isEmpty)  // the slot is taken
                await s.waitForIdle()
            }
            #expect(order == ["d", "b", "c", "a"])
            #expect(await s.tick().isEmpty)  // all ran: none due for another hour

            // Concurrency 2 over four slow sources: never more than two fetches at once.
            clock.advance(3600 + 60)
            board.state.withLock { $0.delay = 0.3 }
            let s2 = scheduler(env, list, concurrency: 2)
            #expect(await s2.tick().count == 2)
            #expect(await s2.running.count == 2)
            _ = await s2.runDue()  // the other two, as slots free up
            await s2.waitForIdle()
            for id in ["a", "b", "c", "d"] {
                #expect(["schedule", "refresh"].contains(try env.store.runs(sourceID: id, limit: 1).first?.trigger ?? ""), "\(id)")
            }
            #expect(board.peak == 2)
            for id in ["a", "b", "c", "d"] { #expect(try env.store.source(id: id)?.leaseOwner == nil) }
        }
    }

    @Test func failuresBackOffAndDoNotBlockOthers() async throws {
        let env = try environment()
        let board = SourceBoard()
        board.set("good", ["GEM Bon;1 rue X;21000;Dijon;03 53 01 00 01"])
        try await TestHTTPServer.with(board.router()) { server in
            let list = manifests(env, server, ["bad", "good"], hours: 24 * 7)
            let s = scheduler(env, list, concurrency: 1)
            // Never run: both due; "bad" first by name, then "good" in the freed slot.
            #expect(await s.tick() == ["bad"])
            await s.waitForIdle()
            #expect(await s.tick() == ["good"])
            await s.waitForIdle()
            var bad = try #require(try env.store.source(id: "bad"))
            #expect(bad.consecutiveFailures == 1 && bad.lastError?.contains("500") == true)
            // Backoff 5 min, then 10, then 20…, capped at 1 h.
            let expectations: [(TimeInterval, Bool)] = [(60, false), (240, true), (540, false), (60, true), (1199, false), (1, true)]
            for (step, runs) in expectations {
                clock.advance(step)
                let started = await s.tick()
                #expect(started == (runs ? ["bad"] : []), "after \(step) s")
                await s.waitForIdle()
            }
            bad = try #require(try env.store.source(id: "bad"))
            #expect(bad.consecutiveFailures == 4)
            let settings = SchedulerSettings(backoffBase: 300, backoffCap: 3600)
            #expect(settings.backoff(failures: 4) == 2400 && settings.backoff(failures: 9) == 3600)
            // The next run time is visible for admins.
            #expect(Timestamp.date(bad.nextRunAt).map { $0 > clock.read() } == true)
            // The failing source never held the healthy one back.
            #expect(try env.store.source(id: "good")?.lastSuccessAt != nil)
            // Once the source answers again, the failures are cleared.
            board.set("bad", ["GEM Revenu;2 rue Y;21000;Dijon;03 53 01 00 02"])
            clock.advance(2400)
            #expect(await s.tick() == ["bad"])
            await s.waitForIdle()
            #expect(try env.store.source(id: "bad")?.consecutiveFailures == 0)
        }
    }

    @Test func aLeaseHeldByAnotherProcessIsRespected() async throws {
        let env = try environment()
        let board = SourceBoard()
        board.set("a", ["GEM A;1 rue X;21000;Dijon;03 53 01 00 01"])
        board.set("b", ["GEM B;2 rue X;21000;Dijon;03 53 01 00 02"])
        try await TestHTTPServer.with(board.router()) { server in
            let list = manifests(env, server, ["a", "b"])
            // Another process, its own connection to the same file, takes "a" for 10 minutes.
            let other = try SQLiteStore(path: env.store.path)
            #expect(try other.acquireLease(source: list[0].registration, owner: "autre-processus", until: clock.read().addingTimeInterval(600), now: clock.read()))
            let s = scheduler(env, list, concurrency: 2)
            #expect(await s.tick() == ["b"])
            await s.waitForIdle()
            #expect(try await s.runNow("a") == false)
            #expect(!board.requests.contains("a"))
            // The other process also cannot take what this one holds.
            #expect(try env.store.acquireLease(source: list[1].registration, owner: "test", until: clock.read().addingTimeInterval(600), now: clock.read()))
            #expect(try other.acquireLease(source: list[1].registration, owner: "autre-processus", until: clock.read().addingTimeInterval(600), now: clock.read()) == false)
            try env.store.releaseLease(sourceID: "b", owner: "test")
            // Expired (the other process died): taken over.
            clock.advance(601)
            #expect(await s.tick() == ["a"])
            await s.waitForIdle()
            #expect(board.requests.contains("a"))
            #expect(try env.store.source(id: "a")?.lastSuccessAt != nil)
        }
    }

    @Test func shutdownDuringARunLeavesTheStoreAsItWas() async throws {
        let env = try environment()
        let board = SourceBoard()
        board.set("slow", ["GEM Un;1 rue X;21000;Dijon;03 53 01 00 01", "GEM Deux;2 rue X;21000;Dijon;03 53 01 00 02"])
        try await TestHTTPServer.with(board.router()) { server in
            let list = manifests(env, server, ["slow"])
            _ = await env.importer.run(list[0])
            let before = try env.snapshot()
            let version = try env.store.dataVersion()
            // The source changes, and answers slowly; the run is cut short.
            board.set("slow", ["GEM Trois;3 rue X;21000;Dijon;03 53 01 00 03"])
            board.state.withLock { $0.delay = 5 }
            clock.advance(3601)
            let s = scheduler(env, list, concurrency: 1)
            #expect(await s.tick() == ["slow"])
            try await Task.sleep(nanoseconds: 300_000_000)
            let started = Date()
            await s.shutdown()
            #expect(Date().timeIntervalSince(started) < 4, "the transfer is aborted, not awaited")
            let run = try #require(try env.store.runs(sourceID: "slow", limit: 1).first)
            #expect(run.status == .interrupted)
            #expect(try env.snapshot() == before)
            #expect(try env.store.dataVersion() == version)
            let state = try #require(try env.store.source(id: "slow"))
            #expect(state.consecutiveFailures == 0 && state.leaseOwner == nil)
            // The loop, cancelled like a SIGTERM, stops the same way.
            let loop = Task { await s.loop() }
            try await Task.sleep(nanoseconds: 300_000_000)
            #expect(await s.running == ["slow"])
            loop.cancel()
            await loop.value
            #expect(await s.running.isEmpty)
            #expect(try env.store.runs(sourceID: "slow", limit: 1).first?.status == .interrupted)
            #expect(try env.snapshot() == before)
        }
    }
}
