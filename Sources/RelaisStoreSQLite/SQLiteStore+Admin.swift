import RelaisMerge
import RelaisStore
import RelaisModel
import Foundation
import GRDB

/// Admin accounts, API tokens, sessions, login attempts and the audit log.
/// The store keeps only hashes: passwords (scrypt), tokens and session ids
/// (SHA-256) are hashed by the caller before they get here.
extension SQLiteStore {
    static func adminUser(_ r: Row) -> AdminUser {
        AdminUser(id: r["id"], name: r["name"], createdAt: r["created_at"], hasPassword: r["password_hash"] != nil, tokens: r["tokens"] ?? 0)
    }

    static let adminSelect = "SELECT u.*, (SELECT COUNT(*) FROM api_token t WHERE t.user_id = u.id) AS tokens FROM admin_user u"

    public func addAdmin(name: String, passwordHash: String?, at: Date) throws -> AdminUser {
        try pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM admin_user WHERE name = ?", arguments: [name]) == nil else {
                throw RelaisError(.conflict, "l’administrateur « \(name) » existe déjà")
            }
            try db.execute(sql: "INSERT INTO admin_user (name, password_hash, created_at) VALUES (?, ?, ?)", arguments: [name, passwordHash, Self.iso(at)])
            return Self.adminUser(try Row.fetchOne(db, sql: Self.adminSelect + " WHERE u.id = ?", arguments: [db.lastInsertedRowID])!)
        }
    }

    public func setAdminPassword(name: String, passwordHash: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE admin_user SET password_hash = ? WHERE name = ?", arguments: [passwordHash, name])
            guard db.changesCount == 1 else { throw RelaisError(.notFound, "administrateur « \(name) » introuvable") }
            // A new password closes every open session of that account.
            try db.execute(sql: "DELETE FROM admin_session WHERE user_id = (SELECT id FROM admin_user WHERE name = ?)", arguments: [name])
        }
    }

    public func adminUsers() throws -> [AdminUser] {
        try pool.read { db in try Row.fetchAll(db, sql: Self.adminSelect + " ORDER BY u.name").map(Self.adminUser) }
    }

    public func adminUser(name: String) throws -> AdminUser? {
        try pool.read { db in try Row.fetchOne(db, sql: Self.adminSelect + " WHERE u.name = ?", arguments: [name]).map(Self.adminUser) }
    }

    /// The stored password hash of an account, for verification.
    public func passwordHash(name: String) throws -> (user: AdminUser, hash: String?)? {
        try pool.read { db in
            try Row.fetchOne(db, sql: Self.adminSelect + " WHERE u.name = ?", arguments: [name]).map { (Self.adminUser($0), $0["password_hash"]) }
        }
    }

    public func removeAdmin(name: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM admin_user WHERE name = ?", arguments: [name])
            guard db.changesCount == 1 else { throw RelaisError(.notFound, "administrateur « \(name) » introuvable") }
        }
    }

    // MARK: API tokens

    public func addToken(userID: Int64, label: String?, prefix: String, hash: String, at: Date) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_token (user_id, label, prefix, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [userID, label, prefix, hash, Self.iso(at)])
        }
    }

    /// Tokens whose lookup prefix matches, with their owner, for constant-time comparison by the caller.
    public func tokens(prefix: String) throws -> [(id: Int64, user: AdminUser, hash: String)] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT t.id AS token_id, t.token_hash, u.*, 0 AS tokens FROM api_token t JOIN admin_user u ON u.id = t.user_id WHERE t.prefix = ?",
                arguments: [prefix]
            ).map { ($0["token_id"], Self.adminUser($0), $0["token_hash"]) }
        }
    }

    public func touchToken(id: Int64, at: Date) throws {
        try pool.write { db in try db.execute(sql: "UPDATE api_token SET last_used_at = ? WHERE id = ?", arguments: [Self.iso(at), id]) }
    }

    public func revokeTokens(userName: String) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM api_token WHERE user_id = (SELECT id FROM admin_user WHERE name = ?)", arguments: [userName])
            return db.changesCount
        }
    }

    // MARK: Sessions

    public func createSession(idHash: String, userID: Int64, csrf: String, at: Date, expires: Date) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM admin_session WHERE expires_at <= ?", arguments: [Self.iso(at)])
            try db.execute(
                sql: "INSERT INTO admin_session (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [idHash, userID, csrf, Self.iso(at), Self.iso(expires)])
        }
    }

    /// The account and CSRF token of an unexpired session.
    public func session(idHash: String, now: Date) throws -> (user: AdminUser, csrf: String)? {
        try pool.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT s.csrf, u.*, 0 AS tokens FROM admin_session s JOIN admin_user u ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_at > ?",
                arguments: [idHash, Self.iso(now)]
            ).map { (Self.adminUser($0), $0["csrf"]) }
        }
    }

    public func deleteSession(idHash: String) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM admin_session WHERE id_hash = ?", arguments: [idHash]) }
    }

    // MARK: Login throttling

    /// The store's random salt for throttle keys (made by the migration): keys
    /// hold no client address nor typed account name in clear.
    public func throttleSecret() throws -> [UInt8] {
        try pool.read { db in
            let data = try Data.fetchOne(db, sql: "SELECT secret FROM throttle_secret WHERE id = 1")
            return data.map { [UInt8]($0) } ?? []
        }
    }

    /// Checks every rule of a login attempt and, when none refuses it, counts
    /// the attempt as a failure under each key — in one write transaction,
    /// before the (slow) password check. Concurrent attempts are serialised
    /// by SQLite's write lock, so each one sees the attempts admitted before
    /// it: thirty parallel attempts cannot all be judged against a count of
    /// zero. A success then clears the keys (``loginSucceeded(keys:pair:at:)``).
    ///
    /// A refused attempt adds to an aggregated `login.limited` audit row.
    public func admitLoginAttempt(_ rules: [LoginThrottleRule], policy: LoginThrottlePolicy, actor: String, at: Date) throws -> LoginGate {
        let now = at.timeIntervalSince1970
        return try pool.write { db in
            try db.execute(
                sql: "DELETE FROM login_throttle WHERE updated < ? AND (last_success IS NULL OR last_success < ?)",
                arguments: [now - policy.forgetAfter, now - policy.knownClientFor])
            var rows: [String: Row] = [:]
            for rule in rules {
                rows[rule.key] = try Row.fetchOne(db, sql: "SELECT * FROM login_throttle WHERE key = ?", arguments: [rule.key])
            }
            var wait: TimeInterval = 0
            for rule in rules {
                if let pair = rule.waivedForKnown, let success = Self.real(rows[pair], "last_success"), success >= now - policy.knownClientFor { continue }
                if let until = Self.real(rows[rule.key], "blocked_until"), until > now { wait = max(wait, until - now) }
            }
            if wait > 0 {
                try Self.auditAggregated(db, actor: actor, action: "login.limited", at: at)
                return .throttled(retryAfter: wait)
            }
            for rule in rules {
                let row = rows[rule.key]
                let recent = Self.real(row, "last_failure").map { $0 >= now - policy.forgetAfter } ?? false
                let previous = recent ? (row.flatMap { $0["failures"] as Int? } ?? 0) : 0
                let failures = previous + 1
                let until: Double? = failures >= rule.freeFailures ? now + rule.delay(afterFailures: failures) : nil
                try db.execute(
                    sql: """
                        INSERT INTO login_throttle (key, failures, last_failure, blocked_until, updated) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure,
                            blocked_until = excluded.blocked_until, updated = excluded.updated
                        """,
                    arguments: [rule.key, failures, now, until, now])
            }
            return .admitted
        }
    }

    static func real(_ row: Row?, _ column: String) -> Double? { row.flatMap { $0[column] as Double? } }

    /// The password was right: the attempt was no failure. Clears `keys` and
    /// remembers that this (account, client) pair signed in.
    public func loginSucceeded(keys: [String], pair: String, at: Date) throws {
        let now = at.timeIntervalSince1970
        try pool.write { db in
            for k in keys {
                try db.execute(sql: "UPDATE login_throttle SET failures = 0, last_failure = NULL, blocked_until = NULL, updated = ? WHERE key = ?", arguments: [now, k])
            }
            try db.execute(
                sql: "INSERT INTO login_throttle (key, last_success, updated) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET last_success = excluded.last_success",
                arguments: [pair, now, now])
        }
    }

    /// The number of rows of the throttle table (tests, supervision).
    public func loginThrottleRows() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM login_throttle") ?? 0 }
    }

    // MARK: Audit log

    public func audit(actor: String, action: String, target: String?, detail: String?, at: Date) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [Self.iso(at), actor, action, target, detail])
        }
    }

    /// An event that can come in floods (refused logins, throttled requests):
    /// one row per action, actor and minute, its `count` raised in place — a
    /// flood writes a row a minute, not a row an attempt.
    public func auditAggregated(actor: String, action: String, at: Date) throws {
        try pool.write { db in try Self.auditAggregated(db, actor: actor, action: action, at: at) }
    }

    static func auditAggregated(_ db: Database, actor: String, action: String, at: Date) throws {
        let minute = Int64((at.timeIntervalSince1970 / 60).rounded(.down))
        try db.execute(
            sql: """
                INSERT INTO audit (at, actor, action, count, bucket) VALUES (?, ?, ?, 1, ?)
                ON CONFLICT(bucket) WHERE bucket IS NOT NULL DO UPDATE SET count = count + 1
                """,
            arguments: [Self.iso(at), actor, action, "\(action)|\(actor)|\(minute)"])
    }

    /// The number of rows of the audit log.
    public func auditRowCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit") ?? 0 }
    }

    public func auditLog(limit: Int = 200, actor: String? = nil) throws -> [AuditEntry] {
        try pool.read { db in
            let sql = "SELECT * FROM audit" + (actor != nil ? " WHERE actor = ?" : "") + " ORDER BY id DESC LIMIT ?"
            let args: StatementArguments = actor.map { [$0, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: sql, arguments: args).map {
                AuditEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], target: $0["target"], detail: $0["detail"], count: $0["count"] ?? 1)
            }
        }
    }
}
