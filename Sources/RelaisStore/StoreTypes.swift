import Foundation
import RelaisModel

/// A source as the store knows it: what its manifest says that matters to merging.
public struct SourceRegistration: Sendable, Hashable {
    public var id: String
    public var title: String
    public var url: String
    public var format: String
    /// Higher wins field conflicts (curated national entries: 100; imports: 0).
    public var priority: Int
    public var demo: Bool
    /// A listing missing from this many further runs is removed.
    public var staleAfterRuns: Int
    /// The manifest text, for the admin pages.
    public var manifest: String?

    public init(id: String, title: String, url: String, format: String, priority: Int = 0, demo: Bool = false, staleAfterRuns: Int = 3, manifest: String? = nil) {
        self.id = id
        self.title = title
        self.url = url
        self.format = format
        self.priority = priority
        self.demo = demo
        self.staleAfterRuns = staleAfterRuns
        self.manifest = manifest
    }
}

/// A row or item that was rejected or warned about during a run.
public struct RunIssue: Codable, Sendable, Hashable {
    public enum Severity: String, Codable, Sendable { case rejected, warning }
    /// "ligne 24", "élément 3", "page 2 / élément 1".
    public var item: String?
    public var field: String?
    public var reason: String
    public var severity: Severity

    public init(item: String?, field: String?, reason: String, severity: Severity) {
        self.item = item
        self.field = field
        self.reason = reason
        self.severity = severity
    }
}

/// Everything one source run produced, handed to the store only once the whole
/// payload (all pages) was fetched, parsed and validated.
public struct ImportBatch: Sendable {
    public var source: SourceRegistration
    public var drafts: [ListingDraft]
    public var issues: [RunIssue]
    public var httpStatus: Int?
    public var etag: String?
    public var lastModified: String?
    /// What the validators are for (see ``SourceState/validatorKey``).
    public var validatorKey: String?
    /// False for an empty payload: nothing is marked stale because of it.
    public var markMissingAsStale: Bool

    public init(source: SourceRegistration, drafts: [ListingDraft], issues: [RunIssue] = [], httpStatus: Int? = nil, etag: String? = nil, lastModified: String? = nil,
                validatorKey: String? = nil, markMissingAsStale: Bool = true) {
        self.validatorKey = validatorKey
        self.source = source
        self.drafts = drafts
        self.issues = issues
        self.httpStatus = httpStatus
        self.etag = etag
        self.lastModified = lastModified
        self.markMissingAsStale = markMissingAsStale
    }
}

/// One run of one source: the ledger line.
public struct RunRecord: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable {
        case running
        /// Applied.
        case success
        /// 304 or same payload: nothing to do.
        case unchanged
        /// Applied, but the payload held no record (nothing marked stale).
        case empty
        /// Fetch or parse failed: the store was left as it was.
        case failed
        /// Too many rows failed validation: the whole run was refused.
        case refused
        /// Interrupted (shutdown, signal, process gone): nothing applied.
        case interrupted
        /// Would have taken too many live listings out at once: nothing applied,
        /// waiting for an admin to accept or reject (« en attente de validation »).
        case held
    }

    public var id: Int64
    public var sourceID: String
    public var startedAt: String
    public var endedAt: String?
    public var status: Status
    public var trigger: String?
    public var httpStatus: Int?
    public var etag: String?
    public var lastModified: String?
    public var records: Int
    public var added: Int
    public var updated: Int
    public var unchanged: Int
    public var stale: Int
    public var removed: Int
    public var rejected: Int
    public var message: String?

    public init(
        id: Int64, sourceID: String, startedAt: String, endedAt: String? = nil, status: Status, trigger: String? = nil,
        httpStatus: Int? = nil, etag: String? = nil, lastModified: String? = nil, records: Int = 0, added: Int = 0,
        updated: Int = 0, unchanged: Int = 0, stale: Int = 0, removed: Int = 0, rejected: Int = 0, message: String? = nil
    ) {
        self.id = id
        self.sourceID = sourceID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.trigger = trigger
        self.httpStatus = httpStatus
        self.etag = etag
        self.lastModified = lastModified
        self.records = records
        self.added = added
        self.updated = updated
        self.unchanged = unchanged
        self.stale = stale
        self.removed = removed
        self.rejected = rejected
        self.message = message
    }
}

/// A source with its scheduling state and last run.
public struct SourceState: Codable, Sendable, Hashable {
    public var id: String
    public var title: String
    public var url: String
    public var format: String
    public var etag: String?
    public var lastModified: String?
    public var lastSuccessAt: String?
    public var lastFailureAt: String?
    public var lastError: String?
    public var consecutiveFailures: Int
    public var nextRunAt: String?
    public var leaseOwner: String?
    public var leaseExpiresAt: String?
    public var listings: Int
    public var lastRun: RunRecord?
    /// What the stored validators (`etag`, `lastModified`) were obtained for: the URL and
    /// options of the manifest then. Another URL or options fetch in full.
    public var validatorKey: String? = nil
    /// A run held by the shrink guard, waiting for an admin.
    public var heldRunID: Int64? = nil
    /// An admin accepted the shrink: the next run applies it.
    public var shrinkAcceptedAt: String? = nil
    /// Runs in a row that read no record at all (an empty or maintenance page).
    public var consecutiveEmpty: Int = 0
}

/// Holds a run that would take too many of a source's live listings out of search
/// and referral at once (a truncated payload, a filter gone wrong, a page of one
/// record): nothing is applied until an admin accepts it.
public struct ShrinkGuard: Sendable, Hashable {
    /// The share of live listings a run may leave unseen (0.2: one in five).
    public var maxShare: Double

    public init(maxShare: Double = 0.2) { self.maxShare = maxShare.isFinite ? min(1, max(0, maxShare)) : 0.2 }

    /// Whether a run that does not see `vanishing` of the source's `live` listings must wait.
    /// More than the share is held (at least one may always go), and so is a run that would
    /// leave only a few of many, whatever the share.
    public func holds(live: Int, vanishing: Int) -> Bool {
        guard vanishing > 0, live > 0 else { return false }
        if vanishing >= 3 && live - vanishing <= 2 { return true }
        let allowed = max(1, Int((Double(live) * maxShare).rounded(.down)))
        return vanishing > allowed
    }

    /// The French explanation of a held run.
    public func message(live: Int, vanishing: Int) -> String {
        let share = live > 0 ? Int((Double(vanishing) * 100 / Double(live)).rounded()) : 0
        return "\(vanishing) fiche\(vanishing > 1 ? "s" : "") sur \(live) disparaîtrai\(vanishing > 1 ? "en" : "")t de la source d’un coup (\(share) %, "
            + "seuil \(Int((maxShare * 100).rounded())) %) : exécution mise en attente de validation, rien n’a été modifié. "
            + "Un administrateur peut l’accepter (relais import --source … --accept-shrink, ou /admin) ou la refuser."
    }
}

/// A search over listings.
public struct SearchQuery: Sendable, Hashable {
    public var text: String?
    public var kind: Kind?
    public var need: String?
    public var departement: String?
    public var includeStale: Bool
    public var includeHidden: Bool
    public var page: Int
    public var perPage: Int

    public init(text: String? = nil, kind: Kind? = nil, need: String? = nil, departement: String? = nil, includeStale: Bool = true, includeHidden: Bool = false, page: Int = 1, perPage: Int = 20) {
        self.text = text
        self.kind = kind
        self.need = need
        self.departement = departement
        self.includeStale = includeStale
        self.includeHidden = includeHidden
        self.page = page
        self.perPage = perPage
    }
}

/// A page too deep for a query that no index serves (a need filter, a text search).
public struct SearchWindowError: Error, Sendable, CustomStringConvertible {
    public let window: Int
    public let perPage: Int
    public var description: String {
        "page trop lointaine : au-delà des \(window) premiers résultats, affinez la recherche (type, département) ou réduisez les critères"
    }
}

/// A small thread-safe cache that forgets everything when full (its keys carry their own validity).
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Key: Value] = [:]
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func get(_ key: Key) -> Value? { lock.withLock { values[key] } }

    func set(_ key: Key, _ value: Value) {
        lock.withLock {
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[key] = value
        }
    }
}

/// A page of results, in Open Referral's Page shape.
public struct ListingPage: Sendable {
    public var totalItems: Int
    public var page: Int
    public var perPage: Int
    public var listings: [Listing]

    public var totalPages: Int { perPage > 0 ? max(1, (totalItems + perPage - 1) / perPage) : 1 }
}

/// A change recorded by a run or an admin action.
public struct ChangeRecord: Codable, Sendable, Hashable {
    public var id: Int64
    public var at: String
    public var runID: Int64?
    public var sourceID: String?
    public var actor: String?
    public var serviceID: String
    public var serviceName: String?
    public var action: String
    public var field: String?
    public var before: String?
    public var after: String?
}

/// The store: listings, sources, runs, changes. SQLite by default; the
/// protocol lets a PostgreSQL backend serve several instances later.
public protocol DirectoryStore: Sendable {
    // Listings
    func listing(id: String) throws -> Listing?
    func search(_ query: SearchQuery) throws -> ListingPage
    func listingCount() throws -> Int
    func allListings(includeHidden: Bool) throws -> [Listing]

    // Import runs
    func beginRun(source: SourceRegistration, trigger: String, at: Date, owner: String?) throws -> Int64
    func applyRun(_ runID: Int64, batch: ImportBatch, at: Date) throws -> RunRecord
    func finishRun(_ runID: Int64, status: RunRecord.Status, message: String?, httpStatus: Int?, issues: [RunIssue], at: Date) throws -> RunRecord
    func sources() throws -> [SourceState]
    func source(id: String) throws -> SourceState?
    func runs(sourceID: String?, limit: Int) throws -> [RunRecord]
    func run(id: Int64) throws -> RunRecord?
    func issues(runID: Int64) throws -> [RunIssue]
    func changes(runID: Int64?, since: String?, until: String?, sourceID: String?, serviceID: String?, limit: Int) throws -> [ChangeRecord]

    // Geography
    func geoCommunes() throws -> [Commune]?
    func replaceGeoCommunes(_ communes: [Commune], parents: [String: String]) throws
}
