import Foundation
import GRDB
import RelaisMerge
import RelaisModel
import RelaisStore
import RelaisNormalize

extension SQLiteStore {
    // MARK: Run ledger

    /// Opens a ledger line. `owner` names the process (`host:pid`), so a run left
    /// "running" by a process that died can be closed as interrupted.
    public func beginRun(source: SourceRegistration, trigger: String, at: Date, owner: String? = nil) throws -> Int64 {
        try pool.write { db in
            try Self.upsertSource(db, source)
            try db.execute(
                sql: "INSERT INTO run (source_id, started_at, status, trigger, owner) VALUES (?, ?, 'running', ?, ?)",
                arguments: [source.id, Self.iso(at), trigger, owner])
            return db.lastInsertedRowID
        }
    }

    /// Runs still "running" and the process (`host:pid`) that opened each.
    public func runningRuns() throws -> [(id: Int64, sourceID: String, owner: String?)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, source_id, owner FROM run WHERE status = 'running'").map { ($0["id"], $0["source_id"], $0["owner"]) }
        }
    }

    /// Closes runs whose process is gone as interrupted (nothing of them was applied:
    /// a run's writes are one transaction).
    public func closeAbandonedRuns(_ ids: [Int64], at: Date) throws {
        guard !ids.isEmpty else { return }
        try pool.write { db in
            for id in ids {
                try db.execute(
                    sql: "UPDATE run SET status = 'interrupted', ended_at = ?, message = 'processus arrêté pendant l’exécution (signal ou arrêt brutal) : rien n’a été appliqué' WHERE id = ? AND status = 'running'",
                    arguments: [Self.iso(at), id])
            }
        }
    }

    /// Records in the ledger that a known source's manifest cannot be read (once per
    /// distinct problem: the last run already saying so is enough). Unknown ids are not
    /// written: the store does not invent sources.
    @discardableResult
    public func recordManifestProblem(sourceID: String, message: String, at: Date) throws -> Bool {
        // Read first: the scheduler asks on every wake-up, and nearly always it is already said.
        func alreadySaid(_ db: Database) throws -> Bool {
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM source WHERE id = ?", arguments: [sourceID]) == true else { return true }
            let last = try Row.fetchOne(db, sql: "SELECT status, message FROM run WHERE source_id = ? ORDER BY id DESC LIMIT 1", arguments: [sourceID])
            return last.map { ($0["status"] as String) == "failed" && ($0["message"] as String?) == message } ?? false
        }
        if try pool.read(alreadySaid) { return false }
        return try pool.write { db in
            if try alreadySaid(db) { return false }
            let now = Self.iso(at)
            try db.execute(
                sql: "INSERT INTO run (source_id, started_at, ended_at, status, trigger, message) VALUES (?, ?, ?, 'failed', 'manifeste', ?)",
                arguments: [sourceID, now, now, message])
            try db.execute(
                sql: "UPDATE source SET last_run_id = ?, last_failure_at = ?, last_error = ?, consecutive_failures = consecutive_failures + 1 WHERE id = ?",
                arguments: [db.lastInsertedRowID, now, message, sourceID])
            return true
        }
    }

    /// An admin accepts the shrink of a held run: the source's next run applies it.
    public func acceptShrink(sourceID: String, at: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE source SET shrink_accepted_at = ? WHERE id = ?", arguments: [Self.iso(at), sourceID])
        }
    }

    /// An admin rejects a held run: the listings stay as they are; the notice goes.
    /// Later runs that shrink as much are held again.
    public func rejectShrink(sourceID: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE source SET held_run_id = NULL, shrink_accepted_at = NULL WHERE id = ?", arguments: [sourceID])
        }
    }

    static func upsertSource(_ db: Database, _ s: SourceRegistration) throws {
        try db.execute(
            sql: """
                INSERT INTO source (id, title, url, format, manifest) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, url = excluded.url, format = excluded.format, manifest = excluded.manifest
                """,
            arguments: [s.id, s.title, s.url, s.format, s.manifest])
    }

    /// Records the end of a run that applied nothing (failure, refusal, 304),
    /// leaving every listing as it was.
    public func finishRun(_ runID: Int64, status: RunRecord.Status, message: String?, httpStatus: Int?, issues: [RunIssue], at: Date) throws -> RunRecord {
        try pool.write { db in
            let now = Self.iso(at)
            try Self.insertIssues(db, runID, issues)
            let rejected = issues.filter { $0.severity == .rejected }.count
            try db.execute(
                sql: "UPDATE run SET ended_at = ?, status = ?, message = ?, http_status = ?, rejected = ? WHERE id = ?",
                arguments: [now, status.rawValue, message, httpStatus, rejected, runID])
            let sourceID = try String.fetchOne(db, sql: "SELECT source_id FROM run WHERE id = ?", arguments: [runID]) ?? ""
            switch status {
            case .interrupted:
                // A shutdown is not the source's fault: no failure, no backoff.
                try db.execute(sql: "UPDATE source SET last_run_id = ? WHERE id = ?", arguments: [runID, sourceID])
            case .failed, .refused:
                try db.execute(
                    sql: "UPDATE source SET last_run_id = ?, last_failure_at = ?, last_error = ?, consecutive_failures = consecutive_failures + 1 WHERE id = ?",
                    arguments: [runID, now, message, sourceID])
            case .held:
                // Waiting for an admin is not a failure of the source: no backoff; the stored
                // validators are left as they were, so the next run fetches in full again.
                try db.execute(
                    sql: "UPDATE source SET last_run_id = ?, held_run_id = ?, last_success_at = ? WHERE id = ?",
                    arguments: [runID, runID, now, sourceID])
            default:
                try db.execute(
                    sql: "UPDATE source SET last_run_id = ?, last_success_at = ?, last_error = NULL, consecutive_failures = 0 WHERE id = ?",
                    arguments: [runID, now, sourceID])
                if status == .unchanged {
                    // The source confirmed its listings: they are verified today.
                    try db.execute(
                        sql: """
                            UPDATE service SET last_verified = ? WHERE id IN (SELECT service_id FROM source_record WHERE source_id = ? AND missing_runs = 0)
                              AND (last_verified IS NULL OR last_verified < ?)
                            """,
                        arguments: [String(now.prefix(10)), sourceID, String(now.prefix(10))])
                }
            }
            return Self.runRecord(try Self.requireRun(db, runID))
        }
    }

    static func insertIssues(_ db: Database, _ runID: Int64, _ issues: [RunIssue]) throws {
        let st = try db.cachedStatement(sql: "INSERT INTO run_issue (run_id, item, field, reason, severity) VALUES (?, ?, ?, ?, ?)")
        for i in issues { try st.execute(arguments: [runID, i.item, i.field, i.reason, i.severity.rawValue]) }
    }

    // MARK: Applying a run

    /// Applies a whole source run in one transaction: every decision comes from the pure
    /// ``RunPlanner`` (unchanged, changed, joined to another source's listing, new) and
    /// every rebuilt listing from ``ListingRecompute``; this code reads what they need and
    /// writes what they decide. If anything throws, nothing of the run is applied.
    public func applyRun(_ runID: Int64, batch: ImportBatch, at: Date) throws -> RunRecord {
        try applyRun(
            runID, source: batch.source, feed: RunFeed(drafts: batch.drafts, verdict: .apply(issues: batch.issues), prepare: Self.prepareRows),
            expectedRecords: batch.drafts.count, httpStatus: batch.httpStatus, etag: batch.etag, lastModified: batch.lastModified,
            validatorKey: batch.validatorKey, markMissingAsStale: batch.markMissingAsStale, at: at)
    }

    /// The rows a listing's content alone decides, prepared by the threads that produce a run.
    /// The store's rows for each listing, prepared by the threads that normalise it.
    public var runPreparer: @Sendable (ListingContent, ListingFingerprint) -> (any Sendable)? { Self.prepareRows }

    public static let prepareRows: @Sendable (ListingContent, ListingFingerprint) -> (any Sendable)? = { content, fingerprint in
        ServiceRows(content, fingerprint: fingerprint)
    }

    /// Applies a run whose drafts arrive while the transaction is open (see ``RunFeed``).
    /// `markMissingAsStale` nil: when the feed held any draft. Throws ``RunNotApplied``
    /// (after rolling back) when the producer refused or interrupted the run, or the
    /// shrink guard held it.
    public func applyRun(
        _ runID: Int64, source: SourceRegistration, feed: RunFeed, expectedRecords: Int, httpStatus: Int?, etag: String?, lastModified: String?,
        validatorKey: String? = nil, markMissingAsStale: Bool? = nil, shrinkGuard: ShrinkGuard? = nil, at: Date
    ) throws -> RunRecord {
        // A large run touches many pages: give the writer a cache that holds them, for this run
        // only, and copy its pages from the WAL into the database file after it returns, in the
        // background (a third of a 50,000-listing commit), rather than inside its commit.
        let large = expectedRecords > 5000
        if large {
            // 128 MiB; 512 MiB past 200,000 records, whose indexes outgrow a smaller cache (random
            // keys: every insert would read its page back from the file).
            let kib = expectedRecords > 200_000 ? 524_288 : 131_072
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -\(kib); PRAGMA wal_autocheckpoint = 0") }
        }
        defer {
            if large {
                try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000") }
                let pool = self.pool
                Thread.detachNewThread {
                    try? pool.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
                }
            }
        }
        Profiling.lap("before the transaction")
        defer { Profiling.lap("committed") }
        return try pool.write { db in
            let now = Self.iso(at)
            try Self.upsertSource(db, source)
            var existing: [String: RunPlanner.Existing] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT record_key, service_id, hash, missing_runs FROM source_record WHERE source_id = ?", arguments: [source.id]) {
                existing[row["record_key"]] = RunPlanner.Existing(serviceID: row["service_id"], hash: row["hash"], missingRuns: row["missing_runs"])
            }
            var planner = RunPlanner(source: source, existing: existing)
            var counts = (added: 0, updated: 0, unchanged: 0, stale: 0, removed: 0)
            let statements = WriteStatements(db)
            // (The records this source does not hold yet: a source read again is never a bulk load.)
            let bulk = try BulkLoad(db, newRecords: expectedRecords - existing.count, threshold: bulkLoadThreshold)
            statements.deferFullText = bulk != nil
            let insertRecord = try statements(51, """
                INSERT INTO source_record (source_id, record_key, service_id, priority, demo, draft, hash, fetched_at, first_seen_run, last_seen_run, missing_runs)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                """)
            let updateRecord = try db.cachedStatement(sql: """
                UPDATE source_record SET draft = ?, hash = ?, fetched_at = ?, last_seen_run = ?, missing_runs = 0, priority = ?, demo = ?
                WHERE source_id = ? AND record_key = ?
                """)
            let seenRecord = try db.cachedStatement(sql: "UPDATE source_record SET fetched_at = ?, last_seen_run = ?, missing_runs = 0 WHERE source_id = ? AND record_key = ?")

            // Listings created by one record of this run: nothing to read back or merge, and the
            // same provenance for all. Written at once, except those naming a parent record (the
            // parent may come later in the payload): those wait for the end of the payload.
            let freshProvenance = JSONText.provenance(["*": FieldOrigin(source: source.id, at: now)])
            let freshSources = JSONText.strings([source.id])
            let today = String(now.prefix(10))
            func writeNew(_ id: String, _ content: ListingContent, _ rows: ServiceRows, parentID: String?) throws {
                try Self.writeService(
                    db, id: id, content: content, rows: rows, provenanceJSON: freshProvenance, demo: source.demo, stale: false,
                    sourcesJSON: freshSources, lastVerified: today, parentID: parentID, existingRowID: nil, createdAt: now, now: now, statements: statements)
                // No change row: a listing's addition is its first source record's run (see `changes`).
                counts.added += 1
            }
            var waiting: [(id: String, item: PreparedDraft)] = []
            let twins = try TwinLookup(db, excludingSource: source.id)
            while let chunk = feed.nextChunk() {
                // By index, not by element: a listing's content is read in place, never copied.
                for index in chunk.indices {
                    let key = chunk[index].draft.key
                    let fingerprint = chunk[index].fingerprint
                    let decision = try planner.decide(key: key, hash: fingerprint.hash, content: chunk[index].draft.content) { content in
                        try twins.find(content, keys: fingerprint.keys)
                    }
                    switch decision {
                    case .duplicate:
                        continue
                    case .seen(_, let restored):
                        try seenRecord.execute(arguments: [now, runID, source.id, key])
                        if !restored { counts.unchanged += 1 }
                    case .updated:
                        try updateRecord.execute(arguments: [fingerprint.json, fingerprint.hash, now, runID, source.priority, source.demo, source.id, key])
                    case .joined(let twin):
                        try insertRecord.text(source.id).text(key).text(twin).int(source.priority).bool(source.demo)
                            .text(fingerprint.json).text(fingerprint.hash).text(now).int64(runID).int64(runID).run()
                    case .created(let serviceID):
                        // A record that makes a new listing on its own stores no copy of its draft: the
                        // listing's content is that draft (materialised before anything else changes it).
                        try insertRecord.text(source.id).text(key).text(serviceID).int(source.priority).bool(source.demo)
                            .text(nil).text(fingerprint.hash).text(now).int64(runID).int64(runID).run()
                        if chunk[index].draft.content.parentKey == nil {
                            try writeNew(serviceID, chunk[index].draft.content, Self.rows(chunk[index]), parentID: nil)
                        } else {
                            waiting.append((serviceID, chunk[index]))
                        }
                    }
                }
            }
            Profiling.lap("records and new listings")
            if Profiling.enabled { print(String(format: "      (%.3f s of it waiting for normalised records)", Double(feed.waited) / 1e9)) }
            let issues: [RunIssue]
            switch feed.finalVerdict() {
            case .apply(let i): issues = i
            case .refuse(let message, let i): throw RunNotApplied(status: .refused, message: message, issues: i)
            case .interrupt(let message, let i): throw RunNotApplied(status: .interrupted, message: message, issues: i)
            case .fail(let message, let i): throw RunNotApplied(status: .failed, message: message, issues: i)
            }
            let parentOf = try db.cachedStatement(sql: "SELECT service_id FROM source_record WHERE source_id = ? AND record_key = ?")
            for (id, item) in waiting {
                try writeNew(id, item.draft.content, Self.rows(item), parentID: try String.fetchOne(parentOf, arguments: [source.id, item.draft.content.parentKey]))
            }

            // A run that would take too many live listings out at once waits for an admin, unless one accepted it.
            let markMissing = markMissingAsStale ?? !planner.seen.isEmpty
            let accepted = try String.fetchOne(db, sql: "SELECT shrink_accepted_at FROM source WHERE id = ?", arguments: [source.id]) != nil
            if markMissing, !accepted, let message = planner.held(by: shrinkGuard) {
                throw RunNotApplied(status: .held, message: message, issues: issues)
            }

            // Records this run did not see: stale first, removed after `staleAfterRuns` further runs.
            if markMissing {
                let pinnedOf = try db.cachedStatement(sql: "SELECT pinned FROM service WHERE id = ?")
                let (missing, removed) = try planner.vanished { id in try Bool.fetchOne(pinnedOf, arguments: [id]) ?? false }
                for v in missing {
                    try db.execute(sql: "UPDATE source_record SET missing_runs = ? WHERE source_id = ? AND record_key = ?", arguments: [v.missingRuns, source.id, v.key])
                }
                for v in removed {
                    try db.execute(sql: "DELETE FROM source_record WHERE source_id = ? AND record_key = ?", arguments: [source.id, v.key])
                }
            }

            for id in planner.touched {
                switch try Self.recompute(db, serviceID: id, runID: runID, sourceID: source.id, actor: nil, now: now, statements: statements) {
                case .removed: counts.removed += 1
                case .becameStale: counts.stale += 1
                case .unchanged: counts.unchanged += 1
                case .written: counts.updated += 1
                }
            }

            Profiling.lap("other listings written")
            Profiling.dumpSteps()
            if let bulk {
                try bulk.finish(db)  // (times each index it builds)
            }
            try Self.insertIssues(db, runID, issues)
            if counts.added + counts.updated + counts.stale + counts.removed > 0 || !planner.touched.isEmpty { try Self.bumpVersion(db) }
            let seen = planner.seen
            let status: RunRecord.Status = seen.isEmpty ? .empty : .success
            let rejected = issues.filter { $0.severity == .rejected }.count
            try db.execute(
                sql: """
                    UPDATE run SET ended_at = ?, status = ?, http_status = ?, etag = ?, last_modified = ?, records = ?, added = ?, updated = ?,
                    unchanged = ?, stale = ?, removed = ?, rejected = ?, message = ? WHERE id = ?
                    """,
                arguments: [
                    now, status.rawValue, httpStatus, etag, lastModified, seen.count, counts.added, counts.updated,
                    counts.unchanged, counts.stale, counts.removed, rejected,
                    seen.isEmpty ? "Aucun enregistrement dans la source : rien n’a été marqué obsolète." : nil, runID,
                ])
            try db.execute(
                sql: """
                    UPDATE source SET etag = ?, last_modified = ?, validator_key = ?, last_run_id = ?, last_success_at = ?, last_error = NULL,
                    consecutive_failures = 0, held_run_id = NULL, shrink_accepted_at = NULL,
                    consecutive_empty = CASE WHEN ? THEN consecutive_empty + 1 ELSE 0 END WHERE id = ?
                    """,
                arguments: [etag, lastModified, validatorKey, runID, now, seen.isEmpty, source.id])
            // Everything this source still lists is verified today (new and changed listings already are).
            if counts.unchanged > 0 || counts.stale > 0 { try db.execute(
                sql: """
                    UPDATE service SET last_verified = ? WHERE id IN (SELECT service_id FROM source_record WHERE source_id = ? AND missing_runs = 0)
                      AND (last_verified IS NULL OR last_verified < ?)
                    """,
                arguments: [String(now.prefix(10)), source.id, String(now.prefix(10))]) }
            Profiling.lap("run recorded")
            return Self.runRecord(try Self.requireRun(db, runID))
        }
    }

    static func rows(_ item: PreparedDraft) -> ServiceRows {
        (item.prepared as? ServiceRows) ?? ServiceRows(item.draft.content, fingerprint: item.fingerprint)
    }

    static func requireRun(_ db: Database, _ runID: Int64) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [runID]) else {
            throw RelaisError(.notFound, "exécution n° \(runID) introuvable")
        }
        return row
    }

    /// A run that brings at least as many new records as the directory holds (a first import, a
    /// directory moved in): the listing table's secondary indexes and its full-text index are
    /// built once at the end, by sorting, instead of kept up to date row by row — random
    /// inserts whose pages outgrow any cache at a million listings. The same transaction: a
    /// run that is not applied leaves them as they were. The import's own statements read the
    /// table by id only (its primary key, kept).
    struct BulkLoad {
        /// The `CREATE INDEX` statements of the indexes dropped.
        let indexes: [String]

        init?(_ db: Database, newRecords: Int, threshold: Int) throws {
            guard newRecords >= threshold else { return nil }
            // The largest rowid bounds the row count, and costs one page read.
            let held = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(rowid), 0) FROM service") ?? 0
            guard held <= newRecords else { return nil }
            let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'service' AND sql IS NOT NULL")
            for row in rows {
                let name: String = row["name"]
                try db.execute(sql: "DROP INDEX \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"")
            }
            indexes = rows.map { $0["sql"] }
        }

        func finish(_ db: Database) throws {
            for sql in indexes {
                try db.execute(sql: sql)
                Profiling.lap("  " + (sql.split(separator: " ").dropFirst(2).first.map(String.init) ?? "index") + " built")
            }
            // (Measured at 1,000,000 listings: 11 s, against 26 s row by row.)
            try db.execute(sql: "INSERT INTO service_fts (service_fts) VALUES ('rebuild')")
            Profiling.lap("  full-text index rebuilt")
        }
    }

    /// The listings of other sources holding an identity key, looked up key by key (the key
    /// table is keyed by key), so a small run on a large directory reads little. When other
    /// sources hold few keys (a large source beside a few small ones), those keys are read
    /// once, and a record none of whose keys is among them needs no lookup.
    struct TwinLookup {
        let statement: Statement
        let sourceID: String
        let empty: Bool
        /// Every key that listings of other sources hold, when there are at most `preloadLimit`.
        let othersKeys: Set<String>?
        static let preloadLimit = 50_000

        init(_ db: Database, excludingSource sourceID: String) throws {
            self.sourceID = sourceID
            statement = try db.cachedStatement(sql: """
                SELECT k.service_id, s.kind FROM service_key k JOIN service s ON s.id = k.service_id
                WHERE k.key = ? AND NOT EXISTS (SELECT 1 FROM source_record r WHERE r.service_id = k.service_id AND r.source_id = ?)
                """)
            empty = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT 1 FROM source_record WHERE source_id != ? LIMIT 1)", arguments: [sourceID]) == 0
            if empty {
                othersKeys = []
            } else {
                let others = try String.fetchAll(db, sql: """
                    SELECT k.key FROM source_record r JOIN service_key k ON k.service_id = r.service_id
                    WHERE r.source_id IN (SELECT id FROM source WHERE id != ?) LIMIT ?
                    """, arguments: [sourceID, Self.preloadLimit + 1])
                othersKeys = others.count > Self.preloadLimit ? nil : Set(others)
            }
        }

        func find(_ content: ListingContent, keys: [String]) throws -> String? {
            guard !empty else { return nil }
            if let othersKeys, !keys.contains(where: othersKeys.contains) { return nil }
            return try TwinChoice.choose(content, keys: keys) { key in
                try Row.fetchAll(statement, arguments: [key, sourceID]).map { (serviceID: $0["service_id"], kind: $0["kind"]) }
            }
        }
    }

    enum Outcome { case written, unchanged, becameStale, removed }

    /// Rebuilds a listing from what every source says of it and its curated edits
    /// (``ListingRecompute``), and writes what comes out with its change log.
    @discardableResult
    static func recompute(_ db: Database, serviceID id: String, runID: Int64?, sourceID: String?, actor: String?, now: String,
                          statements: WriteStatements? = nil) throws -> Outcome {
        let sql = statements ?? WriteStatements(db)
        let old = try Row.fetchOne(db.cachedStatement(sql: "SELECT rowid, name, content, stale, pinned, hidden, admin_verified_at, created_at FROM service WHERE id = ?"), arguments: [id])
        // Drafts left implicit by the listing that their record created are written out first.
        if let content = old?["content"] as String? {
            try db.cachedStatement(sql: "UPDATE source_record SET draft = ? WHERE service_id = ? AND draft IS NULL").execute(arguments: [content, id])
        }
        let records = try Row.fetchAll(db.cachedStatement(sql: "SELECT source_id, priority, demo, draft, fetched_at, missing_runs FROM source_record WHERE service_id = ?"), arguments: [id])
            .map { ListingRecompute.Record(sourceID: $0["source_id"], priority: $0["priority"], demo: $0["demo"], draftJSON: $0["draft"] ?? "{}", fetchedAt: $0["fetched_at"], missingRuns: $0["missing_runs"]) }
        let curations = try Row.fetchAll(db.cachedStatement(sql: "SELECT field, value, at FROM curation WHERE service_id = ?"), arguments: [id])
            .map { ListingRecompute.Curation(field: $0["field"], valueJSON: $0["value"], at: $0["at"]) }
        let current = old.map { ListingRecompute.Current(name: $0["name"], contentJSON: $0["content"], stale: $0["stale"], pinned: $0["pinned"], adminVerifiedAt: $0["admin_verified_at"]) }
        func parentID(_ key: String?, _ source: String?) throws -> String? {
            guard let key, let source else { return nil }
            return try String.fetchOne(db.cachedStatement(sql: "SELECT service_id FROM source_record WHERE source_id = ? AND record_key = ?"), arguments: [source, key])
        }
        switch ListingRecompute.recompute(records: records, curations: curations, current: current, now: now) {
        case .none:
            return .unchanged
        case .remove(let name):
            guard let old else { return .removed }
            try deleteKeys(db, id, content: old["content"])
            try db.execute(sql: "DELETE FROM service_fts WHERE rowid = ?", arguments: [old["rowid"] as Int64])
            try db.execute(sql: "DELETE FROM service WHERE id = ?", arguments: [id])
            try logChange(db, at: now, runID: runID, sourceID: sourceID, actor: actor, serviceID: id, name: name, action: "removed", field: nil, before: nil, after: nil)
            return .removed
        case .unchanged(let sources, let demo, let lastVerified, let parentKey, let parentSource):
            try db.execute(sql: "UPDATE service SET sources = ?, demo = ?, last_verified = ?, parent_id = ? WHERE id = ?",
                           arguments: [JSONText.strings(sources), demo, lastVerified, try parentID(parentKey, parentSource), id])
            return .unchanged
        case .write(let w):
            try writeService(
                db, id: id, content: w.content, rows: ServiceRows(w.content, fingerprint: ListingFingerprint(w.content, json: w.contentJSON)),
                provenanceJSON: JSONText.provenance(w.provenance), demo: w.demo, stale: w.stale,
                previous: current.flatMap { ListingRecompute.decode(ListingContent.self, $0.contentJSON) }, sourcesJSON: JSONText.strings(w.sources),
                lastVerified: w.lastVerified, parentID: try parentID(w.content.parentKey, w.parentSource), existingRowID: old?["rowid"],
                createdAt: old?["created_at"] ?? now, now: now, statements: sql)
            if w.isNew { return .written }
            if w.becameStale {
                try db.execute(sql: "UPDATE service SET stale_since = ? WHERE id = ?", arguments: [now, id])
                try logChange(db, at: now, runID: runID, sourceID: sourceID, actor: actor, serviceID: id, name: w.content.name, action: "stale", field: nil, before: nil, after: nil)
                return .becameStale
            }
            if w.restored {
                try db.execute(sql: "UPDATE service SET stale_since = NULL WHERE id = ?", arguments: [id])
                try logChange(db, at: now, runID: runID, sourceID: sourceID, actor: actor, serviceID: id, name: w.content.name, action: "restored", field: nil, before: nil, after: nil)
            }
            for c in w.changes {
                try logChange(db, at: now, runID: runID, sourceID: sourceID, actor: actor, serviceID: id, name: w.content.name, action: "updated", field: c.field, before: c.before, after: c.after)
            }
            return w.changes.isEmpty ? .unchanged : .written
        }
    }

    /// Removes a listing's identity keys (found from its content: the key table has no index by listing).
    static func deleteKeys(_ db: Database, _ id: String, content: String?) throws {
        guard let content, let c = decode(ListingContent.self, content) else { return }
        for key in Set(ListingMerger.identityKeys(c)) {
            try db.execute(sql: "DELETE FROM service_key WHERE key = ? AND service_id = ?", arguments: [key, id])
        }
    }

    static func logChange(_ db: Database, at: String, runID: Int64?, sourceID: String?, actor: String?, serviceID: String, name: String?, action: String, field: String?, before: String?, after: String?, statements: WriteStatements? = nil) throws {
        let st = try (statements ?? WriteStatements(db))(50, """
            INSERT INTO change (at, run_id, source_id, actor, service_id, service_name, action, field, before, after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try st.text(at).int64(runID).text(sourceID).text(actor).text(serviceID).text(name).text(action).text(field).text(before).text(after).run()
    }
}
