import Foundation
import GRDB

public struct AdminUser: Codable, Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var createdAt: String
    public var hasPassword: Bool
    public var tokens: Int
}

public struct AuditEntry: Codable, Sendable, Hashable {
    public var id: Int64
    public var at: String
    public var actor: String
    public var action: String
    public var target: String?
    public var detail: String?
}

/// Admin accounts, API tokens, sessions, login attempts and the audit log.
/// The store keeps only hashes: passwords (scrypt), tokens and session ids
/// (SHA-256) are hashed by the caller before they get here.
extension SQLiteStore {
    public struct AdminError: Error, CustomStringConvertible {
        public let description: String
    }

    static func adminUser(_ r: Row) -> AdminUser {
        AdminUser(id: r["id"], name: r["name"], createdAt: r["created_at"], hasPassword: r["password_hash"] != nil, tokens: r["tokens"] ?? 0)
    }

    static let adminSelect = "SELECT u.*, (SELECT COUNT(*) FROM api_token t WHERE t.user_id = u.id) AS tokens FROM admin_user u"

    public func addAdmin(name: String, passwordHash: String?, at: Date) throws -> AdminUser {
        try pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM admin_user WHERE name = ?", arguments: [name]) == nil else {
                throw AdminError(description: "l’administrateur « \(name) » existe déjà")
            }
            try db.execute(sql: "INSERT INTO admin_user (name, password_hash, created_at) VALUES (?, ?, ?)", arguments: [name, passwordHash, Self.iso(at)])
            return Self.adminUser(try Row.fetchOne(db, sql: Self.adminSelect + " WHERE u.id = ?", arguments: [db.lastInsertedRowID])!)
        }
    }

    public func setAdminPassword(name: String, passwordHash: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE admin_user SET password_hash = ? WHERE name = ?", arguments: [passwordHash, name])
            guard db.changesCount == 1 else { throw AdminError(description: "administrateur « \(name) » introuvable") }
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
            guard db.changesCount == 1 else { throw AdminError(description: "administrateur « \(name) » introuvable") }
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

    // MARK: Login attempts

    /// Records a failed login under each key (account name, client address).
    public func recordLoginFailure(keys: [String], at: Date) throws {
        try pool.write { db in
            // Old attempts are of no use: keep the table small.
            try db.execute(sql: "DELETE FROM login_attempt WHERE at < ?", arguments: [Self.iso(at.addingTimeInterval(-86400))])
            for k in keys { try db.execute(sql: "INSERT INTO login_attempt (key, at) VALUES (?, ?)", arguments: [k, Self.iso(at)]) }
        }
    }

    /// The most failures recorded under any of `keys` since `since`.
    public func loginFailures(keys: [String], since: Date) throws -> Int {
        try pool.read { db in
            try keys.map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM login_attempt WHERE key = ? AND at >= ?", arguments: [$0, Self.iso(since)]) ?? 0 }.max() ?? 0
        }
    }

    public func clearLoginFailures(key: String) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM login_attempt WHERE key = ?", arguments: [key]) }
    }

    // MARK: Audit log

    public func audit(actor: String, action: String, target: String?, detail: String?, at: Date) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [Self.iso(at), actor, action, target, detail])
        }
    }

    public func auditLog(limit: Int = 200, actor: String? = nil) throws -> [AuditEntry] {
        try pool.read { db in
            let sql = "SELECT * FROM audit" + (actor != nil ? " WHERE actor = ?" : "") + " ORDER BY id DESC LIMIT ?"
            let args: StatementArguments = actor.map { [$0, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: sql, arguments: args).map {
                AuditEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], target: $0["target"], detail: $0["detail"])
            }
        }
    }
}
