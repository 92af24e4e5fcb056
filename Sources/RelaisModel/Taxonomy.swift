/// A need the referral engine can be asked for.
public struct NeedDefinition: Codable, Sendable, Hashable {
    public var id: String
    public var label: String
    public var description: String?
    /// Kinds that serve this need by default.
    public var kinds: [Kind]
    /// Kinds that serve it when the listing welcomes relatives.
    public var kindsForRelatives: [Kind]

    public init(id: String, label: String, description: String? = nil, kinds: [Kind], kindsForRelatives: [Kind] = []) {
        self.id = id
        self.label = label
        self.description = description
        self.kinds = kinds
        self.kindsForRelatives = kindsForRelatives
    }
}

/// A resource kind with its French wording and defaults.
public struct KindDefinition: Codable, Sendable, Hashable {
    public var kind: Kind
    public var label: String
    public var plural: String
    public var description: String?
    /// Audiences served by default.
    public var audiences: [Audience]
    /// Words that, in a listing's name, reveal this kind (folded, no accents).
    public var keywords: [String]

    public init(kind: Kind, label: String, plural: String, description: String? = nil, audiences: [Audience], keywords: [String]) {
        self.kind = kind
        self.label = label
        self.plural = plural
        self.description = description
        self.audiences = audiences
        self.keywords = keywords
    }
}

/// The needs taxonomy and the kinds, as read from `Directory/`.
public struct Taxonomy: Codable, Sendable {
    public var needs: [NeedDefinition]
    public var kinds: [KindDefinition]
    /// The crisis pseudo-need: answered with emergency help first, never with a referral alone.
    public static let crisisNeed = "crise"

    public init(needs: [NeedDefinition], kinds: [KindDefinition]) {
        self.needs = needs
        self.kinds = kinds
    }

    public var needIDs: [String] { needs.map(\.id) }

    public func need(_ id: String) -> NeedDefinition? { needs.first { $0.id == id } }

    public func kind(_ k: Kind) -> KindDefinition? { kinds.first { $0.kind == k } }

    public func label(of k: Kind) -> String { kind(k)?.label ?? k.rawValue }

    /// Needs a kind serves by default.
    public func defaultNeeds(for k: Kind) -> [String] {
        needs.filter { $0.kinds.contains(k) }.map(\.id)
    }

    /// Every need a listing serves: what it declares, its kind's defaults, and
    /// the needs its kind serves for relatives when it welcomes them.
    public func needs(of c: ListingContent) -> [String] {
        var out = c.needs
        for n in needs where !out.contains(n.id) {
            if n.kinds.contains(c.kind) || (c.audiences.contains(.proche) && n.kindsForRelatives.contains(c.kind)) {
                out.append(n.id)
            }
        }
        return out
    }

    public func defaultAudiences(for k: Kind) -> [Audience] {
        kind(k)?.audiences ?? [.personne]
    }
}

/// A national line or emergency number from `Directory/national.yml`.
public struct EmergencyLine: Codable, Sendable, Hashable {
    public var number: String
    public var name: String
    /// One line on when to call.
    public var when: String

    public init(number: String, name: String, when: String) {
        self.number = number
        self.name = name
        self.when = when
    }
}
