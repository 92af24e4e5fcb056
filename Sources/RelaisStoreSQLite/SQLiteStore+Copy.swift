import Foundation
import GRDB

/// Whole-table reads for `relais migrate-store` (RelaisApp's `StoreCopy` drives them). Values
/// come as canonical text, the same as PostgreSQL's side gives: integers in decimal, reals as
/// Swift writes a `Double`, timestamps as stored (`YYYY-MM-DDTHH:MM:SSZ`), blobs in lowercase
/// hexadecimal, NULL as nil. Reads only: open the store with ``SQLiteStore/init(readingOnly:)``.
extension SQLiteStore {
    /// The tables that hold data, each with its columns in order (`rowid` added for the tables
    /// that have one: PostgreSQL keeps it as `service.rowid`, `run_issue.id`). Left out: SQLite's
    /// own tables (`sqlite_sequence`…), GRDB's migration ledger, and virtual tables with their
    /// shadow tables (the FTS5 index, which PostgreSQL's generated search columns replace).
    public func copyTables() throws -> [String: [String]] {
        try pool.read { db in
            let all = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            let virtual = all.filter { (($0["sql"] as String?) ?? "").uppercased().hasPrefix("CREATE VIRTUAL TABLE") }.map { $0["name"] as String }
            var out: [String: [String]] = [:]
            for row in all {
                let name: String = row["name"]
                if name.hasPrefix("sqlite_") || name.hasPrefix("grdb_") { continue }
                if virtual.contains(where: { name == $0 || name.hasPrefix($0 + "_") }) { continue }
                var columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
                // WITHOUT ROWID tables (service_key) have none.
                if !columns.contains("rowid"), (try? db.makeStatement(sql: "SELECT rowid FROM \(Self.quoted(name)) LIMIT 0")) != nil {
                    columns.append("rowid")
                }
                out[name] = columns
            }
            return out
        }
    }

    /// `body` with one consistent view of the file (one read transaction): every table read
    /// in it is of the same moment, whatever another process writes meanwhile.
    public func copyReading<T>(_ body: (SQLiteCopyReader) throws -> T) throws -> T {
        try pool.read { db in try body(SQLiteCopyReader(db: db)) }
    }

    static func quoted(_ name: String) -> String { name == "rowid" ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// A read transaction inside ``SQLiteStore/copyReading(_:)``.
public struct SQLiteCopyReader {
    let db: Database

    /// Rows of `table` ordered by `orderBy` (column names, compared as bytes: the order of
    /// PostgreSQL's `COLLATE "C"`), in batches of at most `batch` rows or about `bytes` bytes.
    /// `columns`: each column's name (or `rowid`) and the kind of its canonical text
    /// (`text`, `integer`, `real`, `timestamp`, `bytes`); `filter`: a condition, or nil.
    public func rows(
        table: String, columns: [(name: String, kind: String)], orderBy: [String], filter: String?, batch: Int, bytes: Int = 16 << 20,
        _ each: ([[String?]]) throws -> Void
    ) throws {
        let select = columns.map { SQLiteStore.quoted($0.name) }.joined(separator: ", ")
        let order = orderBy.isEmpty ? "" : " ORDER BY " + orderBy.map { SQLiteStore.quoted($0) }.joined(separator: ", ")
        let whereSQL = filter.map { " WHERE \($0)" } ?? ""
        let statement = try db.makeStatement(sql: "SELECT \(select) FROM \(SQLiteStore.quoted(table))\(whereSQL)\(order)")
        let kinds = columns.map(\.kind)
        let cursor = try Row.fetchCursor(statement)
        var rows: [[String?]] = []
        var size = 0
        while let row = try cursor.next() {
            var values: [String?] = []
            values.reserveCapacity(kinds.count)
            for k in kinds.indices {
                let value = Self.canonical(row[k] as DatabaseValue, kind: kinds[k])
                size += value?.utf8.count ?? 0
                values.append(value)
            }
            rows.append(values)
            if rows.count >= batch || size >= bytes {
                try each(rows)
                rows.removeAll(keepingCapacity: true)
                size = 0
            }
        }
        if !rows.isEmpty { try each(rows) }
    }

    /// The largest id SQLite ever gave `table`'s AUTOINCREMENT key (`sqlite_sequence`), deleted
    /// rows' included: PostgreSQL's sequence starts past it, so that no id is given twice.
    public func sequenceFloor(_ table: String) throws -> Int64? {
        guard try db.tableExists("sqlite_sequence") else { return nil }
        return try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table])
    }

    static func canonical(_ value: DatabaseValue, kind: String) -> String? {
        switch value.storage {
        case .null:
            return nil
        case .int64(let i):
            switch kind {
            case "real": return "\(Double(i))"
            case "bytes": return hex(Array(String(i).utf8))
            default: return String(i)
            }
        case .double(let d):
            if kind == "integer", d.rounded() == d, abs(d) < 9.2e18 { return String(Int64(d)) }
            return "\(d)"
        case .string(let s):
            switch kind {
            case "real": return Double(s).map { "\($0)" } ?? s
            case "bytes": return hex(Array(s.utf8))
            default: return s
            }
        case .blob(let data):
            return kind == "bytes" ? hex(Array(data)) : String(decoding: data, as: UTF8.self)
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
