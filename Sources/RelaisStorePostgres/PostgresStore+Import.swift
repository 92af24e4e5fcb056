import Foundation
import RelaisMerge
import RelaisModel
import RelaisNormalize
import RelaisStore

/// The run ledger on PostgreSQL: the same decisions as SQLite's (``RunPlanner``,
/// ``ListingRecompute``), the same rows. A run is one transaction holding the listings' advisory
/// lock: two instances never apply runs at once, and one that dies mid-run leaves nothing
/// half-written (PostgreSQL rolls its transaction back when the connection drops).
extension PostgresStore {
    static let runColumns = """
        id, source_id, iso(started_at) AS started_at, iso(ended_at) AS ended_at, status, trigger, http_status, etag, last_modified, \
        records, added, updated, unchanged, stale, removed, rejected, message, owner
        """

    static let sourceColumns = """
        id, title, url, format, etag, last_modified, iso(last_success_at) AS last_success_at, iso(last_failure_at) AS last_failure_at, \
        last_error, consecutive_failures, iso(next_run_at) AS next_run_at, lease_owner, iso(lease_expires_at) AS lease_expires_at, \
        validator_key, held_run_id, iso(shrink_accepted_at) AS shrink_accepted_at, consecutive_empty
        """

    static func upsertSource(_ c: PGConnection, _ s: SourceRegistration) throws {
        try c.query("""
            INSERT INTO source (id, title, url, format, manifest) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO UPDATE SET title = excluded.title, url = excluded.url, format = excluded.format, manifest = excluded.manifest
            """, [s.id, s.title, s.url, s.format, s.manifest])
    }

    public func beginRun(source: SourceRegistration, trigger: String, at: Date, owner: String? = nil) throws -> Int64 {
        try pool.write { c in
            try Self.upsertSource(c, source)
            return try c.query(
                "INSERT INTO run (source_id, started_at, status, trigger, owner) VALUES ($1, $2, 'running', $3, $4) RETURNING id",
                [source.id, Self.iso(at), trigger, owner]).first?.int64("id") ?? 0
        }
    }

    public func runningRuns() throws -> [(id: Int64, sourceID: String, owner: String?)] {
        try pool.read { c in
            try c.query("SELECT id, source_id, owner FROM run WHERE status = 'running'").rows.map { ($0.int64("id") ?? 0, $0.text("source_id"), $0.string("owner")) }
        }
    }

    public func closeAbandonedRuns(_ ids: [Int64], at: Date) throws {
        guard !ids.isEmpty else { return }
        try pool.write { c in
            try c.query(
                "UPDATE run SET status = 'interrupted', ended_at = $1, message = 'processus arrêté pendant l’exécution (signal ou arrêt brutal) : rien n’a été appliqué' WHERE id = ANY($2::bigint[]) AND status = 'running'",
                [Self.iso(at), PGTextArray(ids.map(String.init))])
        }
    }

    @discardableResult
    public func recordManifestProblem(sourceID: String, message: String, at: Date) throws -> Bool {
        func alreadySaid(_ c: PGConnection) throws -> Bool {
            guard try c.query("SELECT 1 AS x FROM source WHERE id = $1", [sourceID]).count == 1 else { return true }
            guard let last = try c.query("SELECT status, message FROM run WHERE source_id = $1 ORDER BY id DESC LIMIT 1", [sourceID]).first else { return false }
            return last.text("status") == "failed" && last.string("message") == message
        }
        if try pool.read(alreadySaid) { return false }
        return try pool.write { c in
            try c.query("SELECT 1 AS x FROM source WHERE id = $1 FOR UPDATE", [sourceID])
            if try alreadySaid(c) { return false }
            let now = Self.iso(at)
            let id = try c.query(
                "INSERT INTO run (source_id, started_at, ended_at, status, trigger, message) VALUES ($1, $2, $2, 'failed', 'manifeste', $3) RETURNING id",
                [sourceID, now, message]).first?.int64("id")
            try c.query(
                "UPDATE source SET last_run_id = $1, last_failure_at = $2, last_error = $3, consecutive_failures = consecutive_failures + 1 WHERE id = $4",
                [id, now, message, sourceID])
            return true
        }
    }

    public func acceptShrink(sourceID: String, at: Date) throws {
        try pool.write { c in try c.query("UPDATE source SET shrink_accepted_at = $1 WHERE id = $2", [Self.iso(at), sourceID]) }
    }

    public func rejectShrink(sourceID: String) throws {
        try pool.write { c in try c.query("UPDATE source SET held_run_id = NULL, shrink_accepted_at = NULL WHERE id = $1", [sourceID]) }
    }

    public func finishRun(_ runID: Int64, status: RunRecord.Status, message: String?, httpStatus: Int?, issues: [RunIssue], at: Date) throws -> RunRecord {
        try pool.write { c in
            let now = Self.iso(at)
            try Self.insertIssues(c, runID, issues)
            let rejected = issues.filter { $0.severity == .rejected }.count
            let sourceID = try c.query(
                "UPDATE run SET ended_at = $1, status = $2, message = $3, http_status = $4, rejected = $5 WHERE id = $6 RETURNING source_id",
                [now, status.rawValue, message, httpStatus, rejected, runID]).first?.text("source_id") ?? ""
            switch status {
            case .interrupted:
                try c.query("UPDATE source SET last_run_id = $1 WHERE id = $2", [runID, sourceID])
            case .failed, .refused:
                try c.query(
                    "UPDATE source SET last_run_id = $1, last_failure_at = $2, last_error = $3, consecutive_failures = consecutive_failures + 1 WHERE id = $4",
                    [runID, now, message, sourceID])
            case .held:
                try c.query("UPDATE source SET last_run_id = $1, held_run_id = $1, last_success_at = $2 WHERE id = $3", [runID, now, sourceID])
            default:
                try c.query(
                    "UPDATE source SET last_run_id = $1, last_success_at = $2, last_error = NULL, consecutive_failures = 0 WHERE id = $3",
                    [runID, now, sourceID])
                if status == .unchanged { try Self.markVerified(c, sourceID: sourceID, day: String(now.prefix(10))) }
            }
            return try Self.requireRun(c, runID)
        }
    }

    /// Everything a source still lists is verified on `day`.
    static func markVerified(_ c: PGConnection, sourceID: String, day: String) throws {
        try c.query("""
            UPDATE service SET last_verified = $1 WHERE id IN (SELECT service_id FROM source_record WHERE source_id = $2 AND missing_runs = 0)
              AND (last_verified IS NULL OR last_verified < $1)
            """, [day, sourceID])
    }

    static func insertIssues(_ c: PGConnection, _ runID: Int64, _ issues: [RunIssue]) throws {
        guard !issues.isEmpty else { return }
        for chunk in stride(from: 0, to: issues.count, by: 5000).map({ issues[$0..<min($0 + 5000, issues.count)] }) {
            try c.query("""
                INSERT INTO run_issue (run_id, item, field, reason, severity)
                SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(item, field, reason, severity, n) ORDER BY n
                """.replacingOccurrences(of: "SELECT $1, *", with: "SELECT $1, u.item, u.field, u.reason, u.severity"),
                [runID, PGTextArray(chunk.map(\.item)), PGTextArray(chunk.map(\.field)), PGTextArray(chunk.map(\.reason)), PGTextArray(chunk.map(\.severity.rawValue))])
        }
    }

    static func runRecord(_ row: PGRow) -> RunRecord {
        RunRecord(
            id: row.int64("id") ?? 0, sourceID: row.text("source_id"), startedAt: row.text("started_at"), endedAt: row.string("ended_at"),
            status: RunRecord.Status(rawValue: row.text("status")) ?? .failed, trigger: row.string("trigger"), httpStatus: row.int("http_status"),
            etag: row.string("etag"), lastModified: row.string("last_modified"), records: row.int("records") ?? 0, added: row.int("added") ?? 0,
            updated: row.int("updated") ?? 0, unchanged: row.int("unchanged") ?? 0, stale: row.int("stale") ?? 0, removed: row.int("removed") ?? 0,
            rejected: row.int("rejected") ?? 0, message: row.string("message"))
    }

    static func requireRun(_ c: PGConnection, _ runID: Int64) throws -> RunRecord {
        guard let row = try c.query("SELECT \(runColumns) FROM run WHERE id = $1", [runID]).first else {
            throw RelaisError(.notFound, "exécution n° \(runID) introuvable")
        }
        return runRecord(row)
    }

    // MARK: Sources and runs

    public func sources() throws -> [SourceState] {
        try pool.read { c in try c.query("SELECT \(Self.sourceColumns) FROM source ORDER BY id COLLATE \"C\"").rows.map { try Self.sourceState($0, c) } }
    }

    public func schedulingStates() throws -> [SourceState] {
        try pool.read { c in try c.query("SELECT \(Self.sourceColumns) FROM source ORDER BY id COLLATE \"C\"").rows.map { Self.sourceState($0, listings: 0, lastRun: nil) } }
    }

    public func source(id: String) throws -> SourceState? {
        try pool.read { c in try c.query("SELECT \(Self.sourceColumns) FROM source WHERE id = $1", [id]).first.map { try Self.sourceState($0, c) } }
    }

    static func sourceState(_ row: PGRow, _ c: PGConnection) throws -> SourceState {
        let id = row.text("id")
        let last = try c.query("SELECT \(runColumns) FROM run WHERE source_id = $1 ORDER BY id DESC LIMIT 1", [id]).first.map(runRecord)
        let count = try c.query("SELECT COUNT(DISTINCT service_id) AS n FROM source_record WHERE source_id = $1", [id]).first?.int("n") ?? 0
        return sourceState(row, listings: count, lastRun: last)
    }

    static func sourceState(_ row: PGRow, listings: Int, lastRun: RunRecord?) -> SourceState {
        SourceState(
            id: row.text("id"), title: row.text("title"), url: row.text("url"), format: row.text("format"), etag: row.string("etag"),
            lastModified: row.string("last_modified"), lastSuccessAt: row.string("last_success_at"), lastFailureAt: row.string("last_failure_at"),
            lastError: row.string("last_error"), consecutiveFailures: row.int("consecutive_failures") ?? 0, nextRunAt: row.string("next_run_at"),
            leaseOwner: row.string("lease_owner"), leaseExpiresAt: row.string("lease_expires_at"), listings: listings, lastRun: lastRun,
            validatorKey: row.string("validator_key"), heldRunID: row.int64("held_run_id"), shrinkAcceptedAt: row.string("shrink_accepted_at"),
            consecutiveEmpty: row.int("consecutive_empty") ?? 0)
    }

    public func runs(sourceID: String?, limit: Int) throws -> [RunRecord] {
        try pool.read { c in
            if let sourceID {
                return try c.query("SELECT \(Self.runColumns) FROM run WHERE source_id = $1 ORDER BY id DESC LIMIT $2", [sourceID, limit]).rows.map(Self.runRecord)
            }
            return try c.query("SELECT \(Self.runColumns) FROM run ORDER BY id DESC LIMIT $1", [limit]).rows.map(Self.runRecord)
        }
    }

    public func run(id: Int64) throws -> RunRecord? {
        try pool.read { c in try c.query("SELECT \(Self.runColumns) FROM run WHERE id = $1", [id]).first.map(Self.runRecord) }
    }

    public func issues(runID: Int64) throws -> [RunIssue] {
        try pool.read { c in
            try c.query("SELECT item, field, reason, severity FROM run_issue WHERE run_id = $1 ORDER BY id", [runID]).rows.map {
                RunIssue(item: $0.string("item"), field: $0.string("field"), reason: $0.text("reason"), severity: RunIssue.Severity(rawValue: $0.text("severity")) ?? .warning)
            }
        }
    }

    /// Changes, newest first: the change log, plus the listings each run added.
    public func changes(runID: Int64?, since: String?, until: String? = nil, sourceID: String? = nil, serviceID: String? = nil, limit: Int) throws -> [ChangeRecord] {
        try pool.read { c in
            var conditions: [String] = []
            var p = PGParameters()
            func bind(_ value: any PGBindable) -> String { p.bind(value) }
            if let runID { conditions.append("run_id = \(bind(runID))") }
            if let since { conditions.append("at >= \(bind(since))::timestamptz") }
            if let until { conditions.append("at <= \(bind(until.count == 10 ? until + "T23:59:59Z" : until))::timestamptz") }
            if let sourceID { conditions.append("source_id = \(bind(sourceID))") }
            if let serviceID { conditions.append("service_id = \(bind(serviceID))") }
            let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let firstRun = runID.map { "AND sr.first_seen_run = \(bind($0))" } ?? ""
            let sql = """
                SELECT id, iso(at) AS at, run_id, source_id, actor, service_id, service_name, action, field, before, after FROM (
                    SELECT id, at, run_id, source_id, actor, service_id, service_name, action, field, before, after FROM change
                    UNION ALL
                    SELECT 0 AS id, r.ended_at AS at, sr.first_seen_run AS run_id, sr.source_id, NULL AS actor, sr.service_id,
                           s.name AS service_name, 'added' AS action, NULL AS field, NULL AS before, NULL AS after
                    FROM source_record sr JOIN service s ON s.id = sr.service_id JOIN run r ON r.id = sr.first_seen_run
                    WHERE NOT EXISTS (SELECT 1 FROM source_record o WHERE o.service_id = sr.service_id AND o.first_seen_run < sr.first_seen_run)
                      \(firstRun)
                ) x \(whereSQL) ORDER BY at DESC NULLS LAST, id DESC LIMIT \(bind(limit))
                """
            return try c.query(sql, p.values).rows.map {
                ChangeRecord(
                    id: $0.int64("id") ?? 0, at: $0.text("at"), runID: $0.int64("run_id"), sourceID: $0.string("source_id"), actor: $0.string("actor"),
                    serviceID: $0.text("service_id"), serviceName: $0.string("service_name"), action: $0.text("action"), field: $0.string("field"),
                    before: $0.string("before"), after: $0.string("after"))
            }
        }
    }

    // MARK: Applying a run

    public func applyRun(_ runID: Int64, batch: ImportBatch, at: Date) throws -> RunRecord {
        try applyRun(
            runID, source: batch.source, feed: RunFeed(drafts: batch.drafts, verdict: .apply(issues: batch.issues), prepare: Self.prepareRows),
            expectedRecords: batch.drafts.count, httpStatus: batch.httpStatus, etag: batch.etag, lastModified: batch.lastModified,
            validatorKey: batch.validatorKey, markMissingAsStale: batch.markMissingAsStale, at: at)
    }

    public var runPreparer: @Sendable (ListingContent, ListingFingerprint) -> (any Sendable)? { Self.prepareRows }

    public static let prepareRows: @Sendable (ListingContent, ListingFingerprint) -> (any Sendable)? = { content, fingerprint in
        ServiceRows(content, fingerprint: fingerprint)
    }

    static func rows(_ item: PreparedDraft) -> ServiceRows {
        (item.prepared as? ServiceRows) ?? ServiceRows(item.draft.content, fingerprint: item.fingerprint)
    }

    /// Applies a run whose drafts arrive while its transaction is open. Throws ``RunNotApplied``
    /// (after rolling back) when the run is refused, interrupted or held.
    public func applyRun(
        _ runID: Int64, source: SourceRegistration, feed: RunFeed, expectedRecords: Int, httpStatus: Int?, etag: String?, lastModified: String?,
        validatorKey: String? = nil, markMissingAsStale: Bool? = nil, shrinkGuard: ShrinkGuard? = nil, at: Date
    ) throws -> RunRecord {
        try pool.write { c in
            try Self.lock(c, .listings)
            let now = Self.iso(at)
            try Self.upsertSource(c, source)
            var existing: [String: RunPlanner.Existing] = [:]
            for row in try c.query("SELECT record_key, service_id, hash, missing_runs FROM source_record WHERE source_id = $1", [source.id]).rows {
                existing[row.text("record_key")] = RunPlanner.Existing(serviceID: row.text("service_id"), hash: row.text("hash"), missingRuns: row.int("missing_runs") ?? 0)
            }
            var planner = RunPlanner(source: source, existing: existing)
            var counts = (added: 0, updated: 0, unchanged: 0, stale: 0, removed: 0)
            let freshProvenance = JSONText.provenance(["*": FieldOrigin(source: source.id, at: now)])
            let freshSources = JSONText.strings([source.id])
            let today = String(now.prefix(10))
            let records = RecordWriter(source: source, runID: runID, now: now)
            let fresh = NewListings(provenanceJSON: freshProvenance, sourcesJSON: freshSources, lastVerified: today, demo: source.demo, now: now)
            func writeNew(_ id: String, _ content: ListingContent, _ rows: ServiceRows, parentID: String?) throws {
                fresh.add(id: id, content: content, rows: rows, parentID: parentID)
                counts.added += 1
            }
            var waiting: [(id: String, item: PreparedDraft)] = []
            let twins = try TwinLookup(c, excludingSource: source.id)
            while let chunk = feed.nextChunk() {
                for index in chunk.indices {
                    let key = chunk[index].draft.key
                    let fingerprint = chunk[index].fingerprint
                    let decision = try planner.decide(key: key, hash: fingerprint.hash, content: chunk[index].draft.content) { content in
                        try twins.find(c, content, keys: fingerprint.keys, excluding: records.pendingServices)
                    }
                    switch decision {
                    case .duplicate:
                        continue
                    case .seen(_, let restored):
                        records.seen(key)
                        if !restored { counts.unchanged += 1 }
                    case .updated:
                        try c.query(
                            "UPDATE source_record SET draft = $1, hash = $2, fetched_at = $3, last_seen_run = $4, missing_runs = 0, priority = $5, demo = $6 WHERE source_id = $7 AND record_key = $8",
                            [fingerprint.json, fingerprint.hash, now, runID, source.priority, source.demo, source.id, key])
                    case .joined(let twin):
                        records.insert(key: key, serviceID: twin, draft: fingerprint.json, hash: fingerprint.hash)
                    case .created(let serviceID):
                        records.insert(key: key, serviceID: serviceID, draft: nil, hash: fingerprint.hash)
                        if chunk[index].draft.content.parentKey == nil {
                            try writeNew(serviceID, chunk[index].draft.content, Self.rows(chunk[index]), parentID: nil)
                        } else {
                            waiting.append((serviceID, chunk[index]))
                        }
                    }
                }
                try records.flush(c)
                try fresh.flush(c)
            }
            let issues: [RunIssue]
            switch feed.finalVerdict() {
            case .apply(let i): issues = i
            case .refuse(let message, let i): throw RunNotApplied(status: .refused, message: message, issues: i)
            case .interrupt(let message, let i): throw RunNotApplied(status: .interrupted, message: message, issues: i)
            case .fail(let message, let i): throw RunNotApplied(status: .failed, message: message, issues: i)
            }
            for (id, item) in waiting {
                let parent = try c.query("SELECT service_id FROM source_record WHERE source_id = $1 AND record_key = $2", [source.id, item.draft.content.parentKey])
                try writeNew(id, item.draft.content, Self.rows(item), parentID: parent.first?.string("service_id"))
            }
            try fresh.flush(c)

            let markMissing = markMissingAsStale ?? !planner.seen.isEmpty
            let accepted = try c.query("SELECT shrink_accepted_at FROM source WHERE id = $1", [source.id]).first?.string("shrink_accepted_at") != nil
            if markMissing, !accepted, let message = planner.held(by: shrinkGuard) {
                throw RunNotApplied(status: .held, message: message, issues: issues)
            }
            if markMissing {
                let (missing, removed) = try planner.vanished { id in
                    try c.query("SELECT pinned FROM service WHERE id = $1", [id]).first?.flag("pinned") ?? false
                }
                for v in missing {
                    try c.query("UPDATE source_record SET missing_runs = $1 WHERE source_id = $2 AND record_key = $3", [v.missingRuns, source.id, v.key])
                }
                for v in removed {
                    try c.query("DELETE FROM source_record WHERE source_id = $1 AND record_key = $2", [source.id, v.key])
                }
            }
            for id in planner.touched {
                switch try Self.recompute(c, serviceID: id, runID: runID, sourceID: source.id, actor: nil, now: now) {
                case .removed: counts.removed += 1
                case .becameStale: counts.stale += 1
                case .unchanged: counts.unchanged += 1
                case .written: counts.updated += 1
                }
            }
            try Self.insertIssues(c, runID, issues)
            if counts.added + counts.updated + counts.stale + counts.removed > 0 || !planner.touched.isEmpty { try Self.bumpVersion(c) }
            let seen = planner.seen
            let status: RunRecord.Status = seen.isEmpty ? .empty : .success
            let rejected = issues.filter { $0.severity == .rejected }.count
            try c.query("""
                UPDATE run SET ended_at = $1, status = $2, http_status = $3, etag = $4, last_modified = $5, records = $6, added = $7, updated = $8,
                unchanged = $9, stale = $10, removed = $11, rejected = $12, message = $13 WHERE id = $14
                """, [
                    now, status.rawValue, httpStatus, etag, lastModified, seen.count, counts.added, counts.updated, counts.unchanged, counts.stale,
                    counts.removed, rejected, seen.isEmpty ? "Aucun enregistrement dans la source : rien n’a été marqué obsolète." : nil, runID,
                ])
            try c.query("""
                UPDATE source SET etag = $1, last_modified = $2, validator_key = $3, last_run_id = $4, last_success_at = $5, last_error = NULL,
                consecutive_failures = 0, held_run_id = NULL, shrink_accepted_at = NULL,
                consecutive_empty = CASE WHEN $6::boolean THEN consecutive_empty + 1 ELSE 0 END WHERE id = $7
                """, [etag, lastModified, validatorKey, runID, now, seen.isEmpty ? "true" : "false", source.id])
            if counts.unchanged > 0 || counts.stale > 0 { try Self.markVerified(c, sourceID: source.id, day: today) }
            return try Self.requireRun(c, runID)
        }
    }

    /// Source records of a run, written a chunk at a time (one statement per chunk, not per record).
    final class RecordWriter {
        let source: SourceRegistration
        let runID: Int64
        let now: String
        private var inserts: [(key: String, serviceID: String, draft: String?, hash: String)] = []
        private var seenKeys: [String] = []
        /// The listings of records not yet written: already this source's, so never its twins.
        private(set) var pendingServices: Set<String> = []

        init(source: SourceRegistration, runID: Int64, now: String) {
            (self.source, self.runID, self.now) = (source, runID, now)
        }

        func insert(key: String, serviceID: String, draft: String?, hash: String) {
            inserts.append((key, serviceID, draft, hash))
            pendingServices.insert(serviceID)
        }
        func seen(_ key: String) { seenKeys.append(key) }

        func flush(_ c: PGConnection) throws {
            if !inserts.isEmpty {
                try c.query("""
                    INSERT INTO source_record (source_id, record_key, service_id, priority, demo, draft, hash, fetched_at, first_seen_run, last_seen_run, missing_runs)
                    SELECT $1, u.k, u.s, $2, $3, u.d, u.h, $4::timestamptz, $5, $5, 0 FROM unnest($6::text[], $7::text[], $8::text[], $9::text[]) AS u(k, s, d, h)
                    """, [
                        source.id, source.priority, source.demo, now, runID, PGTextArray(inserts.map(\.key)), PGTextArray(inserts.map(\.serviceID)),
                        PGTextArray(inserts.map(\.draft)), PGTextArray(inserts.map(\.hash)),
                    ])
                inserts.removeAll(keepingCapacity: true)
                pendingServices.removeAll(keepingCapacity: true)
            }
            if !seenKeys.isEmpty {
                try c.query(
                    "UPDATE source_record SET fetched_at = $1, last_seen_run = $2, missing_runs = 0 WHERE source_id = $3 AND record_key = ANY($4::text[])",
                    [now, runID, source.id, PGTextArray(seenKeys)])
                seenKeys.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The listings a run creates from one record each, written a chunk at a time: one statement
    /// per table for a chunk (1,000 listings), not one per listing and table. What is the same
    /// for the whole run (provenance, sources, dates) is bound once.
    final class NewListings {
        let provenanceJSON: String
        let sourcesJSON: String
        let lastVerified: String
        let demo: Bool
        let now: String
        private var pending: [(id: String, content: ListingContent, rows: ServiceRows, parentID: String?)] = []

        init(provenanceJSON: String, sourcesJSON: String, lastVerified: String, demo: Bool, now: String) {
            (self.provenanceJSON, self.sourcesJSON, self.lastVerified, self.demo, self.now) = (provenanceJSON, sourcesJSON, lastVerified, demo, now)
        }

        func add(id: String, content: ListingContent, rows: ServiceRows, parentID: String?) {
            pending.append((id, content, rows, parentID))
        }

        func flush(_ c: PGConnection) throws {
            guard !pending.isEmpty else { return }
            defer { pending.removeAll(keepingCapacity: true) }
            let p = pending
            func texts(_ f: ((id: String, content: ListingContent, rows: ServiceRows, parentID: String?)) -> String?) -> PGTextArray { PGTextArray(p.map(f)) }
            let orgs = p.compactMap { l in l.rows.organizationID.flatMap { id in l.content.organization.map { (id, $0) } } }
            if !orgs.isEmpty {
                try c.query(
                    "INSERT INTO organization (id, name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
                    [PGTextArray(orgs.map(\.0)), PGTextArray(orgs.map(\.1))])
            }
            try c.query("""
                INSERT INTO service (organization_id, name, alternate_name, description, url, email, status, fees_description,
                eligibility_description, application_process, kind, needs, audiences, modalities, opening_hours, schedule_text,
                postal_code, insee, departement, latitude, longitude, parent_id, content, flags, search_name, search_organization, search_place,
                search_body, id, demo, stale, last_verified, provenance, sources, updated_at, created_at)
                SELECT u.org, u.name, u.alt, u.descr, u.url, u.email, u.status, u.fees, u.elig, u.appl, u.kind, u.needs, u.aud, u.moda, u.oh, u.st,
                       u.pc, u.insee, u.dep, u.lat::float8, u.lon::float8, u.parent, u.content, u.flags, u.sn, u.so, u.sp, u.sb, u.id,
                       $30, 0, $31, $32, $33, $34::timestamptz, $34::timestamptz
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                            $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[],
                            $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::text[], $28::text[], $29::text[])
                     AS u(org, name, alt, descr, url, email, status, fees, elig, appl, kind, needs, aud, moda, oh, st, pc, insee, dep, lat, lon, parent,
                          content, flags, sn, so, sp, sb, id)
                """, [
                    texts(\.rows.organizationID), texts(\.content.name), texts(\.content.alternateName), texts(\.content.description),
                    texts(\.content.website), texts { $0.content.emails.first }, texts(\.content.status.hsdsValue), texts(\.content.fees),
                    texts(\.content.eligibility), texts(\.content.registration), texts(\.content.kind.rawValue), texts(\.rows.needs),
                    texts(\.rows.audiences), texts(\.rows.modalities), texts(\.rows.openingHours), texts(\.content.scheduleText),
                    texts { $0.content.address?.postalCode }, texts { $0.content.address?.insee }, texts { $0.content.address?.departement },
                    texts { $0.content.point?.latitude.pgText }, texts { $0.content.point?.longitude.pgText }, texts(\.parentID), texts(\.rows.json),
                    texts(\.rows.flags), texts(\.rows.ftsName), texts(\.rows.ftsOrganization), texts(\.rows.ftsPlace), texts(\.rows.ftsBody), texts(\.id),
                    demo, lastVerified, provenanceJSON, sourcesJSON, now,
                ])
            var schedule: [[String?]] = Array(repeating: [], count: 15)
            for l in p {
                for (n, row) in l.rows.schedule.enumerated() {
                    let values: [String?] = [
                        "\(l.id)-s\(n)", l.id, row.freq, row.interval.map(String.init), row.byday, row.bymonth, row.dtstart, row.until,
                        row.count.map(String.init), row.opensAt, row.closesAt, row.validFrom, row.openingHours, row.closed ? "1" : "0",
                        l.content.scheduleText,
                    ]
                    for k in values.indices { schedule[k].append(values[k]) }
                }
            }
            if schedule.contains(where: { !$0.isEmpty }) {
                // The zone of each row's listing: one text per row, as the other columns.
                let zones = p.flatMap { l in Array(repeating: l.content.zone.identifier, count: l.rows.schedule.count) }
                try c.query("""
                    INSERT INTO schedule (id, service_id, freq, interval, byday, bymonth, dtstart, until, count, opens_at, closes_at, valid_from, valid_to,
                    opening_hours, closed, description, timezone_name)
                    SELECT u.id, u.sid, u.freq, u.iv::integer, u.byday, u.bymonth, u.dtstart, u.until, u.cnt::integer, u.opens, u.closes, u.vfrom, u.until,
                           u.oh, u.closed::integer, u.descr, u.zone
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                                $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
                         AS u(id, sid, freq, iv, byday, bymonth, dtstart, until, cnt, opens, closes, vfrom, oh, closed, descr, zone)
                    """, schedule.map { PGTextArray($0) } + [PGTextArray(zones)])
            }
            for l in p where !l.content.sessions.isEmpty {
                try PostgresStore.writeSessions(c, id: l.id, content: l.content)
            }
            let keys = p.flatMap { l in Set(l.rows.keys).map { ($0, l.id) } }
            if !keys.isEmpty {
                try c.query(
                    "INSERT INTO service_key (key, service_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
                    [PGTextArray(keys.map(\.0)), PGTextArray(keys.map(\.1))])
            }
        }
    }

    /// The listings of other sources holding an identity key.
    /// When other sources hold few keys (a large source beside a few small ones), those keys
    /// are read once, and a record none of whose keys is among them needs no lookup.
    struct TwinLookup {
        let sourceID: String
        let empty: Bool
        /// Every key that listings of other sources hold, when there are at most `preloadLimit`.
        let othersKeys: Set<String>?
        static let preloadLimit = 50_000

        init(_ c: PGConnection, excludingSource sourceID: String) throws {
            self.sourceID = sourceID
            empty = try c.query("SELECT 1 AS x FROM source_record WHERE source_id <> $1 LIMIT 1", [sourceID]).count == 0
            if empty {
                othersKeys = []
            } else {
                let others = try c.query("""
                    SELECT k.key FROM source_record r JOIN service_key k ON k.service_id = r.service_id WHERE r.source_id <> $1 LIMIT $2
                    """, [sourceID, Self.preloadLimit + 1]).rows.map { $0.text("key") }
                othersKeys = others.count > Self.preloadLimit ? nil : Set(others)
            }
        }

        /// `excluding`: listings this run's unwritten records belong to (SQLite writes each record
        /// at once; here they go a chunk at a time).
        func find(_ c: PGConnection, _ content: ListingContent, keys: [String], excluding pending: Set<String>) throws -> String? {
            guard !empty else { return nil }
            if let othersKeys, !keys.contains(where: othersKeys.contains) { return nil }
            return try TwinChoice.choose(content, keys: keys) { key in
                try c.query("""
                    SELECT k.service_id, s.kind FROM service_key k JOIN service s ON s.id = k.service_id
                    WHERE k.key = $1 AND NOT EXISTS (SELECT 1 FROM source_record r WHERE r.service_id = k.service_id AND r.source_id = $2)
                    """, [key, sourceID]).rows.map { (serviceID: $0.text("service_id"), kind: $0.text("kind")) }.filter { !pending.contains($0.serviceID) }
            }
        }
    }

    enum Outcome { case written, unchanged, becameStale, removed }

    /// Rebuilds a listing from what every source says of it and its curated edits.
    @discardableResult
    static func recompute(_ c: PGConnection, serviceID id: String, runID: Int64?, sourceID: String?, actor: String?, now: String) throws -> Outcome {
        let old = try c.query("SELECT name, content, stale, pinned, hidden, iso(admin_verified_at) AS admin_verified_at, iso(created_at) AS created_at FROM service WHERE id = $1", [id]).first
        if let content = old?.string("content") {
            try c.query("UPDATE source_record SET draft = $1 WHERE service_id = $2 AND draft IS NULL", [content, id])
        }
        let records = try c.query(
            "SELECT source_id, priority, demo, draft, iso(fetched_at) AS fetched_at, missing_runs FROM source_record WHERE service_id = $1 ORDER BY source_id COLLATE \"C\", record_key COLLATE \"C\"",
            [id]).rows.map {
                ListingRecompute.Record(
                    sourceID: $0.text("source_id"), priority: $0.int("priority") ?? 0, demo: $0.flag("demo"), draftJSON: $0.string("draft") ?? "{}",
                    fetchedAt: $0.text("fetched_at"), missingRuns: $0.int("missing_runs") ?? 0)
            }
        let curations = try c.query("SELECT field, value, iso(at) AS at FROM curation WHERE service_id = $1 ORDER BY field COLLATE \"C\"", [id]).rows
            .map { ListingRecompute.Curation(field: $0.text("field"), valueJSON: $0.text("value"), at: $0.text("at")) }
        let current = old.map {
            ListingRecompute.Current(name: $0.text("name"), contentJSON: $0.text("content"), stale: $0.flag("stale"), pinned: $0.flag("pinned"), adminVerifiedAt: $0.string("admin_verified_at"))
        }
        func parentID(_ key: String?, _ source: String?) throws -> String? {
            guard let key, let source else { return nil }
            return try c.query("SELECT service_id FROM source_record WHERE source_id = $1 AND record_key = $2", [source, key]).first?.string("service_id")
        }
        switch ListingRecompute.recompute(records: records, curations: curations, current: current, now: now) {
        case .none:
            return .unchanged
        case .remove(let name):
            guard let old else { return .removed }
            try deleteKeys(c, id, content: old.string("content"))
            try c.query("DELETE FROM service WHERE id = $1", [id])
            try logChange(c, at: now, runID: runID, sourceID: sourceID, actor: actor, serviceID: id, name: name, action: "removed", field: nil, before: nil, after: nil)
            return .removed
        case .unchanged(let sources, let demo, let lastVerified, let parentKey, let parentSource):
            try c.query("UPDATE service SET sources = $1, demo = $2, last_verified = $3, parent_id = $4 WHERE id = $5",
                        [JSONText.strings(sources), demo, lastVerified, try parentID(parentKey, parentSource), id])
            return .unchanged
        case .write(let w):
            try writeService(
                c, id: id, content: w.content, rows: ServiceRows(w.content, fingerprint: ListingFingerprint(w.content, json: w.contentJSON)),
                provenanceJSON: JSONText.provenance(w.provenance), demo: w.demo, stale: w.stale,
                previous: current.flatMap { ListingRecompute.decode(ListingContent.self, $0.contentJSON) }, sourcesJSON: JSONText.strings(w.sources),
                lastVerified: w.lastVerified, parentID: try parentID(w.content.parentKey, w.parentSource), exists: old != nil,
                createdAt: old?.string("created_at") ?? now, now: now)
            if w.isNew { return .written }
            if w.becameStale {
                try c.query("UPDATE service SET stale_since = $1 WHERE id = $2", [now, id])
                try logChange(c, at: now, runID: runID, sourceID: sourceID, actor: actor, serviceID: id, name: w.content.name, action: "stale", field: nil, before: nil, after: nil)
                return .becameStale
            }
            if w.restored {
                try c.query("UPDATE service SET stale_since = NULL WHERE id = $1", [id])
                try logChange(c, at: now, runID: runID, sourceID: sourceID, actor: actor, serviceID: id, name: w.content.name, action: "restored", field: nil, before: nil, after: nil)
            }
            for change in w.changes {
                try logChange(c, at: now, runID: runID, sourceID: sourceID, actor: actor, serviceID: id, name: w.content.name, action: "updated", field: change.field, before: change.before, after: change.after)
            }
            return w.changes.isEmpty ? .unchanged : .written
        }
    }

    /// Removes a listing's identity keys (found from its content).
    static func deleteKeys(_ c: PGConnection, _ id: String, content: String?) throws {
        guard let content, let listing = decode(ListingContent.self, content) else { return }
        try c.query("DELETE FROM service_key WHERE service_id = $1 AND key = ANY($2::text[])", [id, PGTextArray(Array(Set(ListingMerger.identityKeys(listing))))])
    }

    static func logChange(_ c: PGConnection, at: String, runID: Int64?, sourceID: String?, actor: String?, serviceID: String, name: String?, action: String, field: String?, before: String?, after: String?) throws {
        try c.query("""
            INSERT INTO change (at, run_id, source_id, actor, service_id, service_name, action, field, before, after)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, [at, runID, sourceID, actor, serviceID, name, action, field, before, after])
    }

    /// Writes a listing's row, its schedule rows, its sessions and its identity keys (the search
    /// columns are generated from the row).
    static func writeService(
        _ c: PGConnection, id: String, content: ListingContent, rows r: ServiceRows, provenanceJSON: String, demo: Bool, stale: Bool,
        previous: ListingContent? = nil, sourcesJSON: String, lastVerified: String?, parentID: String?, exists: Bool, createdAt: String, now: String
    ) throws {
        let content = content
        if let oid = r.organizationID, let org = content.organization {
            try c.query("INSERT INTO organization (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", [oid, org])
        }
        let a = content.address
        let common: [any PGBindable] = [
            r.organizationID, content.name, content.alternateName, content.description, content.website, content.emails.first, content.status.hsdsValue,
            content.fees, content.eligibility, content.registration, content.kind.rawValue, r.needs, r.audiences, r.modalities, r.openingHours,
            content.scheduleText, a?.postalCode, a?.insee, a?.departement, content.point?.latitude, content.point?.longitude, demo, stale, lastVerified,
            parentID, r.json, provenanceJSON, r.flags, sourcesJSON, now, r.ftsName, r.ftsOrganization, r.ftsPlace, r.ftsBody, id,
        ]
        if exists {
            try c.query("""
                UPDATE service SET organization_id = $1, name = $2, alternate_name = $3, description = $4, url = $5, email = $6, status = $7,
                fees_description = $8, eligibility_description = $9, application_process = $10, kind = $11, needs = $12, audiences = $13,
                modalities = $14, opening_hours = $15, schedule_text = $16, postal_code = $17, insee = $18, departement = $19, latitude = $20,
                longitude = $21, demo = $22, stale = $23, last_verified = $24, parent_id = $25, content = $26, provenance = $27, flags = $28,
                sources = $29, updated_at = $30, search_name = $31, search_organization = $32, search_place = $33, search_body = $34 WHERE id = $35
                """, common)
            try c.query("DELETE FROM schedule WHERE service_id = $1", [id])
            try c.query("DELETE FROM session WHERE service_id = $1", [id])
            try c.query("DELETE FROM service_key WHERE service_id = $1 AND key = ANY($2::text[])", [id, PGTextArray(Array(Set(ListingMerger.identityKeys(previous ?? content))))])
        } else {
            try c.query("""
                INSERT INTO service (organization_id, name, alternate_name, description, url, email, status, fees_description,
                eligibility_description, application_process, kind, needs, audiences, modalities, opening_hours, schedule_text,
                postal_code, insee, departement, latitude, longitude, demo, stale, last_verified, parent_id, content, provenance,
                flags, sources, updated_at, search_name, search_organization, search_place, search_body, id, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26,
                $27, $28, $29, $30, $31, $32, $33, $34, $35, $36)
                """, common + [createdAt])
        }
        if !r.schedule.isEmpty {
            let s = r.schedule
            func texts(_ f: (ServiceRows.ScheduleRow) -> String?) -> PGTextArray { PGTextArray(s.map(f)) }
            try c.query("""
                INSERT INTO schedule (id, service_id, freq, interval, byday, bymonth, dtstart, until, count, opens_at, closes_at, valid_from, valid_to,
                opening_hours, closed, description, timezone_name)
                SELECT $1 || '-s' || (u.n - 1), $1, u.freq, u.iv::integer, u.byday, u.bymonth, u.dtstart, u.until, u.cnt::integer, u.opens, u.closes,
                       u.vfrom, u.until, u.oh, u.closed::integer, $2, $3
                FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                            $14::text[], $15::text[]) WITH ORDINALITY AS u(freq, iv, byday, bymonth, dtstart, until, cnt, opens, closes, vfrom, oh, closed, n)
                """, [
                    id, content.scheduleText, content.zone.identifier, texts(\.freq), texts { $0.interval.map(String.init) }, texts(\.byday),
                    texts(\.bymonth), texts(\.dtstart), texts(\.until), texts { $0.count.map(String.init) }, texts(\.opensAt), texts(\.closesAt),
                    texts(\.validFrom), texts(\.openingHours), texts { $0.closed ? "1" : "0" },
                ])
        }
        try writeSessions(c, id: id, content: content)
        if !r.keys.isEmpty {
            try c.query("INSERT INTO service_key (key, service_id) SELECT k, $1 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING", [id, PGTextArray(Array(Set(r.keys)))])
        }
    }

    /// A listing's dated sessions (their rows are replaced with the listing's).
    static func writeSessions(_ c: PGConnection, id: String, content: ListingContent) throws {
        let a = content.address
        for (i, s) in content.sessions.enumerated() {
            guard let first = s.first, let last = s.last else { continue }
            let end = last.end ?? LocalDateTime(date: last.start.date, minutes: last.allDay ? 1439 : last.start.minutes)
            let p = s.point ?? (s.online && !s.onsite ? nil : content.point)
            let zone = content.zone
            try c.query("""
                INSERT INTO session (id, service_id, title, first_start, first_start_epoch, last_end_epoch, cancelled, latitude, longitude, departement, content)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """, [
                    "\(id)-e\(i)", id, s.title, zone.iso(first.start), zone.epoch(of: first.start), zone.epoch(of: end), s.cancelled, p?.latitude, p?.longitude,
                    s.place?.departement ?? a?.departement, s.jsonString,
                ])
        }
    }
}
