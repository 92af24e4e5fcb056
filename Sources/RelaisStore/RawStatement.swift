import GRDB
import GRDBSQLite

/// Binds and runs a cached GRDB statement through SQLite's C API: the import
/// hot path writes hundreds of thousands of rows, and GRDB's argument boxing
/// was most of their cost. Only for plain INSERT/UPDATE/DELETE statements.
final class RawStatement {
    let statement: Statement
    var handle: OpaquePointer { statement.sqliteStatement }
    private var index: Int32 = 0

    init(_ db: Database, _ sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    @discardableResult
    func text(_ v: String?) -> RawStatement {
        index += 1
        if var v {
            v.withUTF8 { b in
                if let base = b.baseAddress {
                    _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(b.count), Self.transient)
                } else {
                    _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
            }
        } else {
            sqlite3_bind_null(handle, index)
        }
        return self
    }

    @discardableResult
    func int(_ v: Int?) -> RawStatement {
        index += 1
        if let v { sqlite3_bind_int64(handle, index, Int64(v)) } else { sqlite3_bind_null(handle, index) }
        return self
    }

    @discardableResult
    func int64(_ v: Int64?) -> RawStatement {
        index += 1
        if let v { sqlite3_bind_int64(handle, index, v) } else { sqlite3_bind_null(handle, index) }
        return self
    }

    @discardableResult
    func bool(_ v: Bool) -> RawStatement { int(v ? 1 : 0) }

    @discardableResult
    func double(_ v: Double?) -> RawStatement {
        index += 1
        if let v { sqlite3_bind_double(handle, index, v) } else { sqlite3_bind_null(handle, index) }
        return self
    }

    /// Runs the statement with the values bound so far, then resets it for the next row.
    func run() throws {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            index = 0
        }
        let t0 = Profiling.enabled ? Profiling.clock() : 0
        let rc = sqlite3_step(handle)
        if Profiling.enabled { Profiling.step(self, since: t0) }
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: statement.sql)
        }
    }
}

/// The statements of one write transaction, prepared once: looking a cached
/// statement up by its SQL text hashes that text, a cost paid per row otherwise.
final class WriteStatements {
    let db: Database
    private var prepared: [Int: RawStatement] = [:]

    init(_ db: Database) { self.db = db }

    /// The statement for `sql`, identified by the caller's `slot`.
    func callAsFunction(_ slot: Int, _ sql: @autoclosure () -> String) throws -> RawStatement {
        if let s = prepared[slot] { return s }
        let s = try RawStatement(db, sql())
        prepared[slot] = s
        return s
    }
}
