/// The vocabulary of source runs, shared by the readers, the merge, the store and the
/// admin: which source, what each run did, what it found wrong, what changed.

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

    public init(id: String, title: String, url: String, format: String, etag: String? = nil, lastModified: String? = nil, lastSuccessAt: String? = nil, lastFailureAt: String? = nil, lastError: String? = nil, consecutiveFailures: Int, nextRunAt: String? = nil, leaseOwner: String? = nil, leaseExpiresAt: String? = nil, listings: Int, lastRun: RunRecord? = nil, validatorKey: String? = nil, heldRunID: Int64? = nil, shrinkAcceptedAt: String? = nil, consecutiveEmpty: Int = 0) {
        self.id = id
        self.title = title
        self.url = url
        self.format = format
        self.etag = etag
        self.lastModified = lastModified
        self.lastSuccessAt = lastSuccessAt
        self.lastFailureAt = lastFailureAt
        self.lastError = lastError
        self.consecutiveFailures = consecutiveFailures
        self.nextRunAt = nextRunAt
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.listings = listings
        self.lastRun = lastRun
        self.validatorKey = validatorKey
        self.heldRunID = heldRunID
        self.shrinkAcceptedAt = shrinkAcceptedAt
        self.consecutiveEmpty = consecutiveEmpty
    }
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

    public init(id: Int64, at: String, runID: Int64? = nil, sourceID: String? = nil, actor: String? = nil, serviceID: String, serviceName: String? = nil, action: String, field: String? = nil, before: String? = nil, after: String? = nil) {
        self.id = id
        self.at = at
        self.runID = runID
        self.sourceID = sourceID
        self.actor = actor
        self.serviceID = serviceID
        self.serviceName = serviceName
        self.action = action
        self.field = field
        self.before = before
        self.after = after
    }
}

