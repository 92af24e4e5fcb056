import Foundation
import RelaisApp
import RelaisMerge
import RelaisSources
import RelaisStoreSQLite
import Hummingbird
import RelaisFetch
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisStore
import RelaisTestSupport
import Testing

/// What a tester fed Relais and what it did wrong, each kept as a regression test:
/// a source that shrinks, validators sent to another URL, an invalid manifest that
/// stopped everything, a dead process's lease and runs, an empty source shown as
/// healthy, an import stopped by a signal, placeholders in an admin's edit.
@Suite(.serialized) struct HardeningImportTests {
    static let header = "Identifiant;Nom;Type;Adresse;Code postal;Commune;Horaires\n"
    static func rows(_ n: Int, hours: String = "du lundi au vendredi de 14h à 18h") -> String {
        header + (1...max(1, n)).map { "h\($0);GEM Rempart \($0);gem;\($0) rue du Rempart;41000;Blois;\(hours)\n" }.joined()
    }

    func csvManifest(_ env: TestEnvironment, _ id: String, url: String) -> Manifest {
        env.manifest(
            id, url: url, format: .csv, options: ["delimiter": ";", "encoding": "utf-8"],
            fields: ["id": "Identifiant", "name": "Nom", "kind": "Type", "street": "Adresse", "postal_code": "Code postal", "commune": "Commune", "hours": "Horaires"])
    }

    func live(_ env: TestEnvironment) throws -> Int { try env.all().filter { !$0.stale && !$0.hidden }.count }

    // MARK: Shrink guard

    @Test func aSourceThatSuddenlyListsOneRecordIsHeldUntilAnAdminDecides() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("gems.csv")
        try Data(Self.rows(10).utf8).write(to: file)
        let m = csvManifest(env, "rempart", url: file.absoluteString)
        #expect(await env.importer.run(m).added == 10)

        try Data(Self.rows(1).utf8).write(to: file)
        let held = await env.importer.run(m)
        #expect(held.status == .held)
        #expect(held.message?.contains("9 fiches sur 10") == true && held.message?.contains("attente de validation") == true)
        #expect(try live(env) == 10)
        let state = try #require(try env.store.source(id: "rempart"))
        #expect(state.heldRunID == held.id)
        #expect(SourceOverview.list(manifests: [m], states: [state], now: Date()).first?.status == "held")

        // Rejected: the listings stay; the same shrink is held again.
        try env.store.rejectShrink(sourceID: "rempart")
        #expect(try env.store.source(id: "rempart")?.heldRunID == nil)
        #expect(await env.importer.run(m).status == .held)
        #expect(try live(env) == 10)

        // Accepted: the next run applies it (the nine others go stale, not away).
        try env.store.acceptShrink(sourceID: "rempart", at: Date())
        let applied = await env.importer.run(m)
        #expect(applied.status == .success && applied.stale == 9)
        #expect(try live(env) == 1)
        let after = try #require(try env.store.source(id: "rempart"))
        #expect(after.heldRunID == nil && after.shrinkAcceptedAt == nil)
    }

    @Test func aBodyCutInHalfIsHeldAndOneListingMayAlwaysGo() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("gems.csv")
        try Data(Self.rows(10).utf8).write(to: file)
        let m = csvManifest(env, "half", url: file.absoluteString)
        _ = await env.importer.run(m)
        try Data(Self.rows(5).utf8).write(to: file)
        #expect(await env.importer.run(m).status == .held)
        try Data(Self.rows(9).utf8).write(to: file)
        let one = await env.importer.run(m)
        #expect(one.status == .success && one.stale == 1)
        // The guard's rule itself.
        let g = ShrinkGuard()
        #expect(!g.holds(live: 3, vanishing: 1))
        #expect(!g.holds(live: 10, vanishing: 2))
        #expect(g.holds(live: 10, vanishing: 3))
        #expect(g.holds(live: 5, vanishing: 3))  // all but a few
        #expect(ShrinkGuard(maxShare: 1).holds(live: 100, vanishing: 98))
        #expect(!ShrinkGuard(maxShare: 1).holds(live: 100, vanishing: 60))
    }

    // MARK: Validators

    @Test func validatorsAreNeverSentToAnotherURL() async throws {
        let env = try TestEnvironment()
        let log = HeaderLog()
        let router = Router()
        for (path, n) in [("/a.csv", 2), ("/b.csv", 3)] {
            router.get(RouterPath(path)) { request, _ in
                await log.record(path, request.headers[.ifNoneMatch])
                if request.headers[.ifNoneMatch] == "\"same\"" { return Response(status: .notModified, headers: [.eTag: "\"same\""]) }
                return Response(status: .ok, headers: [.eTag: "\"same\""], body: .init(byteBuffer: ByteBuffer(string: Self.rows(n))))
            }
        }
        try await TestHTTPServer.with(router) { server in
            var m = csvManifest(env, "moved", url: "\(server.baseURL)/a.csv")
            #expect(await env.importer.run(m).added == 2)
            #expect(await env.importer.run(m).status == .unchanged)  // same URL: the 304 is right
            m.url = "\(server.baseURL)/b.csv"
            let moved = await env.importer.run(m)
            #expect(moved.status == .success && moved.added == 1)
            #expect(await log.values(for: "/b.csv").first == .some(nil), "the new URL was asked with the old URL's validators")
            // Options change what is read: fetched in full too.
            m.options["max_rejected_share"] = "0.4"
            #expect(await env.importer.run(m).status != .unchanged)
        }
    }

    // MARK: Manifests

    @Test func oneInvalidManifestIsReportedAndTheOthersRun() async throws {
        let env = try TestEnvironment()
        let folder = env.dir.appendingPathComponent("manifests")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = env.dir.appendingPathComponent("gems.csv")
        try Data(Self.rows(3).utf8).write(to: csv)
        let good = "id: good\ntitle: Bonne\nurl: \(csv.absoluteString)\nformat: csv\nschedule: \"every 24h\"\noptions:\n  delimiter: \";\"\n"
        try Data(good.utf8).write(to: folder.appendingPathComponent("a.yml"))
        try Data("id: Bad_ID\ntitle: x\nurl: ftp://x\nformat: csv\nschedule: \"every 1h\"\n".utf8).write(to: folder.appendingPathComponent("zz.yml"))
        try Data(good.utf8).write(to: folder.appendingPathComponent("b-copy.yml"))
        try Data("id: known\ntitle: x\nurl: \(csv.absoluteString)\nformat: nope\nschedule: \"every 1h\"\n".utf8).write(to: folder.appendingPathComponent("known.yml"))
        try Data("::: not yaml [".utf8).write(to: folder.appendingPathComponent("broken.yaml"))
        let set = try Manifest.load(from: folder, environment: [:])
        #expect(set.manifests.map(\.id) == ["good"])
        #expect(Set(set.problems.map(\.fileName)) == ["zz.yml", "b-copy.yml", "known.yml", "broken.yaml"])
        #expect(set.problems.first { $0.fileName == "known.yml" }?.sourceID == "known")
        #expect(set.problems.first { $0.fileName == "b-copy.yml" }?.sourceID == nil)
        #expect(throws: ManifestError.self) { try Manifest.loadAll(from: folder, environment: [:]) }
        // The valid one still runs; a known source's bad file is written to its ledger, once.
        #expect(await env.importer.run(set.manifests[0]).added == 3)
        let known = SourceRegistration(id: "known", title: "x", url: "x", format: "csv")
        try env.store.register([known])
        let problem = try #require(set.problems.first { $0.fileName == "known.yml" })
        #expect(try env.store.recordManifestProblem(sourceID: "known", message: "manifeste invalide : \(problem.message)", at: Date()))
        #expect(try !env.store.recordManifestProblem(sourceID: "known", message: "manifeste invalide : \(problem.message)", at: Date()))
        #expect(try env.store.runs(sourceID: "known", limit: 5).map(\.status) == [.failed])
        #expect(try !env.store.recordManifestProblem(sourceID: "never-registered", message: "x", at: Date()))
    }

    // MARK: Dead processes

    /// A pid of this host that is not running.
    static func deadPid() -> Int32 {
        var pid: Int32 = 4_000_000
        while kill(pid, 0) == 0 || errno != ESRCH { pid -= 1 }
        return pid
    }

    @Test func aDeadProcessLeaseIsReclaimedAtOnceAndItsRunsClosed() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("gems.csv")
        try Data(Self.rows(2).utf8).write(to: file)
        let m = csvManifest(env, "leased", url: file.absoluteString)
        let host = ProcessInfo.processInfo.hostName
        let dead = "\(host):\(Self.deadPid()):1234"
        #expect(ProcessLiveness.isGoneLocally(owner: dead))
        #expect(!ProcessLiveness.isGoneLocally(owner: "\(host):\(ProcessInfo.processInfo.processIdentifier):1"))
        #expect(!ProcessLiveness.isGoneLocally(owner: "another-host:1:1"))
        let now = Date()
        #expect(try env.store.acquireLease(source: m.registration, owner: dead, until: now.addingTimeInterval(900), now: now))
        let abandoned = try env.store.beginRun(source: m.registration, trigger: "schedule", at: now, owner: "\(host):\(Self.deadPid())")
        let scheduler = RefreshScheduler(
            store: env.store, settings: SchedulerSettings(concurrency: 1), clock: { now }, manifests: { [m] },
            runner: { manifest, trigger in await env.importer.run(manifest, trigger: trigger) })
        #expect(try await scheduler.runNow("leased"))
        let run = await scheduler.result(of: "leased")
        #expect(run?.status == .success)
        #expect(try env.store.run(id: abandoned)?.status == .interrupted)

        // A live process elsewhere keeps its lease until it expires: not taken, not retried each second.
        #expect(try env.store.acquireLease(source: m.registration, owner: "another-host:1:1", until: now.addingTimeInterval(900), now: now))
        #expect(try await !scheduler.runNow("leased"))
    }

    @Test func runsLeftRunningByAGoneProcessAreClosedWhenAContextOpens() async throws {
        let dir = SharedData.temporaryDirectory("abandoned")
        let db = dir.appendingPathComponent("relais.sqlite").path
        let store = try SQLiteStore(path: db)
        let reg = SourceRegistration(id: "cli", title: "cli", url: "file:///x", format: "csv")
        let id = try store.beginRun(source: reg, trigger: "cli", at: Date(), owner: "\(ProcessInfo.processInfo.hostName):\(Self.deadPid())")
        let mine = try store.beginRun(source: reg, trigger: "cli", at: Date(), owner: Importer.processOwner)
        _ = try await RelaisContext.open(db: db, home: RelaisHome(root: SharedData.projectRoot), environment: ["RELAIS_HOME": SharedData.projectRoot.path])
        #expect(try store.run(id: id)?.status == .interrupted)
        #expect(try store.run(id: id)?.message?.contains("rien n’a été appliqué") == true)
        #expect(try store.run(id: mine)?.status == .running)
    }

    // MARK: Suspicious sources

    @Test func aSourceThatReturnsNothingIsSuspiciousNotHealthy() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("gems.csv")
        try Data(Self.rows(3).utf8).write(to: file)
        let m = csvManifest(env, "quiet", url: file.absoluteString)
        _ = await env.importer.run(m)
        try Data(Self.header.utf8).write(to: file)
        #expect(await env.importer.run(m).status == .empty)
        let state = try #require(try env.store.source(id: "quiet"))
        #expect(state.consecutiveEmpty == 1)
        let overview = try #require(SourceOverview.list(manifests: [m], states: [state], now: Date()).first)
        #expect(overview.status == "suspicious" && overview.statusLabel.contains("aucune fiche"))
        #expect(try live(env) == 3)
        try Data(Self.rows(3).utf8).write(to: file)
        _ = await env.importer.run(m)
        #expect(try env.store.source(id: "quiet")?.consecutiveEmpty == 0)
    }

    // MARK: Placeholders

    @Test func spreadsheetPlaceholdersInHoursNeverStopAnImportNorAnEdit() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("gems.csv")
        var csv = Self.header
        for (i, h) in ["-", "Mo-Fr, 09:00-17:00", "Mo,,Tu 10:00-12:00", ",Mo 10:00-12:00", "Mo-Fr 09:00-12:00; ,Sa 10:00-12:00", "?", "n/a", "24/7"].enumerated() {
            csv += "p\(i);GEM Tiret \(i);gem;1 rue X;41000;Blois;\"\(h)\"\n"
        }
        try Data(csv.utf8).write(to: file)
        let run = await env.importer.run(csvManifest(env, "tirets", url: file.absoluteString))
        #expect(run.status == .success && run.added == 8)
        let editor = ListingEditor(data: TestEnvironment.data)
        let current = ListingContent(name: "GEM Tiret", kind: .gem)
        for text in ["-", "Mo,,Tu 10:00-12:00", ",Mo 10:00-12:00"] {
            #expect(throws: ListingEditor.EditError.self) { try editor.values(field: "schedule", text: text, current: current) }
        }
        #expect(try editor.values(field: "schedule", text: "Mo-Fr, 09:00-17:00", current: current)["schedule"] != nil)
    }

    // MARK: Signals

    @Test func anImportStoppedBySignalIsRecordedAsInterrupted() async throws {
        let binary = SharedData.projectRoot.appendingPathComponent(".build/debug/relais")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            print("◇ skipped anImportStoppedBySignalIsRecordedAsInterrupted: build the relais product first (swift build)")
            return
        }
        let dir = SharedData.temporaryDirectory("signal")
        let router = Router()
        router.get("/slow.csv") { _, _ in
            try await Task.sleep(nanoseconds: 20_000_000_000)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: Self.rows(2))))
        }
        try await TestHTTPServer.with(router) { server in
            let folder = dir.appendingPathComponent("m")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("id: slow\ntitle: Lente\nurl: \(server.baseURL)/slow.csv\nformat: csv\nschedule: \"every 24h\"\n".utf8).write(to: folder.appendingPathComponent("slow.yml"))
            let db = dir.appendingPathComponent("relais.sqlite").path
            // The store is made (migrated) before the process starts, so the two never migrate at once.
            let store = try SQLiteStore(path: db)
            let p = Process()
            p.executableURL = binary
            p.arguments = ["import", "--source", "slow", "--manifests", folder.path, "--db", db, "--home", SharedData.projectRoot.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Wait for the run to be in the ledger, then interrupt it as Ctrl-C would.
            var runID: Int64?
            // The process starts, opens the store and begins the run (a wait bound, not a timing).
            for _ in 0..<1200 where runID == nil {
                try await Task.sleep(nanoseconds: 50_000_000)
                runID = try? store.runningRuns().first { $0.sourceID == "slow" }?.id
            }
            kill(p.processIdentifier, SIGINT)
            p.waitUntilExit()
            #expect(p.terminationReason == .exit && p.terminationStatus == 1)
            let id = try #require(runID)
            let run = try store.run(id: id)
            #expect(run?.status == .interrupted, "\(String(describing: run))")
        }
    }
}

actor HeaderLog {
    private var seen: [(String, String?)] = []
    func record(_ path: String, _ value: String?) { seen.append((path, value)) }
    func values(for path: String) -> [String?] { seen.filter { $0.0 == path }.map(\.1) }
}
