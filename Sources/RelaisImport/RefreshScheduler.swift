import Foundation
import Logging
import RelaisModel
import RelaisSources
import RelaisStore

/// How the scheduler paces itself.
public struct SchedulerSettings: Sendable, Hashable {
    /// At most this many sources run at once in this process.
    public var concurrency: Int
    /// A lease lasts this long and is renewed every third of it while the run goes on;
    /// a process that dies leaves a lease that expires after at most this long.
    public var leaseDuration: TimeInterval
    /// The loop wakes at least this often (new manifests, leases released elsewhere).
    public var pollInterval: TimeInterval
    /// After the n-th failure in a row, the next try waits `base × 2^(n-1)`, at most `cap`.
    public var backoffBase: TimeInterval
    public var backoffCap: TimeInterval

    public init(concurrency: Int = 2, leaseDuration: TimeInterval = 15 * 60, pollInterval: TimeInterval = 60,
                backoffBase: TimeInterval = 5 * 60, backoffCap: TimeInterval = 12 * 3600) {
        self.concurrency = max(1, concurrency)
        self.leaseDuration = leaseDuration
        self.pollInterval = pollInterval
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
    }

    public func backoff(failures: Int) -> TimeInterval {
        guard failures > 0 else { return 0 }
        return min(backoffCap, backoffBase * pow(2, Double(min(failures - 1, 30))))
    }
}

/// Refreshes sources when their manifests say so: most overdue first, at most
/// `concurrency` at once, never two runs of one source at once — in this
/// process (in-flight set) or across processes sharing the database (a lease in
/// the store). Failures back off. Cancelling a run (shutdown) ends it as
/// "interrupted" before anything is applied.
///
/// Time comes from `clock`, so tests drive it; only the loop and the lease
/// heartbeat actually sleep.
public actor RefreshScheduler {
    public typealias Runner = @Sendable (Manifest, String) async -> RunRecord

    public nonisolated let owner: String
    public nonisolated let settings: SchedulerSettings
    /// The ledger and the leases: never a backend's type.
    let store: any RunLedger & LeaseStore
    nonisolated let manifests: @Sendable () throws -> [Manifest]
    /// The files of the manifests folder that cannot be read, each with its reason (for /admin).
    public nonisolated let manifestProblems: @Sendable () -> [ManifestError]
    let runner: Runner
    let clock: @Sendable () -> Date
    let logger: Logger
    private var inFlight: [String: Task<RunRecord?, Never>] = [:]

    public init(
        store: any RunLedger & LeaseStore, settings: SchedulerSettings = .init(), owner: String = RefreshScheduler.defaultOwner(),
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "relais.scheduler"),
        manifests: @escaping @Sendable () throws -> [Manifest], manifestProblems: @escaping @Sendable () -> [ManifestError] = { [] },
        runner: @escaping Runner
    ) {
        self.manifestProblems = manifestProblems
        self.store = store
        self.settings = settings
        self.owner = owner
        self.clock = clock
        self.logger = logger
        self.manifests = manifests
        self.runner = runner
    }

    /// host:pid:random — unique per process, readable by an admin.
    public static func defaultOwner() -> String {
        "\(ProcessLiveness.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The manifests this scheduler runs (re-read from their folder at each call).
    public nonisolated func manifestList() throws -> [Manifest] { try manifests() }

    // MARK: Planning (pure)

    /// When a source is next due: never run → now (first in line); after
    /// failures → the last failure plus the backoff; else the schedule's next
    /// time after the last success.
    public static func dueDate(_ manifest: Manifest, state: SourceState?, settings: SchedulerSettings, now: Date) -> Date {
        guard let state else { return .distantPast }
        if state.consecutiveFailures > 0, let failed = Timestamp.date(state.lastFailureAt) {
            return failed.addingTimeInterval(settings.backoff(failures: state.consecutiveFailures))
        }
        guard let success = Timestamp.date(state.lastSuccessAt) else { return .distantPast }
        return manifest.schedule.next(after: success, now: now)
    }

    public struct Due: Sendable {
        public let manifest: Manifest
        public let dueAt: Date
    }

    /// Enabled sources with their due dates, most overdue first.
    public func plan(now: Date? = nil) async throws -> [Due] {
        let now = now ?? clock()
        let states = Dictionary(try await store.schedulingStates().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return try manifests().filter(\.enabled)
            .map { Due(manifest: $0, dueAt: Self.dueDate($0, state: states[$0.id], settings: settings, now: now)) }
            .sorted { ($0.dueAt, $0.manifest.id) < ($1.dueAt, $1.manifest.id) }
    }

    // MARK: Running

    /// Starts what is due, within the concurrency bound. Returns the ids started.
    @discardableResult
    public func tick() async -> [String] {
        let now = clock()
        let due: [Due]
        do { due = try await plan(now: now) } catch {
            logger.error("planification impossible : \(error)")
            return []
        }
        var started: [String] = []
        for d in due where d.dueAt <= now {
            guard inFlight.count < settings.concurrency else { break }
            if inFlight[d.manifest.id] != nil || starting.contains(d.manifest.id) { continue }
            // A holder of this host is looked at every tick: when it is gone, its lease is taken at once.
            if let b = blocked[d.manifest.id], b.until > now, !ProcessLiveness.isGoneLocally(owner: b.holder) { continue }
            if await start(d.manifest, trigger: "schedule") { started.append(d.manifest.id) }
        }
        return started
    }

    /// Runs every source that is due now, once each, within the concurrency
    /// bound, and returns when they are done (`relais refresh --due`).
    /// Sources leased by another process are left to it.
    public func runDue() async -> [RunRecord] {
        var attempted = Set<String>()
        var results: [RunRecord] = []
        while !Task.isCancelled {
            let now = clock()
            let due = ((try? await plan(now: now)) ?? []).filter { $0.dueAt <= now && !attempted.contains($0.manifest.id) }
            guard !due.isEmpty || !inFlight.isEmpty else { break }
            for d in due where inFlight.count < settings.concurrency && inFlight[d.manifest.id] == nil {
                attempted.insert(d.manifest.id)
                _ = await start(d.manifest, trigger: "refresh")
            }
            // Wait for one run to end, then fill the freed slot.
            guard let task = inFlight.values.first else { continue }
            if let run = await task.value { results.append(run) }
        }
        if Task.isCancelled { await shutdown() }
        return results
    }

    /// Runs one source now (admin "run now", `relais refresh --source`), unless
    /// it is already running here or elsewhere. Returns false when it could not start.
    @discardableResult
    public func runNow(_ id: String, trigger: String = "admin") async throws -> Bool {
        guard let m = try manifests().first(where: { $0.id == id }) else {
            throw RelaisError(.notFound, "source « \(id) » introuvable")
        }
        if inFlight[id] != nil || starting.contains(id) { return false }
        return await start(m, trigger: trigger)
    }

    /// The run of a source started here, once it ends (nil: none, or lease lost).
    public func result(of id: String) async -> RunRecord? {
        await inFlight[id]?.value
    }

    public var running: [String] { Array(inFlight.keys).sorted() }

    /// Waits until no run started here is in flight.
    public func waitForIdle() async {
        while let task = inFlight.values.first { _ = await task.value }
    }

    /// Stops: cancels every run in flight (each ends as "interrupted", nothing
    /// applied) and waits for them to record it and release their leases.
    public func shutdown() async {
        for t in inFlight.values { t.cancel() }
        await waitForIdle()
    }

    /// Sources between the decision to start and their task (the lease is being taken):
    /// the actor may run other calls while it waits for the store.
    private var starting: Set<String> = []

    private func start(_ manifest: Manifest, trigger: String) async -> Bool {
        guard starting.insert(manifest.id).inserted else { return false }
        defer { starting.remove(manifest.id) }
        let now = clock()
        let leased: Bool
        do {
            leased = try await store.acquireLease(source: manifest.registration, owner: owner, until: now.addingTimeInterval(settings.leaseDuration), now: now)
        } catch {
            logger.error("\(manifest.id): bail impossible — \(error)")
            return false
        }
        if !leased, !(await takeOverFromDeadProcess(manifest, now: now)) { return false }
        blocked[manifest.id] = nil
        let (store, owner, settings, clock, runner, logger) = (store, owner, settings, clock, runner, logger)
        inFlight[manifest.id] = Task {
            // Keeps the lease alive while the run goes on.
            let heartbeat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(settings.leaseDuration / 3 * 1_000_000_000))
                    if Task.isCancelled { break }
                    _ = try? await store.renewLease(sourceID: manifest.id, owner: owner, until: clock().addingTimeInterval(settings.leaseDuration))
                }
            }
            let run = await runner(manifest, trigger)
            heartbeat.cancel()
            do {
                try await store.releaseLease(sourceID: manifest.id, owner: owner)
                let state = try await store.schedulingStates().first { $0.id == manifest.id }
                try await store.setNextRun(sourceID: manifest.id, at: Self.dueDate(manifest, state: state, settings: settings, now: clock()))
            } catch {
                logger.error("\(manifest.id): fin de run non enregistrée — \(error)")
            }
            await self.finished(manifest.id)
            return run
        }
        return true
    }

    /// Sources whose lease another live process holds: not retried (nor logged) before it expires.
    private var blocked: [String: (until: Date, logs: Int, nextLog: Date, holder: String)] = [:]

    /// A lease held by a process of this host that is gone is reclaimed at once; one held
    /// elsewhere is waited for until it expires, logged with a growing interval, not every second.
    private func takeOverFromDeadProcess(_ manifest: Manifest, now: Date) async -> Bool {
        guard let holder = try? await store.leaseHolder(sourceID: manifest.id) else { return false }
        if ProcessLiveness.isGoneLocally(owner: holder.owner),
            (try? await store.takeOverLease(sourceID: manifest.id, from: holder.owner, owner: owner, until: now.addingTimeInterval(settings.leaseDuration), now: now)) == true
        {
            logger.warning("\(manifest.id): bail repris au processus \(holder.owner), arrêté")
            return true
        }
        let until = max(holder.expires ?? now, now.addingTimeInterval(5))
        var entry = blocked[manifest.id] ?? (until, 0, now, holder.owner)
        entry.until = until
        entry.holder = holder.owner
        if now >= entry.nextLog {
            logger.info("\(manifest.id): en cours dans un autre processus (\(holder.owner)) jusqu’à \(Timestamp.string(until)) au plus tard")
            entry.logs += 1
            entry.nextLog = now.addingTimeInterval(min(3600, 60 * pow(2, Double(min(entry.logs, 6)))))
        }
        blocked[manifest.id] = entry
        return false
    }

    private func finished(_ id: String) {
        inFlight[id] = nil
        wakeUp()
    }

    /// Runs what is due, then waits for the next due time, a finished run or
    /// the poll interval — until the task is cancelled, then shuts down.
    public func loop() async {
        logger.info("planificateur démarré (\(settings.concurrency) source(s) à la fois)")
        while !Task.isCancelled {
            await tick()
            await nap(await nextWakeDelay())
        }
        logger.info("planificateur : arrêt\(inFlight.isEmpty ? "" : ", \(inFlight.count) run(s) interrompu(s)")")
        await shutdown()
    }

    private var sleeper: CheckedContinuation<Void, Never>?
    private var pendingWake = false

    /// Sleeps `seconds`, or less if a run finishes or the task is cancelled.
    private func nap(_ seconds: TimeInterval) async {
        if pendingWake || Task.isCancelled {
            pendingWake = false
            return
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(max(0.05, seconds) * 1_000_000_000))
            await self?.wakeUp()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in sleeper = c }
        } onCancel: {
            Task { await self.wakeUp() }
        }
        timer.cancel()
        pendingWake = false
    }

    private func wakeUp() {
        if let s = sleeper {
            sleeper = nil
            s.resume()
        } else {
            pendingWake = true
        }
    }

    private func nextWakeDelay() async -> TimeInterval {
        let now = clock()
        guard inFlight.count < settings.concurrency, let plan = try? await plan(now: now) else { return settings.pollInterval }
        // A source leased elsewhere is due when its lease expires, not before.
        // (Held by a process of this host: looked at again within 10 s, it may be gone sooner.)
        let dues = plan.filter { inFlight[$0.manifest.id] == nil }.map { d in
            guard let b = blocked[d.manifest.id] else { return d.dueAt }
            return max(d.dueAt, ProcessLiveness.isOnThisHost(owner: b.holder) ? min(b.until, now.addingTimeInterval(10)) : b.until)
        }
        guard let next = dues.min() else { return settings.pollInterval }
        return min(settings.pollInterval, max(1, next.timeIntervalSince(now)))
    }
}
