import Hummingbird
import NIOCore
import RelaisStore

/// Who an admin request acts as, once authenticated.
public struct AdminIdentity: Sendable {
    public enum Via: String, Sendable { case token, session }
    public let user: AdminUser
    public let via: Via
    /// The session's CSRF token (forms); nil for API tokens.
    public let csrf: String?
}

/// The request context of every route: the socket's peer and, under /admin
/// and /api/admin, the authenticated admin. The client's address is read
/// through ``ServerState/client(of:context:)`` only (trusted proxies).
public struct RelaisRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var admin: AdminIdentity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
