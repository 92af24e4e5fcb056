import Foundation
import RelaisStore

/// How admin access behaves, and how the unauthenticated writes (login
/// attempts, reports) are bounded.
public struct AdminSettings: Sendable, Hashable {
    /// An admin session lasts this long after login.
    public var sessionLifetime: TimeInterval
    /// Login throttling (see ``LoginThrottleSettings``).
    public var login: LoginThrottleSettings
    /// Limits of « signaler une erreur ».
    public var reports: ReportLimits
    /// Reverse proxies whose forwarding header gives the client's address; none by default.
    public var trustedProxies: TrustedProxies
    /// Session cookies carry `Secure` (served over HTTPS, or on localhost where browsers allow it).
    public var secureCookies: Bool

    public init(sessionLifetime: TimeInterval = 8 * 3600, login: LoginThrottleSettings = .init(), reports: ReportLimits = .init(),
                trustedProxies: TrustedProxies = .init(), secureCookies: Bool = true) {
        self.sessionLifetime = sessionLifetime
        self.login = login
        self.reports = reports
        self.trustedProxies = trustedProxies
        self.secureCookies = secureCookies
    }
}

/// Failed logins slow down the next attempts; they never lock an account.
///
/// Three keys are counted for every attempt, and an attempt goes on to the
/// password check only when none of them is in its delay:
///
/// - the **(account, client) pair**: after `freeFailuresPerPair` failures the
///   next attempt waits 1 s, then 2 s, 4 s… up to `maxDelay` (15 min). This is
///   what stops one client from guessing one account's password;
/// - the **client**: the same, after `freeFailuresPerClient` failures on any
///   accounts — one client trying many names;
/// - the **account**, whatever the client: after `freeFailuresPerAccount`,
///   a delay that stays short (`maxAccountDelay`, 30 s) and does not apply to
///   a client that signed in to that account within `knownClientFor`.
///
/// Why not a lock per account: anyone who knows an admin's name could keep the
/// admin out by failing on purpose (the old limit: five wrong passwords from
/// anywhere refused even the right one). Here the failures of client A delay A
/// only; the real admin at address B is delayed at most `maxAccountDelay`
/// while many addresses fail together, and not at all from an address where
/// they signed in before. The account key still bounds a guess spread over
/// many addresses to about one password check per `maxAccountDelay`.
///
/// Counting happens before the slow scrypt check, in one write transaction
/// (``AccountStore/admitLoginAttempt(_:policy:actor:at:)``): parallel attempts
/// cannot all be judged against the same count.
public struct LoginThrottleSettings: Sendable, Hashable {
    public var freeFailuresPerPair: Int
    public var freeFailuresPerClient: Int
    public var freeFailuresPerAccount: Int
    public var maxDelay: TimeInterval
    public var maxAccountDelay: TimeInterval
    /// Failures older than this are forgotten.
    public var forgetAfter: TimeInterval
    public var knownClientFor: TimeInterval

    public init(freeFailuresPerPair: Int = 5, freeFailuresPerClient: Int = 20, freeFailuresPerAccount: Int = 10, maxDelay: TimeInterval = 15 * 60,
                maxAccountDelay: TimeInterval = 30, forgetAfter: TimeInterval = 3600, knownClientFor: TimeInterval = 30 * 86400) {
        self.freeFailuresPerPair = freeFailuresPerPair
        self.freeFailuresPerClient = freeFailuresPerClient
        self.freeFailuresPerAccount = freeFailuresPerAccount
        self.maxDelay = maxDelay
        self.maxAccountDelay = maxAccountDelay
        self.forgetAfter = forgetAfter
        self.knownClientFor = knownClientFor
    }
}

/// How many reports « signaler une erreur » stores: per client and overall,
/// over sliding windows. Beyond, the form answers 429 and stores nothing.
public struct ReportLimits: Sendable, Hashable {
    public struct Limit: Sendable, Hashable {
        public var count: Int
        public var seconds: TimeInterval
        public init(_ count: Int, per seconds: TimeInterval) {
            self.count = count
            self.seconds = seconds
        }
    }

    public var perClient: [Limit]
    public var overall: [Limit]
    /// Longest accepted message, in characters.
    public var maxMessageLength: Int

    public init(perClient: [Limit] = [.init(5, per: 600), .init(20, per: 86400)], overall: [Limit] = [.init(200, per: 3600), .init(1000, per: 86400)],
                maxMessageLength: Int = 2000) {
        self.perClient = perClient
        self.overall = overall
        self.maxMessageLength = maxMessageLength
    }
}
