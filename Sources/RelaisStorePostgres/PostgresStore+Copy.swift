import Foundation
import RelaisModel

/// Whole-table reads and writes for `relais migrate-store` (RelaisApp's `StoreCopy` drives them;
/// it knows nothing of libpq). Values travel as canonical text, the same as SQLite's side gives:
/// integers in decimal, reals as Swift writes a `Double`, timestamps as `iso(col)`
/// (`YYYY-MM-DDTHH:MM:SSZ`), `bytea` in lowercase hexadecimal, NULL as nil.
extension PostgresStore {
    /// One table of the schema as the copy sees it: its columns in order, generated ones left
    /// out (`search_*`, `content_json`: PostgreSQL computes them), each with its type
    /// (`information_schema.columns.data_type`) and whether it is an identity column; its
    /// primary key's columns (none: `report_event`).
    public struct CopyTableLayout: Sendable {
        public var name: String
        public var columns: [(name: String, type: String, identity: Bool)]
        public var primaryKey: [String]
    }

    /// The tables of the current schema, but the migration ledger (`relais_migration`).
    public func copyLayout() throws -> [CopyTableLayout] {
        try pool.read { c in
            let columns = try c.query("""
                SELECT c.table_name, c.column_name, c.data_type, c.is_identity, c.is_generated
                FROM information_schema.columns c
                JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'relais_migration'
                ORDER BY c.table_name, c.ordinal_position
                """).rows
            let keys = try c.query("""
                SELECT k.table_name, k.column_name
                FROM information_schema.table_constraints tc
                JOIN information_schema.key_column_usage k
                  ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name
                WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
                ORDER BY k.table_name, k.ordinal_position
                """).rows
            var layouts: [String: CopyTableLayout] = [:]
            var order: [String] = []
            for row in columns {
                let table = row.text("table_name")
                if layouts[table] == nil {
                    layouts[table] = CopyTableLayout(name: table, columns: [], primaryKey: [])
                    order.append(table)
                }
                guard row.text("is_generated") != "ALWAYS" else { continue }
                layouts[table]?.columns.append((row.text("column_name"), row.text("data_type"), row.text("is_identity") == "YES"))
            }
            for row in keys { layouts[row.text("table_name")]?.primaryKey.append(row.text("column_name")) }
            return order.compactMap { layouts[$0] }
        }
    }

    /// `body` with one consistent view of the database (a read-only, repeatable-read transaction).
    public func copyReading<T>(_ body: (PostgresCopyConnection) throws -> T) throws -> T {
        do {
            return try pool.withConnection { c in
                try c.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                do {
                    let value = try body(PostgresCopyConnection(connection: c))
                    try c.batch("COMMIT")
                    return value
                } catch {
                    try? c.batch("ROLLBACK")
                    throw error
                }
            }
        } catch let error as PGError {
            throw error.relais
        }
    }

    /// `body` in one write transaction: committed when it returns, rolled back (nothing
    /// written) when it throws. Every instance hears the data version change at the commit.
    public func copyWriting<T>(_ body: (PostgresCopyConnection) throws -> T) throws -> T {
        do {
            return try pool.write { c in
                let value = try body(PostgresCopyConnection(connection: c))
                try c.query("SELECT pg_notify('relais_data_version', COALESCE((SELECT value::text FROM meta WHERE key = 'data_version'), '0'))")
                return value
            }
        } catch let error as PGError {
            throw error.relais
        }
    }
}

/// A connection inside ``PostgresStore/copyReading(_:)`` or ``PostgresStore/copyWriting(_:)``.
public struct PostgresCopyConnection {
    let connection: PGConnection

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The canonical text of a column, as selected.
    static func selected(_ name: String, type: String) -> String {
        let q = quoted(name)
        switch type {
        case "timestamp with time zone": return "iso(\(q))"
        case "bytea": return "encode(\(q), 'hex')"
        case "text", "character varying": return q
        default: return "\(q)::text"
        }
    }

    /// A column's value from its canonical text (`u.col`, text) in an INSERT.
    static func cast(_ expression: String, type: String) -> String {
        switch type {
        case "text", "character varying": return expression
        case "bytea": return "decode(\(expression), 'hex')"
        case "timestamp with time zone": return "\(expression)::timestamptz"
        default: return "\(expression)::\(type)"
        }
    }

    /// Rows of `table` in the order of `orderBy`, in batches of `batch`, canonical text:
    /// `columns` (name, PostgreSQL type); `filter`: a condition on the rows, or nil.
    public func rows(
        table: String, columns: [(name: String, type: String)], orderBy: [String], filter: String?, batch: Int,
        _ each: ([[String?]]) throws -> Void
    ) throws {
        let select = columns.enumerated().map { k, c in "\(Self.selected(c.name, type: c.type)) AS c\(k)" }.joined(separator: ", ")
        let order = orderBy.isEmpty ? "" : " ORDER BY " + orderBy.map { Self.quoted($0) }.joined(separator: ", ")
        let whereSQL = filter.map { " WHERE \($0)" } ?? ""
        let real = columns.map { $0.type == "double precision" || $0.type == "real" }
        try connection.batch("DECLARE relais_copy NO SCROLL CURSOR FOR SELECT \(select) FROM \(Self.quoted(table))\(whereSQL)\(order)")
        defer { try? connection.batch("CLOSE relais_copy") }
        let names = columns.indices.map { "c\($0)" }
        while true {
            let result = try connection.query("FETCH FORWARD \(max(1, batch)) FROM relais_copy")
            guard result.count > 0 else { break }
            var rows: [[String?]] = []
            rows.reserveCapacity(result.count)
            for row in result.rows {
                rows.append(names.indices.map { k in
                    guard let text = row.string(names[k]) else { return nil }
                    // Reals as Swift writes them (SQLite's side is read as Double too): `1`, `1.0` and `1e0` are one number.
                    return real[k] ? (Double(text).map { "\($0)" } ?? text) : text
                })
            }
            try each(rows)
            if result.count < batch { break }
        }
    }

    /// How many rows `table` holds.
    public func count(_ table: String) throws -> Int {
        try connection.query("SELECT COUNT(*) AS n FROM \(Self.quoted(table))").first?.int("n") ?? 0
    }

    /// Locks `tables` until the transaction ends: no other instance reads or writes them meanwhile.
    public func lock(_ tables: [String]) throws {
        guard !tables.isEmpty else { return }
        try connection.batch("LOCK TABLE \(tables.map(Self.quoted).joined(separator: ", ")) IN ACCESS EXCLUSIVE MODE")
    }

    /// Empties `tables` (all at once: foreign keys between them do not matter), identities restarted.
    public func empty(_ tables: [String]) throws {
        guard !tables.isEmpty else { return }
        try connection.batch("TRUNCATE \(tables.map(Self.quoted).joined(separator: ", ")) RESTART IDENTITY")
    }

    /// Inserts `rows` (canonical text, in the order of `columns`) in one statement: one text
    /// array per column, `unnest` turns them back into rows, each cast to its column's type.
    public func insert(table: String, columns: [(name: String, type: String, identity: Bool)], rows: [[String?]]) throws {
        guard !rows.isEmpty else { return }
        let names = columns.map { Self.quoted($0.name) }
        let arrays = columns.indices.map { k in "$\(k + 1)::text[]" }.joined(separator: ", ")
        let values = columns.enumerated().map { k, c in Self.cast("u.\(names[k])", type: c.type) }.joined(separator: ", ")
        let overriding = columns.contains { $0.identity } ? " OVERRIDING SYSTEM VALUE" : ""
        let sql = "INSERT INTO \(Self.quoted(table)) (\(names.joined(separator: ", ")))\(overriding) SELECT \(values) FROM unnest(\(arrays)) AS u(\(names.joined(separator: ", ")))"
        let parameters: [any PGBindable] = columns.indices.map { k in PGCopyArray(rows: rows, column: k) }
        let result = try connection.query(sql, parameters)
        guard result.affected == rows.count else {
            throw RelaisError(.internal, "table « \(table) » : \(result.affected) lignes insérées au lieu de \(rows.count)")
        }
    }

    /// Moves the sequence of each identity column of `table` past the largest id copied (and past
    /// `floor`, the largest id ever drawn at the source when it knows): the next insert gets a new id.
    public func advanceSequences(table: String, columns: [String], floor: Int64?) throws {
        for column in columns {
            try connection.query(
                "SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE(MAX(\(Self.quoted(column))), 0), $3::bigint) + 1, false) FROM \(Self.quoted(table))",
                [Self.quoted(table), column, floor ?? 0])
        }
    }

    /// The next value the sequence of `table.column` will give (checks).
    public func nextIdentity(table: String, column: String) throws -> Int64? {
        let sequence = try connection.query("SELECT pg_get_serial_sequence($1, $2) AS s", [Self.quoted(table), column]).first?.string("s")
        guard let sequence else { return nil }
        let row = try connection.query("SELECT last_value, is_called FROM \(sequence)").first
        guard let last = row?.int64("last_value") else { return nil }
        return row?.flag("is_called") == true ? last + 1 : last
    }
}

/// One column of a batch of rows as a PostgreSQL text array literal (`{"a",NULL,"b\"c"}`),
/// written byte by byte: a batch of listings is megabytes of JSON.
struct PGCopyArray: PGBindable {
    let rows: [[String?]]
    let column: Int

    var pgText: String? {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 16)
        out.append(UInt8(ascii: "{"))
        for (k, row) in rows.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            guard var value = row[column] else {
                out.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "U"), UInt8(ascii: "L"), UInt8(ascii: "L")])
                continue
            }
            out.append(UInt8(ascii: "\""))
            value.withUTF8 { bytes in
                for b in bytes {
                    if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                    out.append(b)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
