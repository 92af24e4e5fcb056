import CLibPQ
import Foundation
import RelaisModel
import Synchronization

/// What PostgreSQL or libpq said went wrong: the server's SQLSTATE when there is one
/// (`23505`: a unique key already taken, `40001`: a serialization failure…).
struct PGError: Error, CustomStringConvertible {
    var message: String
    var sqlState: String?

    var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }

    /// The same, as the French error a person reads: the database is out of reach. libpq's own
    /// words (host, port) are not shown to the public.
    var relais: RelaisError {
        RelaisError(.unavailable, "base de données injoignable pour le moment : réessayez dans quelques instants")
    }
}

/// A value bound to a statement's `$n`, sent as text (PostgreSQL reads it by the column or
/// the cast it meets: `$1::timestamptz`, `$2::text[]`). nil is SQL NULL.
protocol PGBindable {
    var pgText: String? { get }
}

extension String: PGBindable { var pgText: String? { self } }
extension Substring: PGBindable { var pgText: String? { String(self) } }
extension Int: PGBindable { var pgText: String? { String(self) } }
extension Int64: PGBindable { var pgText: String? { String(self) } }
extension Int32: PGBindable { var pgText: String? { String(self) } }
/// Flags are integers (0 or 1), as in the SQLite schema.
extension Bool: PGBindable { var pgText: String? { self ? "1" : "0" } }
extension Double: PGBindable {
    /// Finite numbers as Swift writes them shortest (PostgreSQL reads `1e-05`); no infinity.
    var pgText: String? { isFinite ? "\(self)" : nil }
}
extension Date: PGBindable { var pgText: String? { Timestamp.string(self) } }
extension Optional: PGBindable where Wrapped: PGBindable {
    var pgText: String? { flatMap(\.pgText) }
}

/// The parameters of a statement being written: `p.bind(value)` appends the value and gives its
/// placeholder (`$3`), so a query with optional filters numbers them without counting by hand.
struct PGParameters {
    private(set) var values: [any PGBindable] = []

    mutating func bind(_ value: any PGBindable) -> String {
        values.append(value)
        return "$\(values.count)"
    }
}

/// A PostgreSQL array literal of texts (`{"a","b"}`), for `$n::text[]` (one round trip for
/// a list instead of one per element).
struct PGTextArray: PGBindable {
    var values: [String?]
    init(_ values: [String?]) { self.values = values }
    init(_ values: [String]) { self.values = values }

    var pgText: String? {
        var out = "{"
        for (k, v) in values.enumerated() {
            if k > 0 { out += "," }
            guard let v else { out += "NULL"; continue }
            out += "\""
            for c in v.unicodeScalars {
                if c == "\"" || c == "\\" { out += "\\" }
                out.unicodeScalars.append(c)
            }
            out += "\""
        }
        return out + "}"
    }
}

/// The rows a statement returned, read by column name. Every value comes as text (nil: NULL);
/// the typed readers return nil for NULL or for text that is not of their type.
final class PGResult: @unchecked Sendable {
    private let result: OpaquePointer
    let count: Int
    private let columns: [String: Int32]

    fileprivate init(_ result: OpaquePointer) {
        self.result = result
        count = Int(PQntuples(result))
        var columns: [String: Int32] = [:]
        for c in 0..<PQnfields(result) {
            if let name = PQfname(result, c) { columns[String(cString: name)] = c }
        }
        self.columns = columns
    }

    deinit { PQclear(result) }

    /// Rows changed by an INSERT, UPDATE or DELETE.
    var affected: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    var rows: [PGRow] { (0..<count).map { PGRow(result: self, index: Int32($0)) } }

    var first: PGRow? { count > 0 ? PGRow(result: self, index: 0) : nil }

    fileprivate func text(_ row: Int32, _ column: String) -> String? {
        guard let c = columns[column], row < PQntuples(result), PQgetisnull(result, row, c) == 0, let value = PQgetvalue(result, row, c) else { return nil }
        return String(cString: value)
    }

    func has(_ column: String) -> Bool { columns[column] != nil }
}

/// One row of a ``PGResult``.
struct PGRow {
    let result: PGResult
    let index: Int32

    func string(_ column: String) -> String? { result.text(index, column) }
    func int(_ column: String) -> Int? { string(column).flatMap { Int($0) } }
    func int64(_ column: String) -> Int64? { string(column).flatMap { Int64($0) } }
    func double(_ column: String) -> Double? { string(column).flatMap { Double($0) } }
    /// An integer flag (or a boolean): true for anything but 0, false, or NULL.
    func flag(_ column: String) -> Bool {
        guard let s = string(column) else { return false }
        return !(s == "0" || s == "f" || s == "false")
    }
    /// A column that is never NULL; "" (or 0) when it is, rather than a trap.
    func text(_ column: String) -> String { string(column) ?? "" }
}

/// One connection, used by one thread at a time (``PGPool`` hands it out). libpq blocks:
/// the store's methods are synchronous, as SQLite's are.
final class PGConnection: @unchecked Sendable {
    private let conn: OpaquePointer

    init(url: String) throws {
        guard let conn = PQconnectdb(url) else { throw PGError(message: "libpq n’a pas pu allouer de connexion") }
        self.conn = conn
        guard PQstatus(conn) == CONNECTION_OK else {
            // (`deinit` finishes the connection: every property is set, so it runs on this throw too.)
            throw PGError(message: "connexion impossible : \(String(cString: PQerrorMessage(conn)))")
        }
        // Times travel as UTC text; messages stay in the server's language (logs only).
        try batch("SET TIME ZONE 'UTC'; SET client_min_messages = warning")
    }

    deinit { PQfinish(conn) }

    /// Whether the connection still works (a server restarted under it does not).
    var isConnected: Bool { PQstatus(conn) == CONNECTION_OK }

    /// Connected, and outside any transaction: fit to be handed out again.
    var isUsable: Bool { isConnected && PQtransactionStatus(conn) == PQTRANS_IDLE }

    /// One statement with its parameters (`$1`, `$2`…), all sent as text.
    @discardableResult
    func query(_ sql: String, _ parameters: [any PGBindable] = []) throws -> PGResult {
        let texts = parameters.map { $0.pgText }
        let copies: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let raw = copies.map { UnsafePointer($0) }
        let result = raw.withUnsafeBufferPointer { values in
            PQexecParams(conn, sql, Int32(values.count), nil, values.baseAddress, nil, nil, 0)
        }
        return try check(result)
    }

    /// Several statements without parameters (a migration, `BEGIN`…).
    func batch(_ sql: String) throws {
        _ = try check(PQexec(conn, sql))
    }

    private func check(_ result: OpaquePointer?) throws -> PGResult {
        guard let result else { throw PGError(message: String(cString: PQerrorMessage(conn))) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResult(result)
        default:
            let message = String(cString: PQresultErrorMessage(result))
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            PQclear(result)
            throw PGError(message: message, sqlState: state)
        }
    }

    /// `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try batch("BEGIN")
        do {
            let value = try body()
            try batch("COMMIT")
            return value
        } catch {
            try? batch("ROLLBACK")
            throw error
        }
    }

    // LISTEN/NOTIFY

    /// Waits up to `timeout` seconds for a notification (of a channel this connection listens
    /// to), and consumes those received: the caller reads what changed itself.
    func waitForNotifications(upTo timeout: Double) {
        let socket = PQsocket(conn)
        if socket >= 0, timeout > 0 {
            var fds = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            _ = poll(&fds, 1, Int32(timeout * 1000))
        }
        guard PQconsumeInput(conn) == 1 else { return }
        while let n = PQnotifies(conn) { PQfreemem(n) }
    }
}

/// Connections kept between calls, at most `capacity` at once (a caller past it waits).
/// A connection that broke (server restarted, network cut) is dropped, and the next call opens
/// a new one: an instance survives its database restarting.
final class PGPool: Sendable {
    let url: String
    private let idle = Mutex<[PGConnection]>([])
    private let slots: DispatchSemaphore

    init(url: String, capacity: Int = 8) {
        self.url = url
        slots = DispatchSemaphore(value: capacity)
    }

    /// A connection for `body`. The database out of reach (refused, restarted under a kept
    /// connection) is an `unavailable` ``RelaisError``: `/health` answers 503, a load balancer
    /// sends people elsewhere, nothing crashes.
    func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        let connection: PGConnection
        do {
            connection = try idle.withLock({ $0.popLast() }) ?? PGConnection(url: url)
        } catch let error as PGError {
            throw error.relais
        }
        do {
            let value = try body(connection)
            if connection.isUsable { idle.withLock { $0.append(connection) } }
            return value
        } catch let error as PGError where !connection.isConnected {
            throw error.relais
        } catch {
            if connection.isUsable { idle.withLock { $0.append(connection) } }
            throw error
        }
    }

    /// A read: one statement or several, no transaction needed. A kept connection that the
    /// server dropped (it restarted) is replaced and the read tried once more: after a restart,
    /// no reader sees an error for a connection it did not know was dead.
    func read<T>(_ body: (PGConnection) throws -> T) throws -> T {
        do {
            return try withConnection(body)
        } catch let error as RelaisError where error.kind == .unavailable {
            return try withConnection(body)
        }
    }

    /// Write transactions committed by this process (all stores): a data version read before
    /// one of them is read again.
    static let commits = Atomic<Int>(0)

    /// A write: `body` in one transaction.
    @discardableResult
    func write<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let value = try withConnection { c in try c.transaction { try body(c) } }
        Self.commits.add(1, ordering: .releasing)
        return value
    }
}
