import RelaisMerge
import RelaisStore
import RelaisModel
import GRDB
import GRDBSQLite

/// Binds and runs a cached GRDB statement through SQLite's C API: the import
/// hot path writes hundreds of thousands of rows, and GRDB's argument boxing
/// was most of their cost. Only for plain INSERT/UPDATE/DELETE statements.
final class RawStatement {
    let statement: Statement
    let handle: OpaquePointer
    /// The row's values, bound when it runs.
    private var values: [Value] = []

    private enum Value {
        case text(String)
        case int(Int64)
        case double(Double)
        case null
    }

    init(_ db: Database, _ sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        values.reserveCapacity(40)
    }

    @discardableResult
    func text(_ v: String?) -> RawStatement {
        values.append(v.map(Value.text) ?? .null)
        return self
    }

    @discardableResult
    func int(_ v: Int?) -> RawStatement {
        values.append(v.map { .int(Int64($0)) } ?? .null)
        return self
    }

    @discardableResult
    func int64(_ v: Int64?) -> RawStatement {
        values.append(v.map(Value.int) ?? .null)
        return self
    }

    @discardableResult
    func bool(_ v: Bool) -> RawStatement { int(v ? 1 : 0) }

    @discardableResult
    func double(_ v: Double?) -> RawStatement {
        values.append(v.map(Value.double) ?? .null)
        return self
    }

    /// Runs the statement with the values given so far, then resets it for the next row.
    func run() throws {
        defer { values.removeAll(keepingCapacity: true) }
        let rc = bindAndStep(from: 0)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: statement.sql)
        }
    }

    private static let static_ = unsafeBitCast(0, to: sqlite3_destructor_type.self)
    nonisolated(unsafe) private static let emptyText: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        p.pointee = 0
        return p
    }()

    /// Binds value `i` and the following ones, then steps — all inside the scopes that keep
    /// each string's bytes alive, so SQLite reads them in place (`SQLITE_STATIC`) instead of
    /// copying each one into a buffer of its own; bindings are cleared before those scopes end.
    private func bindAndStep(from i: Int) -> Int32 {
        guard i < values.count else {
            let t0 = Profiling.enabled ? Profiling.clock() : 0
            let rc = sqlite3_step(handle)
            if Profiling.enabled { Profiling.step(self, since: t0) }
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            return rc
        }
        let position = Int32(i + 1)
        switch values[i] {
        case .text(var s):
            return s.withUTF8 { bytes in
                let base = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? UnsafePointer(Self.emptyText)
                sqlite3_bind_text(handle, position, base, Int32(bytes.count), Self.static_)
                return bindAndStep(from: i + 1)
            }
        case .int(let v):
            sqlite3_bind_int64(handle, position, v)
        case .double(let v):
            sqlite3_bind_double(handle, position, v)
        case .null:
            sqlite3_bind_null(handle, position)
        }
        return bindAndStep(from: i + 1)
    }
}

/// The statements of one write transaction, prepared once: looking a cached
/// statement up by its SQL text hashes that text, a cost paid per row otherwise.
final class WriteStatements {
    let db: Database
    private var prepared: [Int: RawStatement] = [:]
    /// A bulk load (``BulkLoad``) rebuilds the full-text index once at its end: rows are
    /// written without their full-text entries meanwhile.
    var deferFullText = false

    init(_ db: Database) { self.db = db }

    /// The statement for `sql`, identified by the caller's `slot`.
    func callAsFunction(_ slot: Int, _ sql: @autoclosure () -> String) throws -> RawStatement {
        if let s = prepared[slot] { return s }
        let s = try RawStatement(db, sql())
        prepared[slot] = s
        return s
    }
}
