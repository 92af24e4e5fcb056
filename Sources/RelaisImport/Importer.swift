import Foundation
import Logging
import RelaisFetch
import RelaisModel
import RelaisNormalize
import RelaisMerge
import RelaisSources
import RelaisStore

/// Runs sources: fetch the whole payload, read it, normalise every record,
/// validate, then hand the run to the store in one transaction. A failed fetch,
/// a parse error, a 304, a refused run: the store keeps exactly what it had,
/// and the run is recorded with its reason.
public struct Importer: Sendable {
    /// The run ledger (and the gazetteer, for La Poste's file): never a backend's type.
    public let store: any RunLedger & GeoStore
    public let data: DirectoryData
    public let fetcher: Fetcher
    public let clock: @Sendable () -> Date
    public let environment: [String: String]
    let logger: Logger

    public init(
        store: any RunLedger & GeoStore, data: DirectoryData, fetcher: Fetcher = Fetcher(), clock: @escaping @Sendable () -> Date = { Date() },
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "relais.import")
    ) {
        self.store = store
        self.data = data
        self.fetcher = fetcher
        self.clock = clock
        self.environment = environment
        self.logger = logger
    }

    /// This process, as runs and leases name it: `host:pid`.
    public static let processOwner = "\(ProcessLiveness.hostName):\(ProcessInfo.processInfo.processIdentifier)"

    /// The source of the curated national lines of `Directory/national.yml`.
    public static let nationalSourceID = "relais-national"

    /// The default share of rejected rows above which a whole run is refused.
    public static let defaultMaxRejectedShare = 0.5

    /// Runs one source. Never throws: every outcome is a ledger line.
    @discardableResult
    public func run(_ manifest: Manifest, trigger: String = "manual", progress: (@Sendable (String) -> Void)? = nil) async -> RunRecord {
        let started = clock()
        let runID: Int64
        do {
            runID = try await store.beginRun(source: manifest.registration, trigger: trigger, at: started, owner: Self.processOwner)
        } catch {
            return RunRecord(id: -1, sourceID: manifest.id, startedAt: "\(started)", status: .failed, message: "base de données : \(error)")
        }
        func finish(_ status: RunRecord.Status, _ message: String?, http: Int? = nil, issues: [RunIssue] = []) async -> RunRecord {
            logger.info("run \(runID) \(manifest.id): \(status.rawValue)\(message.map { " — \($0)" } ?? "")")
            return (try? await store.finishRun(runID, status: status, message: message, httpStatus: http, issues: issues, at: clock()))
                ?? RunRecord(id: runID, sourceID: manifest.id, startedAt: "\(started)", status: status, message: message)
        }
        guard let reader = Readers.reader(for: manifest.format) else {
            return await finish(.failed, "format « \(manifest.format) » inconnu")
        }
        let normalizer = RecordNormalizer(data: data, defaultKind: manifest.kind)
        let ctx = ReaderContext(manifest: manifest, normalizer: normalizer, now: started, environment: environment)
        let previous = try? await store.source(id: manifest.id)
        // Validators only when the store holds what they validate, and only for the URL, options
        // and mapping they were obtained with.
        var holdsContent = (previous?.listings ?? 0) > 0
        if !holdsContent, manifest.format == .laposte { holdsContent = ((try? await store.geoCommunes()) ?? nil) != nil }
        let useValidators = holdsContent && previous?.validatorKey == manifest.validatorKey
        progress?("\(manifest.id) : téléchargement de \(manifest.url)")
        let payload: Payload
        do {
            var configured = fetcher
            if manifest.options["timeout"] != nil || manifest.options["max_bytes"] != nil {
                var c = fetcher.configuration
                if let t = manifest.options["timeout"].flatMap(Double.init) { c.timeouts.total = t }
                if let b = manifest.options["max_bytes"].flatMap(Int.init) { c.maxBodyBytes = b }
                configured = Fetcher(configuration: c)
            }
            payload = try await reader.fetch(ctx, fetcher: configured, etag: useValidators ? previous?.etag : nil, lastModified: useValidators ? previous?.lastModified : nil)
        } catch where Task.isCancelled {
            return await finish(.interrupted, "arrêt demandé pendant le téléchargement : rien n’a été modifié")
        } catch let e as FetchError {
            return await finish(.failed, "téléchargement impossible, rien n’a été modifié : \(e.frenchDescription)", http: { if case .httpStatus(let s) = e.reason { return s } else { return nil } }())
        } catch {
            return await finish(.failed, "\(error)")
        }
        if payload.notModified {
            progress?("\(manifest.id) : inchangé (304)")
            return await finish(.unchanged, "source inchangée (304 Not Modified)", http: 304)
        }
        if Task.isCancelled { return await finish(.interrupted, "arrêt demandé avant l’application : rien n’a été modifié") }

        if manifest.format == .laposte {
            do {
                let (communes, parents) = try LaPosteReader().communes(payload, ctx)
                try await store.replaceGeoCommunes(communes, parents: parents)
                progress?("\(manifest.id) : \(communes.count) communes")
                let batch = ImportBatch(
                    source: manifest.registration, drafts: [], httpStatus: payload.httpStatus, etag: payload.etag, lastModified: payload.lastModified,
                    validatorKey: manifest.validatorKey, markMissingAsStale: false)
                guard var run = try? await store.applyRun(runID, batch: batch, at: clock()) else { return await finish(.success, nil) }
                run.message = "\(communes.count) communes importées (données géographiques)"
                return run
            } catch {
                return await finish(.failed, "\(error)", http: payload.httpStatus)
            }
        }

        let timing = environment["RELAIS_TIMING"] != nil
        var mark = Date()
        func lap(_ what: String) {
            guard timing else { return }
            print(String(format: "  %@ %.3f s", what, Date().timeIntervalSince(mark)))
            mark = Date()
        }
        lap("fetch")
        // Reading, normalising and writing overlap, a part at a time: the transaction opens now
        // and takes the drafts as they come; it is rolled back if the source cannot be read to
        // its end, if the producer refuses the run, or if it is stopped.
        let feed = RunFeed(window: 8, prepare: store.runPreparer)
        let producer = Producer(
            normalizer: normalizer, maxRejectedShare: manifest.doubleOption("max_rejected_share", default: Self.defaultMaxRejectedShare), feed: feed)
        Thread.detachNewThread {
            do {
                try reader.read(payload, ctx) { part in try producer.add(part) }
                producer.endOfSource()
            } catch {
                producer.fail("\(error)")
            }
        }
        do {
            let run = try await withTaskCancellationHandler {
                try await store.applyRun(
                    runID, source: manifest.registration, feed: feed, expectedRecords: payload.estimatedRecords, httpStatus: payload.httpStatus,
                    etag: payload.etag, lastModified: payload.lastModified, validatorKey: manifest.validatorKey, markMissingAsStale: nil, shrinkGuard: manifest.shrinkGuard, at: clock())
            } onCancel: {
                feed.stop()
            }
            lap("read, normalise and store")
            progress?("\(manifest.id) : " + [Text.count(run.added, "ajoutée"), Text.count(run.updated, "mise à jour", "mises à jour"), Text.count(run.unchanged, "inchangée"),
                                                Text.count(run.stale, "obsolète"), Text.count(run.rejected, "rejetée")].joined(separator: ", "))
            logger.info("run \(runID) \(manifest.id): \(run.status.rawValue) +\(run.added) ~\(run.updated) =\(run.unchanged) stale \(run.stale) rejected \(run.rejected)")
            return run
        } catch let refusal as RunNotApplied {
            return await finish(refusal.status, refusal.message, http: payload.httpStatus, issues: refusal.issues)
        } catch {
            feed.stop()
            return await finish(.failed, "écriture en base impossible, rien n’a été modifié — \(error)", http: payload.httpStatus, issues: producer.issuesSoFar)
        }
    }

    /// Normalises the records a reader hands over, part by part, into `feed`: the reading
    /// thread cuts them into numbered chunks of 1,000 and waits while a few are queued; workers
    /// (one per core) normalise them and add their drafts to the feed, which makes them wait when
    /// the writer is more than its window behind (so they never crowd the writer out for long). A run holds a few chunks in memory, whatever
    /// the size of the source. Once the source is read, the last worker out gives the verdict:
    /// apply, or refuse when more than `maxRejectedShare` of the rows were rejected, or fail
    /// when the source could not be read to its end, or interrupt when the feed was stopped.
    /// Antennas ("Antenne X du GEM Y") come last, linked to their parent listing once every
    /// name is known.
    final class Producer: @unchecked Sendable {
        static let chunkSize = 1000
        private let normalizer: RecordNormalizer
        private let maxRejectedShare: Double
        private let feed: RunFeed
        private let condition = NSCondition()
        private var queue: [(index: Int, records: [RawRecord])] = []
        private var nextIndex = 0
        private var pending: [RawRecord] = []
        private var readingDone = false
        private var failure: String?
        private var running: Int
        private var concluded = false
        // What the run keeps of its drafts: counts, issues, antennas, and the names antennas look for.
        private var issues: [RunIssue] = []
        private var antennas: [ListingDraft] = []
        private var parents: [Antennas.Candidate] = []
        private var listings = 0
        private var rejected = 0

        init(normalizer: RecordNormalizer, maxRejectedShare: Double, feed: RunFeed) {
            self.normalizer = normalizer
            self.maxRejectedShare = maxRejectedShare
            self.feed = feed
            let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
            running = workers
            // Threads of their own, not a shared queue: the writer waits for them while holding the
            // database, and they must never wait in line behind work that waits for the database.
            for _ in 0..<workers { Thread.detachNewThread { self.work() } }
        }

        /// The issues known so far (for a run that failed in the store).
        var issuesSoFar: [RunIssue] { condition.withLock { issues } }

        /// One part of the source, from the reading thread.
        func add(_ part: ReadResult) throws {
            condition.lock()
            defer { condition.unlock() }
            issues += part.issues
            rejected += part.issues.filter { $0.severity == .rejected }.count
            pending += part.records
            while pending.count >= Self.chunkSize {
                try enqueue(Array(pending.prefix(Self.chunkSize)))
                pending.removeFirst(Self.chunkSize)
            }
        }

        /// The source was read to its end.
        func endOfSource() {
            condition.lock()
            defer { condition.unlock() }
            if !pending.isEmpty { try? enqueue(pending) }
            pending = []
            readingDone = true
            condition.broadcast()
        }

        /// The source could not be read to its end: nothing of it is applied.
        func fail(_ message: String) {
            condition.lock()
            defer { condition.unlock() }
            failure = message
            pending = []
            queue = []
            readingDone = true
            condition.broadcast()
        }

        /// Queues a chunk (lock held), waiting while the workers have enough to do.
        private func enqueue(_ records: [RawRecord]) throws {
            while queue.count >= 4, !feed.isStopped { condition.wait(until: Date().addingTimeInterval(0.2)) }
            if feed.isStopped { throw CancellationError() }
            queue.append((nextIndex, records))
            nextIndex += 1
            condition.broadcast()
        }

        private func work() {
            let memo = RecordNormalizer.Memo()
            while true {
                condition.lock()
                while queue.isEmpty, !readingDone, !feed.isStopped { condition.wait(until: Date().addingTimeInterval(0.2)) }
                guard !queue.isEmpty, !feed.isStopped else {
                    running -= 1
                    let last = running == 0
                    condition.broadcast()
                    condition.unlock()
                    if last { conclude() }
                    return
                }
                let (index, records) = queue.removeFirst()
                condition.broadcast()
                condition.unlock()
                var drafts: [ListingDraft] = []
                var chunkIssues: [RunIssue] = []
                var chunkAntennas: [ListingDraft] = []
                var names: [Antennas.Candidate] = []
                drafts.reserveCapacity(records.count)
                for record in records {
                    switch normalizer.normalize(record, memo: memo) {
                    case .listing(let draft, let warnings):
                        chunkIssues += warnings
                        if draft.content.name.prefix(7).lowercased() == "antenne" {
                            chunkAntennas.append(draft)
                        } else {
                            names.append(Antennas.Candidate(draft))
                            drafts.append(draft)
                        }
                    case .rejected(let issue):
                        chunkIssues.append(issue)
                    }
                }
                condition.withLock {
                    issues += chunkIssues
                    rejected += chunkIssues.filter { $0.severity == .rejected }.count
                    antennas += chunkAntennas
                    parents += names
                    listings += drafts.count + chunkAntennas.count
                }
                feed.add(drafts, chunk: index)
            }
        }

        /// The verdict, once every worker is out.
        private func conclude() {
            condition.lock()
            guard !concluded else { return condition.unlock() }
            concluded = true
            let chunks = nextIndex
            let (issues, failure, listings, rejected) = (self.issues, self.failure, self.listings, self.rejected)
            var antennas = self.antennas
            let parents = self.parents
            self.parents = []
            condition.unlock()
            if feed.isStopped {
                feed.finish(chunks: chunks + 1, verdict: .interrupt(message: "arrêt demandé avant l’application : rien n’a été modifié", issues: issues))
                return
            }
            if let failure {
                feed.finish(chunks: chunks + 1, verdict: .fail(message: failure, issues: issues))
                return
            }
            Antennas.link(&antennas, to: parents)
            feed.add(antennas, chunk: chunks)
            let total = listings + rejected
            if total > 0, Double(rejected) / Double(total) > maxRejectedShare {
                feed.finish(chunks: chunks + 1, verdict: .refuse(
                    message: "\(rejected) enregistrements rejetés sur \(total) (plus de \(Int(maxRejectedShare * 100)) %) : exécution refusée, rien n’a été modifié",
                    issues: issues))
            } else {
                feed.finish(chunks: chunks + 1, verdict: .apply(issues: issues))
            }
        }
    }

    /// Loads and runs the curated national entries of `Directory/national.yml`
    /// (source `relais-national`, priority 100) when they changed.
    @discardableResult
    public func syncNational() async -> RunRecord? {
        let registration = SourceRegistration(
            id: Self.nationalSourceID, title: "Lignes nationales (Directory/national.yml)", url: "Directory/national.yml", format: "relais",
            priority: 100, demo: false, staleAfterRuns: 0, manifest: nil)
        let hash = Text.hash(data.nationalText)
        if let s = try? await store.source(id: registration.id), s.etag == hash, s.listings > 0 { return nil }
        let normalizer = RecordNormalizer(data: data, defaultKind: nil)
        var drafts: [ListingDraft] = []
        var issues: [RunIssue] = []
        for line in data.nationalLines {
            var r = RawRecord(item: line.key)
            r.id = line.key
            r.name = line.name
            r.kind = line.kind
            r.description = line.description
            r.phones = line.phones ?? []
            r.emails = line.email.map { [$0] } ?? []
            r.website = line.website
            r.audiences = line.audiences ?? []
            r.needs = line.needs ?? []
            r.openingHours = line.opening_hours
            r.virtual = true
            switch normalizer.normalize(r) {
            case .listing(let d, let w):
                drafts.append(d)
                issues += w
            case .rejected(let i): issues.append(i)
            }
        }
        do {
            let now = clock()
            let id = try await store.beginRun(source: registration, trigger: "directory", at: now, owner: Self.processOwner)
            return try await store.applyRun(id, batch: ImportBatch(source: registration, drafts: drafts, issues: issues, etag: hash), at: now)
        } catch {
            logger.error("national entries: \(error)")
            return nil
        }
    }
}
