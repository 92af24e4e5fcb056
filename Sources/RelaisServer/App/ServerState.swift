import Foundation
import Logging
import RelaisImport
import RelaisModel
import RelaisStore

/// What every route shares: the store, `Directory/`, the clock.
public final class ServerState: Sendable {
    public let context: RelaisContext
    public let clock: @Sendable () -> Date
    public let logger: Logger
    public let indexCache: IndexCache

    public var store: SQLiteStore { context.store }
    public var data: DirectoryData { context.data }
    public var taxonomy: Taxonomy { context.data.taxonomy }

    public init(context: RelaisContext, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "relais")) {
        self.context = context
        self.clock = clock
        self.logger = logger
        self.indexCache = IndexCache(store: context.store, taxonomy: context.data.taxonomy, logger: logger)
    }
}
