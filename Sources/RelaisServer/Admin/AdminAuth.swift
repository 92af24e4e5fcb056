import Foundation
import HTTPTypes
import Hummingbird
import RelaisAuth
import RelaisModel
import RelaisStore

/// Admin credentials: API tokens (`Authorization: Bearer`) for /api/admin,
/// session cookies for the /admin pages. Only hashes are stored; every
/// comparison is constant-time; failed logins slow down the next attempts
/// per (account, client), per client and — briefly — per account, without
/// ever locking the account (see ``LoginThrottleSettings``).
struct AdminAuth: Sendable {
    let accounts: any AccountStore
    let settings: AdminSettings
    let clients: Clients
    let clock: @Sendable () -> Date

    static let sessionCookie = "relais_session"
    static let loginCookie = "relais_login"

    static func cookies(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                out[kv[0].trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return out
    }

    /// The admin behind a bearer token, if the token is valid.
    func bearer(_ request: Request) async throws -> AdminIdentity? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        let presented = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard let prefix = APIToken.prefix(of: presented) else { return nil }
        let hash = Array(Secrets.sha256Hex(presented).utf8)
        for candidate in try await accounts.tokens(prefix: prefix) where Secrets.constantTimeEquals(hash, Array(candidate.hash.utf8)) {
            try? await accounts.touchToken(id: candidate.id, at: clock())
            return AdminIdentity(user: candidate.user, via: .token, csrf: nil)
        }
        return nil
    }

    /// The admin behind the session cookie, if the session is open.
    func session(_ request: Request) async throws -> AdminIdentity? {
        guard let id = Self.cookies(request)[Self.sessionCookie], id.count >= 40 else { return nil }
        guard let s = try await accounts.session(idHash: Secrets.sha256Hex(id), now: clock()) else { return nil }
        return AdminIdentity(user: s.user, via: .session, csrf: s.csrf)
    }

    enum LoginOutcome {
        case success(sessionID: String, user: AdminUser)
        case refused
        case limited(retryAfter: TimeInterval)
    }

    /// A scrypt hash to verify against when the account does not exist, so
    /// that an unknown name takes as long as a wrong password.
    static let decoy: String = (try? PasswordHasher.standard.hash(Secrets.randomToken())) ?? "scrypt$17$8$1$AAAA$AAAA"

    /// The audit actor of an attempt on a name that is no account: what was
    /// typed is not kept (it is sometimes a password typed in the wrong field).
    static let unknownAccount = "(compte inconnu)"

    func login(name: String, password: String, client: ClientAddress) async throws -> LoginOutcome {
        let now = clock()
        let settings = self.settings.login
        let account = name.lowercased()
        let pair = clients.throttleKey("paire", account + "\n" + client.key)
        let rules = [
            LoginThrottleRule(key: pair, freeFailures: settings.freeFailuresPerPair, maxDelay: settings.maxDelay),
            LoginThrottleRule(key: clients.throttleKey("client", client.key), freeFailures: settings.freeFailuresPerClient, maxDelay: settings.maxDelay),
            LoginThrottleRule(key: clients.throttleKey("compte", account), freeFailures: settings.freeFailuresPerAccount, maxDelay: settings.maxAccountDelay,
                              waivedForKnown: pair),
        ]
        let stored = try await accounts.passwordHash(name: name)
        let actor = stored?.user.name ?? Self.unknownAccount
        // Counted (as a failure until proven otherwise) before the password check, atomically.
        let policy = LoginThrottlePolicy(forgetAfter: settings.forgetAfter, knownClientFor: settings.knownClientFor)
        if case .throttled(let wait) = try await accounts.admitLoginAttempt(rules, policy: policy, actor: actor, at: now) {
            return .limited(retryAfter: wait)
        }
        let hash = stored?.hash ?? Self.decoy
        // scrypt is slow on purpose: keep it off the request threads.
        let ok = await withCheckedContinuation { c in
            DispatchQueue.global().async { c.resume(returning: PasswordHasher.verify(password, against: hash)) }
        }
        guard ok, let user = stored?.user else {
            try await accounts.auditAggregated(actor: actor, action: "login.failed", at: now)
            return .refused
        }
        try await accounts.loginSucceeded(keys: rules.map(\.key), pair: pair, at: now)
        let sessionID = Secrets.randomToken()
        try await accounts.createSession(
            idHash: Secrets.sha256Hex(sessionID), userID: user.id, csrf: Secrets.randomToken(), at: now, expires: now.addingTimeInterval(self.settings.sessionLifetime))
        try await accounts.audit(actor: user.name, action: "login", target: nil, detail: nil, at: now)
        return .success(sessionID: sessionID, user: user)
    }

    /// Whole seconds, rounded up, within 1 s…1 year (NaN and infinities included).
    static func wholeSeconds(_ seconds: TimeInterval) -> Int {
        guard seconds.isFinite, seconds > 1 else { return 1 }
        return seconds >= 31_536_000 ? 31_536_000 : Int(seconds.rounded(.up))
    }

    /// « 30 secondes », « 2 minutes » (rounded up), for the French messages.
    static func frenchDuration(_ seconds: TimeInterval) -> String {
        let s = wholeSeconds(seconds)
        if s < 60 { return s == 1 ? "1\u{A0}seconde" : "\(s)\u{A0}secondes" }
        let m = (s + 59) / 60
        if m < 120 { return m == 1 ? "1\u{A0}minute" : "\(m)\u{A0}minutes" }
        return "\((m + 59) / 60)\u{A0}heures"
    }

    func logout(_ request: Request, identity: AdminIdentity) async throws {
        if let id = Self.cookies(request)[Self.sessionCookie] { try await accounts.deleteSession(idHash: Secrets.sha256Hex(id)) }
        try await accounts.audit(actor: identity.user.name, action: "logout", target: nil, detail: nil, at: clock())
    }

    /// A cookie for the admin pages only: HttpOnly, SameSite=Strict, Secure.
    func cookie(_ name: String, _ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/admin; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (settings.secureCookies ? "; Secure" : "")
    }
}

/// /api/admin: a valid bearer token, or 401.
struct APIAdminMiddleware: RouterMiddleware {
    typealias Context = RelaisRequestContext
    let auth: AdminAuth

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let identity = try await auth.bearer(request) else {
            throw RelaisError(.unauthorized, "Authentification requise : en-tête « Authorization: Bearer <jeton> » avec un jeton créé par « relais admin token NOM ».")
        }
        var context = context
        context.admin = identity
        return try await next(request, context)
    }
}

/// /admin pages: an open session, else a redirection to the login page.
struct PageAdminMiddleware: RouterMiddleware {
    typealias Context = RelaisRequestContext
    let auth: AdminAuth

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/admin/login" || path == "/admin/static/admin.css" { return try await next(request, context) }
        guard let identity = try await auth.session(request) else {
            let target = request.method == .get ? path : "/admin"
            return Response.redirect(to: "/admin/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/admin"), type: .normal)
        }
        var context = context
        context.admin = identity
        return try await next(request, context)
    }
}
