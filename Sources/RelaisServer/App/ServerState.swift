import Foundation
import Logging
import RelaisImport
import RelaisModel
import RelaisStore

/// How admin access behaves.
public struct AdminSettings: Sendable, Hashable {
    /// An admin session lasts this long after login.
    public var sessionLifetime: TimeInterval
    /// Failed logins allowed per account, and per client address, within `failureWindow`.
    public var maxFailuresPerAccount: Int
    public var maxFailuresPerAddress: Int
    public var failureWindow: TimeInterval
    /// Session cookies carry `Secure` (served over HTTPS, or on localhost where browsers allow it).
    public var secureCookies: Bool

    public init(sessionLifetime: TimeInterval = 8 * 3600, maxFailuresPerAccount: Int = 5, maxFailuresPerAddress: Int = 20,
                failureWindow: TimeInterval = 15 * 60, secureCookies: Bool = true) {
        self.sessionLifetime = sessionLifetime
        self.maxFailuresPerAccount = maxFailuresPerAccount
        self.maxFailuresPerAddress = maxFailuresPerAddress
        self.failureWindow = failureWindow
        self.secureCookies = secureCookies
    }
}

/// What every route shares: the store, `Directory/`, the clock, the scheduler.
public final class ServerState: Sendable {
    public let context: RelaisContext
    public let clock: @Sendable () -> Date
    public let logger: Logger
    public let indexCache: IndexCache
    /// Runs sources on demand ("run now"); `relais serve` also runs its loop.
    public let scheduler: RefreshScheduler
    public let editor: ListingEditor
    public let admin: AdminSettings

    public var store: SQLiteStore { context.store }
    public var data: DirectoryData { context.data }
    public var taxonomy: Taxonomy { context.data.taxonomy }

    public init(context: RelaisContext, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "relais"),
                scheduler: RefreshScheduler? = nil, admin: AdminSettings = .init()) {
        self.context = context
        self.clock = clock
        self.logger = logger
        self.scheduler = scheduler ?? RefreshScheduler(context: context, logger: logger)
        self.editor = ListingEditor(data: context.data)
        self.admin = admin
        self.indexCache = IndexCache(store: context.store, taxonomy: context.data.taxonomy, logger: logger)
    }
}
