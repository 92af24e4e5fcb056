import Foundation
import RelaisMerge
import RelaisModel

// The store, by concern. Every consumer — the importer, the scheduler, the server, the
// CLI, the benchmarks — holds these protocols, never a backend's type: SQLite is the
// embedded default (RelaisStoreSQLite); another backend implements the same protocols
// and passes the same contract suite (RelaisStoreContract). A backend may implement
// them synchronously: a synchronous method satisfies an `async` requirement.

/// Listings as people see them: one by id, a page of a search, what the referral index needs.
public protocol ListingStore: Sendable {
    func listing(id: String) async throws -> Listing?
    func listings(ids: [String]) async throws -> [Listing]
    /// A page of a search at bounded cost; throws an `invalid` ``RelaisError`` (parameter `page`) past the window of a query no index serves.
    func search(_ q: SearchQuery) async throws -> ListingPage
    func listingCount() async throws -> Int
    func allListings(includeHidden: Bool) async throws -> [Listing]
    /// Grows by one with every change of the listings: caches hold their answers for one version.
    func dataVersion() async throws -> Int
    /// Every listed listing (active or temporarily closed, not hidden), with what the referral
    /// engine reads of it (texts and contacts left out).
    func indexListings() async throws -> [IndexListing]
    /// The same, one at a time: nothing of a listing is kept once `body` returns.
    func forEachIndexListing(_ body: (IndexListing) throws -> Void) async throws
    /// A number that tells this store from any other (drawn when it was created), for what is
    /// derived from it and kept outside it; nil: the backend has none, nothing is kept.
    func storeIdentity() async throws -> Int64?
    /// The organizations of visible listings, by name (key and name), a page at a time, with their total.
    func organizations(page: Int, perPage: Int) async throws -> (total: Int, items: [(key: String, name: String)])
    /// The ids of every visible listing (for identifiers derived from them).
    func listingIDs() async throws -> [String]
    /// The change feed: listings changed and listings removed after `after` (ISO 8601 UTC), in
    /// the order of their changes (time, then id), from just past `cursor` (the last entry a
    /// consumer read) — a page that does not shift when later changes come in — with the total left.
    func changedListings(after: String, cursor: ChangedListing?, limit: Int) async throws -> (total: Int, entries: [ChangedListing])
}

extension ListingStore {
    public func storeIdentity() async throws -> Int64? { nil }
}

/// The run ledger: sources, their runs, what each run did, and applying a run's plan in
/// one transaction (all or nothing).
public protocol RunLedger: Sendable {
    /// Records sources (from their manifests) so that they are listed before their first run.
    func register(_ sources: [SourceRegistration]) async throws
    /// Opens a ledger line; `owner` names the process (`host:pid`).
    func beginRun(source: SourceRegistration, trigger: String, at: Date, owner: String?) async throws -> Int64
    /// Closes a run that applied nothing (failure, refusal, 304, held).
    func finishRun(_ runID: Int64, status: RunRecord.Status, message: String?, httpStatus: Int?, issues: [RunIssue], at: Date) async throws -> RunRecord
    /// Applies a run whose drafts arrive while its transaction is open (see ``RunFeed``),
    /// deciding with ``RunPlanner`` and rebuilding with ``ListingRecompute``. Throws
    /// ``RunNotApplied`` (after rolling back) when the run is refused, interrupted or held.
    func applyRun(
        _ runID: Int64, source: SourceRegistration, feed: RunFeed, expectedRecords: Int, httpStatus: Int?, etag: String?, lastModified: String?,
        validatorKey: String?, markMissingAsStale: Bool?, shrinkGuard: ShrinkGuard?, at: Date
    ) async throws -> RunRecord
    /// Applies a whole batch (a curated file, geography) in one transaction.
    func applyRun(_ runID: Int64, batch: ImportBatch, at: Date) async throws -> RunRecord
    /// The rows a backend wants prepared off its writer for each listing of a run (nil: none).
    var runPreparer: @Sendable (ListingContent, ListingFingerprint) -> (any Sendable)? { get }

    func sources() async throws -> [SourceState]
    /// What scheduling needs, cheap enough for every wake-up (no counts, no last run).
    func schedulingStates() async throws -> [SourceState]
    func source(id: String) async throws -> SourceState?
    func runs(sourceID: String?, limit: Int) async throws -> [RunRecord]
    func run(id: Int64) async throws -> RunRecord?
    func issues(runID: Int64) async throws -> [RunIssue]
    func changes(runID: Int64?, since: String?, until: String?, sourceID: String?, serviceID: String?, limit: Int) async throws -> [ChangeRecord]

    func runningRuns() async throws -> [(id: Int64, sourceID: String, owner: String?)]
    func closeAbandonedRuns(_ ids: [Int64], at: Date) async throws
    @discardableResult func recordManifestProblem(sourceID: String, message: String, at: Date) async throws -> Bool
    func acceptShrink(sourceID: String, at: Date) async throws
    func rejectShrink(sourceID: String) async throws
}

/// Leases: which process runs a source, and until when (shared by every process of one store).
public protocol LeaseStore: Sendable {
    func acquireLease(source: SourceRegistration, owner: String, until: Date, now: Date) async throws -> Bool
    func leaseHolder(sourceID: String) async throws -> (owner: String, expires: Date?)?
    func takeOverLease(sourceID: String, from holder: String, owner: String, until: Date, now: Date) async throws -> Bool
    @discardableResult func renewLease(sourceID: String, owner: String, until: Date) async throws -> Bool
    func releaseLease(sourceID: String, owner: String) async throws
    func setNextRun(sourceID: String, at: Date?) async throws
}

/// Admins' edits: they win over every source and survive re-imports.
public protocol CurationStore: Sendable {
    func curate(serviceID: String, field: String, value: JSONValue?, author: String, at: Date) async throws
    func curations(serviceID: String) async throws -> [String: (value: String, author: String, at: String)]
    func setHidden(serviceID: String, hidden: Bool, author: String, at: Date) async throws
    func markVerified(serviceID: String, author: String, at: Date) async throws
    func keep(serviceID: String, author: String, at: Date) async throws
    func remove(serviceID: String, author: String, at: Date) async throws
    func staleListings() async throws -> [(listing: Listing, since: String?, pinned: Bool)]
}

/// Admin accounts, API tokens, sessions, login throttling and the audit log. Only hashes
/// are kept: passwords, tokens and session ids are hashed before they get here.
public protocol AccountStore: Sendable {
    func addAdmin(name: String, passwordHash: String?, at: Date) async throws -> AdminUser
    func setAdminPassword(name: String, passwordHash: String) async throws
    func adminUsers() async throws -> [AdminUser]
    func adminUser(name: String) async throws -> AdminUser?
    func passwordHash(name: String) async throws -> (user: AdminUser, hash: String?)?
    func removeAdmin(name: String) async throws
    func addToken(userID: Int64, label: String?, prefix: String, hash: String, at: Date) async throws
    func tokens(prefix: String) async throws -> [(id: Int64, user: AdminUser, hash: String)]
    func touchToken(id: Int64, at: Date) async throws
    func revokeTokens(userName: String) async throws -> Int
    func createSession(idHash: String, userID: Int64, csrf: String, at: Date, expires: Date) async throws
    func session(idHash: String, now: Date) async throws -> (user: AdminUser, csrf: String)?
    func deleteSession(idHash: String) async throws
    func throttleSecret() async throws -> [UInt8]
    /// Counts the attempt under every rule's key, atomically, before the password is checked.
    func admitLoginAttempt(_ rules: [LoginThrottleRule], policy: LoginThrottlePolicy, actor: String, at: Date) async throws -> LoginGate
    func loginSucceeded(keys: [String], pair: String, at: Date) async throws
    func loginThrottleRows() async throws -> Int
    func audit(actor: String, action: String, target: String?, detail: String?, at: Date) async throws
    /// One row per action, actor and minute, with a count (floods write few rows).
    func auditAggregated(actor: String, action: String, at: Date) async throws
    func auditRowCount() async throws -> Int
    func auditLog(limit: Int, actor: String?) async throws -> [AuditEntry]
}

/// « Signaler une erreur »: corrections readers send, bounded per client and overall.
public protocol ReportStore: Sendable {
    /// Stores a report unless one of `windows` is full (checked and written atomically).
    func addReport(serviceID: String, field: String?, message: String, suggestedValue: String?, contactEmail: String?, windows: [RateWindow], at: Date) async throws -> ReportOutcome
    func reportCount() async throws -> Int
    func reports(status: String?, limit: Int) async throws -> [Report]
    func report(id: Int64) async throws -> Report?
    func resolveReport(id: Int64, status: String, by: String, at: Date) async throws
}

/// The gazetteer imported from La Poste's file, when there is one.
public protocol GeoStore: Sendable {
    func geoCommunes() async throws -> [Commune]?
    func geoParents() async throws -> [String: String]
    func replaceGeoCommunes(_ communes: [Commune], parents: [String: String]) async throws
}

/// The store's own health.
public protocol MaintenanceStore: Sendable {
    /// The integrity check and the full-text index against the listings; the problems found.
    func integrityProblems() async throws -> [String]
    func rebuildFullTextIndex() async throws
    func checkpoint() async throws
}

/// Everything Relais keeps: what `relais serve` and the commands open.
public protocol DirectoryStore: ListingStore, RunLedger, LeaseStore, CurationStore, AccountStore, ReportStore, GeoStore, MaintenanceStore {}
