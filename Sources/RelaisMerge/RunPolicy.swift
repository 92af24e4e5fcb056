import RelaisModel

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
        // Finite: `live` is a count and `maxShare` is clamped to 0…1 in init.
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

