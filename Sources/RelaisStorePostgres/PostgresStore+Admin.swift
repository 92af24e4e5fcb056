import Foundation
import RelaisModel
import RelaisStore

/// Admin accounts, API tokens, sessions, login attempts and the audit log.
/// The store keeps only hashes: passwords (scrypt), tokens and session ids
/// (SHA-256) are hashed by the caller before they get here.
extension PostgresStore {
    static func adminUser(_ r: PGRow) -> AdminUser {
        AdminUser(id: r.int64("id") ?? 0, name: r.text("name"), createdAt: r.text("created_at"), hasPassword: r.string("password_hash") != nil, tokens: r.int("tokens") ?? 0)
    }

    /// An account's columns, its creation time as ISO text.
    static let userColumns = "u.id, u.name, u.password_hash, iso(u.created_at) AS created_at"

    static let adminSelect = "SELECT \(userColumns), (SELECT COUNT(*) FROM api_token t WHERE t.user_id = u.id) AS tokens FROM admin_user u"

    /// The existence check and the insertion are one statement (`name` is unique): two
    /// instances adding the same name at once make one account and one refusal.
    public func addAdmin(name: String, passwordHash: String?, at: Date) throws -> AdminUser {
        try pool.write { c in
            guard let id = try c.query(
                "INSERT INTO admin_user (name, password_hash, created_at) VALUES ($1, $2, $3::timestamptz) ON CONFLICT (name) DO NOTHING RETURNING id",
                [name, passwordHash, Self.iso(at)]).first?.int64("id")
            else { throw RelaisError(.conflict, "l’administrateur « \(name) » existe déjà") }
            guard let row = try c.query(Self.adminSelect + " WHERE u.id = $1", [id]).first else {
                throw RelaisError(.internal, "administrateur « \(name) » créé mais introuvable")
            }
            return Self.adminUser(row)
        }
    }

    public func setAdminPassword(name: String, passwordHash: String) throws {
        try pool.write { c in
            guard try c.query("UPDATE admin_user SET password_hash = $1 WHERE name = $2", [passwordHash, name]).affected == 1 else {
                throw RelaisError(.notFound, "administrateur « \(name) » introuvable")
            }
            // A new password closes every open session of that account.
            try c.query("DELETE FROM admin_session WHERE user_id = (SELECT id FROM admin_user WHERE name = $1)", [name])
        }
    }

    public func adminUsers() throws -> [AdminUser] {
        try pool.read { c in try c.query(Self.adminSelect + " ORDER BY u.name COLLATE \"C\"").rows.map(Self.adminUser) }
    }

    public func adminUser(name: String) throws -> AdminUser? {
        try pool.read { c in try c.query(Self.adminSelect + " WHERE u.name = $1", [name]).first.map(Self.adminUser) }
    }

    /// The stored password hash of an account, for verification.
    public func passwordHash(name: String) throws -> (user: AdminUser, hash: String?)? {
        try pool.read { c in
            try c.query(Self.adminSelect + " WHERE u.name = $1", [name]).first.map { (Self.adminUser($0), $0.string("password_hash")) }
        }
    }

    public func removeAdmin(name: String) throws {
        try pool.write { c in
            guard try c.query("DELETE FROM admin_user WHERE name = $1", [name]).affected == 1 else {
                throw RelaisError(.notFound, "administrateur « \(name) » introuvable")
            }
        }
    }

    // MARK: API tokens

    public func addToken(userID: Int64, label: String?, prefix: String, hash: String, at: Date) throws {
        try pool.write { c in
            _ = try c.query(
                "INSERT INTO api_token (user_id, label, prefix, token_hash, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)",
                [userID, label, prefix, hash, Self.iso(at)])
        }
    }

    /// Tokens whose lookup prefix matches, with their owner, for constant-time comparison by the caller.
    public func tokens(prefix: String) throws -> [(id: Int64, user: AdminUser, hash: String)] {
        try pool.read { c in
            try c.query(
                "SELECT t.id AS token_id, t.token_hash, \(Self.userColumns), 0 AS tokens FROM api_token t JOIN admin_user u ON u.id = t.user_id WHERE t.prefix = $1",
                [prefix]
            ).rows.map { ($0.int64("token_id") ?? 0, Self.adminUser($0), $0.text("token_hash")) }
        }
    }

    public func touchToken(id: Int64, at: Date) throws {
        try pool.write { c in _ = try c.query("UPDATE api_token SET last_used_at = $1::timestamptz WHERE id = $2", [Self.iso(at), id]) }
    }

    public func revokeTokens(userName: String) throws -> Int {
        try pool.write { c in
            try c.query("DELETE FROM api_token WHERE user_id = (SELECT id FROM admin_user WHERE name = $1)", [userName]).affected
        }
    }

    // MARK: Sessions

    public func createSession(idHash: String, userID: Int64, csrf: String, at: Date, expires: Date) throws {
        try pool.write { c in
            try c.query("DELETE FROM admin_session WHERE expires_at <= $1::timestamptz", [Self.iso(at)])
            try c.query(
                "INSERT INTO admin_session (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz)",
                [idHash, userID, csrf, Self.iso(at), Self.iso(expires)])
        }
    }

    /// The account and CSRF token of an unexpired session.
    public func session(idHash: String, now: Date) throws -> (user: AdminUser, csrf: String)? {
        try pool.read { c in
            try c.query(
                "SELECT s.csrf, \(Self.userColumns), 0 AS tokens FROM admin_session s JOIN admin_user u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2::timestamptz",
                [idHash, Self.iso(now)]
            ).first.map { (Self.adminUser($0), $0.text("csrf")) }
        }
    }

    public func deleteSession(idHash: String) throws {
        try pool.write { c in _ = try c.query("DELETE FROM admin_session WHERE id_hash = $1", [idHash]) }
    }

    // MARK: Login throttling

    /// The store's random salt for throttle keys (made by the migration): keys
    /// hold no client address nor typed account name in clear.
    public func throttleSecret() throws -> [UInt8] {
        try pool.read { c in
            guard let hex = try c.query("SELECT encode(secret, 'hex') AS secret FROM throttle_secret WHERE id = 1").first?.string("secret") else { return [] }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(hex.utf8.count / 2)
            var high: UInt8?
            for ch in hex.utf8 {
                guard let nibble = Self.hexNibble(ch) else { return [] }
                if let h = high {
                    bytes.append(h << 4 | nibble)
                    high = nil
                } else {
                    high = nibble
                }
            }
            return bytes
        }
    }

    static func hexNibble(_ ch: UInt8) -> UInt8? {
        switch ch {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): ch - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): ch - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): ch - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Checks every rule of a login attempt and, when none refuses it, counts
    /// the attempt as a failure under each key — in one write transaction,
    /// before the (slow) password check. Concurrent attempts, from any instance,
    /// are serialised by the throttle advisory lock, so each one sees the
    /// attempts admitted before it: thirty parallel attempts cannot all be
    /// judged against a count of zero. A success then clears the keys
    /// (``loginSucceeded(keys:pair:at:)``).
    ///
    /// A refused attempt adds to an aggregated `login.limited` audit row.
    public func admitLoginAttempt(_ rules: [LoginThrottleRule], policy: LoginThrottlePolicy, actor: String, at: Date) throws -> LoginGate {
        let now = at.timeIntervalSince1970
        return try pool.write { c in
            try Self.lock(c, .throttle)
            try c.query(
                "DELETE FROM login_throttle WHERE updated < $1 AND (last_success IS NULL OR last_success < $2)",
                [now - policy.forgetAfter, now - policy.knownClientFor])
            // The rules' rows only, as SQLite reads them: a waiving pair counts when it is one of the rules' keys.
            var rows: [String: PGRow] = [:]
            for row in try c.query("SELECT * FROM login_throttle WHERE key = ANY($1::text[])", [PGTextArray(rules.map(\.key))]).rows {
                rows[row.text("key")] = row
            }
            var wait: TimeInterval = 0
            for rule in rules {
                if let pair = rule.waivedForKnown, let success = rows[pair]?.double("last_success"), success >= now - policy.knownClientFor { continue }
                if let until = rows[rule.key]?.double("blocked_until"), until > now { wait = max(wait, until - now) }
            }
            if wait > 0 {
                try Self.auditAggregated(c, actor: actor, action: "login.limited", at: at)
                return .throttled(retryAfter: wait)
            }
            for rule in rules {
                let row = rows[rule.key]
                let recent = row?.double("last_failure").map { $0 >= now - policy.forgetAfter } ?? false
                let previous = recent ? (row?.int("failures") ?? 0) : 0
                let failures = previous + 1
                let until: Double? = failures >= rule.freeFailures ? now + rule.delay(afterFailures: failures) : nil
                try c.query(
                    """
                    INSERT INTO login_throttle (key, failures, last_failure, blocked_until, updated) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure,
                        blocked_until = excluded.blocked_until, updated = excluded.updated
                    """,
                    [rule.key, failures, now, until, now])
            }
            return .admitted
        }
    }

    /// The password was right: the attempt was no failure. Clears `keys` and
    /// remembers that this (account, client) pair signed in.
    public func loginSucceeded(keys: [String], pair: String, at: Date) throws {
        let now = at.timeIntervalSince1970
        try pool.write { c in
            try Self.lock(c, .throttle)
            try c.query(
                "UPDATE login_throttle SET failures = 0, last_failure = NULL, blocked_until = NULL, updated = $1 WHERE key = ANY($2::text[])",
                [now, PGTextArray(keys)])
            try c.query(
                "INSERT INTO login_throttle (key, last_success, updated) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET last_success = excluded.last_success",
                [pair, now, now])
        }
    }

    /// The number of rows of the throttle table (tests, supervision).
    public func loginThrottleRows() throws -> Int {
        try pool.read { c in try c.query("SELECT COUNT(*) AS n FROM login_throttle").first?.int("n") ?? 0 }
    }

    // MARK: Audit log

    public func audit(actor: String, action: String, target: String?, detail: String?, at: Date) throws {
        try pool.write { c in
            _ = try c.query(
                "INSERT INTO audit (at, actor, action, target, detail) VALUES ($1::timestamptz, $2, $3, $4, $5)",
                [Self.iso(at), actor, action, target, detail])
        }
    }

    /// An event that can come in floods (refused logins, throttled requests):
    /// one row per action, actor and minute, its `count` raised in place — a
    /// flood writes a row a minute, not a row an attempt.
    public func auditAggregated(actor: String, action: String, at: Date) throws {
        try pool.write { c in try Self.auditAggregated(c, actor: actor, action: action, at: at) }
    }

    /// The upsert on the unique partial index is atomic: no lock needed.
    static func auditAggregated(_ c: PGConnection, actor: String, action: String, at: Date) throws {
        let minute = Int64((at.timeIntervalSince1970 / 60).rounded(.down))
        try c.query(
            """
            INSERT INTO audit (at, actor, action, count, bucket) VALUES ($1::timestamptz, $2, $3, 1, $4)
            ON CONFLICT (bucket) WHERE bucket IS NOT NULL DO UPDATE SET count = audit.count + 1
            """,
            [Self.iso(at), actor, action, "\(action)|\(actor)|\(minute)"])
    }

    /// The number of rows of the audit log.
    public func auditRowCount() throws -> Int {
        try pool.read { c in try c.query("SELECT COUNT(*) AS n FROM audit").first?.int("n") ?? 0 }
    }

    public func auditLog(limit: Int = 200, actor: String? = nil) throws -> [AuditEntry] {
        try pool.read { c in
            let sql = "SELECT id, iso(at) AS at, actor, action, target, detail, count FROM audit"
                + (actor != nil ? " WHERE actor = $1 ORDER BY id DESC LIMIT $2" : " ORDER BY id DESC LIMIT $1")
            let parameters: [any PGBindable] = actor.map { [$0, limit] } ?? [limit]
            return try c.query(sql, parameters).rows.map {
                AuditEntry(
                    id: $0.int64("id") ?? 0, at: $0.text("at"), actor: $0.text("actor"), action: $0.text("action"), target: $0.string("target"),
                    detail: $0.string("detail"), count: $0.int("count") ?? 1)
            }
        }
    }
}
