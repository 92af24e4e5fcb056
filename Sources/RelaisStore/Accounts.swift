import Foundation

public struct AdminUser: Codable, Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var createdAt: String
    public var hasPassword: Bool
    public var tokens: Int

    public init(id: Int64, name: String, createdAt: String, hasPassword: Bool, tokens: Int) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.hasPassword = hasPassword
        self.tokens = tokens
    }
}

public struct AuditEntry: Codable, Sendable, Hashable {
    public var id: Int64
    public var at: String
    public var actor: String
    public var action: String
    public var target: String?
    public var detail: String?
    /// How many times the event happened in its minute (aggregated events: refused logins, throttled requests); 1 otherwise.
    public var count: Int

    public init(id: Int64, at: String, actor: String, action: String, target: String? = nil, detail: String? = nil, count: Int) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
        self.count = count
    }
}

/// One key of a login attempt: the (account, client) pair, the client, the account.
public struct LoginThrottleRule: Sendable, Hashable {
    public var key: String
    /// Failures allowed before delays start: after `freeFailures` failures, the
    /// next attempt waits 1 s, then 2 s, 4 s… up to `maxDelay`.
    public var freeFailures: Int
    public var maxDelay: TimeInterval
    /// A pair key: the rule does not apply to a client that signed in on it recently.
    public var waivedForKnown: String?

    public init(key: String, freeFailures: Int, maxDelay: TimeInterval, waivedForKnown: String? = nil) {
        self.key = key
        self.freeFailures = max(1, freeFailures)
        self.maxDelay = max(0, maxDelay)
        self.waivedForKnown = waivedForKnown
    }

    /// The delay after the `failures`-th failure: 2^(failures − free) seconds, capped.
    public func delay(afterFailures failures: Int) -> TimeInterval {
        guard failures >= freeFailures else { return 0 }
        let exponent = min(failures - freeFailures, 40)
        return min(Double(Int64(1) << Int64(exponent)), maxDelay)
    }
}

public struct LoginThrottlePolicy: Sendable, Hashable {
    /// Failures older than this are forgotten.
    public var forgetAfter: TimeInterval
    /// A pair that signed in within this long is a known client (see ``LoginThrottleRule/waivedForKnown``).
    public var knownClientFor: TimeInterval

    public init(forgetAfter: TimeInterval, knownClientFor: TimeInterval) {
        self.forgetAfter = forgetAfter
        self.knownClientFor = knownClientFor
    }
}

public enum LoginGate: Sendable, Equatable {
    /// The attempt is counted (as a failure until the password proves right): check the password.
    case admitted
    /// Too soon after failures: no password check.
    case throttled(retryAfter: TimeInterval)
}

