/// A search over listings.
public struct SearchQuery: Sendable, Hashable {
    public var text: String?
    public var kind: Kind?
    public var need: String?
    public var departement: String?
    /// Only listings that say they welcome people in this language (ISO 639 code).
    public var language: String?
    /// Only listings whose place has this access feature.
    public var access: AccessFeature?
    public var includeStale: Bool
    public var includeHidden: Bool
    public var page: Int
    public var perPage: Int
    /// Only listings whose row changed after this instant (`2026-12-06T21:15:00Z`, UTC): a change feed.
    public var modifiedAfter: String?
    /// Only listings at this postal code.
    public var postalCode: String?
    /// Only listings of this organization (its key, ``HSDS/organizationKey(_:)``).
    public var organization: String?

    public init(text: String? = nil, kind: Kind? = nil, need: String? = nil, departement: String? = nil, language: String? = nil, access: AccessFeature? = nil,
                includeStale: Bool = true, includeHidden: Bool = false, page: Int = 1, perPage: Int = 20) {
        self.language = language
        self.access = access
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

/// A page of results, in Open Referral's Page shape.
public struct ListingPage: Sendable {
    public var totalItems: Int
    public var page: Int
    public var perPage: Int
    public var listings: [Listing]

    public var totalPages: Int { perPage > 0 ? max(1, (totalItems + perPage - 1) / perPage) : 1 }

    public init(totalItems: Int, page: Int, perPage: Int, listings: [Listing]) {
        self.totalItems = totalItems
        self.page = page
        self.perPage = perPage
        self.listings = listings
    }
}


/// One entry of the change feed: a listing changed (or added) at `at`, or removed then.
public struct ChangedListing: Sendable, Hashable {
    public var id: String
    public var at: String
    public var removed: Bool
    /// The name it had (removals).
    public var name: String?

    public init(id: String, at: String, removed: Bool, name: String?) {
        self.id = id
        self.at = at
        self.removed = removed
        self.name = name
    }
}
