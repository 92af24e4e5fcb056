import Foundation
import RelaisAuth
import RelaisModel
import RelaisNormalize
import RelaisStorePostgres
import RelaisStoreSQLite

// `relais migrate-store`: a whole store copied into another (a site moving from SQLite to
// PostgreSQL, issue 15) in one transaction of the target, then checked table by table.

/// The canonical text of a column's values, the same whichever store reads them: integers in
/// decimal, reals as Swift writes a `Double`, timestamps `YYYY-MM-DDTHH:MM:SSZ`, bytes in
/// lowercase hexadecimal; NULL is nil, never "".
public enum CopyKind: String, Sendable {
    case text, integer, real, timestamp, bytes
}

public struct CopyColumn: Sendable, Equatable {
    /// The name in the target (PostgreSQL).
    public var name: String
    /// The name in the source: the same, or `rowid` for an identity column SQLite keeps as its rowid (`run_issue.id`).
    public var sourceName: String
    public var kind: CopyKind
    /// The target's type (`bigint`, `timestamp with time zone`…).
    public var targetType: String
    public var identity: Bool
}

/// One table to copy: its columns (the target's, generated ones left out), the order its rows
/// are read in (its primary key; every column when it has none), and the rows left out.
public struct CopyTable: Sendable {
    public var name: String
    public var columns: [CopyColumn]
    public var key: [String]
    /// A condition both stores read alike (`key <> 'store_id'`), or nil.
    public var filter: String?

    func keyColumns(source: Bool) -> [String] {
        key.map { k in columns.first { $0.name == k }.map { source ? $0.sourceName : $0.name } ?? k }
    }
}

/// Reads tables in one consistent view.
public protocol TableReader {
    /// `table`'s rows in its key order, as canonical text in the order of its columns, in batches of about `batch`.
    func rows(_ table: CopyTable, batch: Int, _ each: ([[String?]]) throws -> Void) throws
    /// The largest id the source ever drew for `table` (deleted rows' included), when it knows.
    func identityFloor(_ table: String) throws -> Int64?
}

/// A store whose tables can be read whole.
public protocol TableSource {
    /// The tables holding data and their columns (`rowid` listed where the store has one).
    func copyTableColumns() throws -> [String: [String]]
    /// `body` with one view of the store: every table read in it is of the same moment.
    func readingTables<T>(_ body: (any TableReader) throws -> T) throws -> T
}

/// Writes tables in one transaction.
public protocol TableWriter: TableReader {
    func lock(_ tables: [String]) throws
    func rowCount(_ table: String) throws -> Int
    /// Empties `tables`, identities restarted.
    func empty(_ tables: [String]) throws
    func insert(_ table: CopyTable, rows: [[String?]]) throws
    /// Moves `table`'s identity sequences past its largest id and past `floor`.
    func advanceSequences(_ table: CopyTable, floor: Int64?) throws
}

/// A store tables can be copied into.
public protocol TableSink: TableSource {
    /// The tables the copy fills, from the store's own schema.
    func tableLayout() throws -> [CopyTable]
    /// `body` in one transaction: committed when it returns, nothing written when it throws.
    func writingTables<T>(_ body: (any TableWriter) throws -> T) throws -> T
}

public enum StoreCopy {
    /// Every table of a store, in an order that inserts parents before children. The target's
    /// schema must hold exactly these, and the source must hold each (and no other).
    public static let tables = [
        "organization", "service", "schedule", "session", "service_key", "source", "source_record", "run", "run_issue", "change", "curation",
        "geo_commune", "admin_user", "api_token", "admin_session", "login_throttle", "audit", "report", "report_event", "throttle_secret", "meta",
    ]
    /// Rows never copied: a store's identity is its own (the target draws a new one).
    static let filters = ["meta": "key <> 'store_id'"]
    /// Rows per insert (one statement: one text array per column).
    public static let batchRows = 2_000

    /// One table's row count and SHA-256 in both stores.
    public struct TableCheck: Sendable, Equatable {
        public var table: String
        public var sourceRows: Int
        public var targetRows: Int
        public var sourceDigest: String
        public var targetDigest: String
        public var matches: Bool { sourceRows == targetRows && sourceDigest == targetDigest }

        /// What differs, in French.
        public var problem: String? {
            if sourceRows != targetRows { return "table « \(table) » : \(StoreCopy.number(sourceRows)) lignes dans la source, \(StoreCopy.number(targetRows)) dans la cible" }
            if sourceDigest != targetDigest { return "table « \(table) » : même nombre de lignes (\(StoreCopy.number(sourceRows))) mais contenus différents (empreintes SHA-256 \(sourceDigest.prefix(12))… et \(targetDigest.prefix(12))…)" }
            return nil
        }
    }

    public struct Summary: Sendable {
        public var checks: [TableCheck]
        public var rows: Int { checks.reduce(0) { $0 + $1.sourceRows } }
        public var storeIdentity: Int64
        public var seconds: Double

        /// « 21 tables, 123 456 lignes copiées et vérifiées (nombres et empreintes SHA-256) en 12,3 s »
        public var sentence: String {
            "\(checks.count) tables, \(StoreCopy.number(rows)) \(rows >= 2 ? "lignes copiées et vérifiées" : "ligne copiée et vérifiée") (nombres et empreintes SHA-256) en \(StoreCopy.seconds(seconds))"
        }
    }

    /// « 12,3 s »
    static func seconds(_ s: Double) -> String { String(format: "%.1f", s).replacingOccurrences(of: ".", with: ",") + "\u{A0}s" }

    static func seconds(since start: UInt64) -> String { seconds(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }

    /// « 123 456 » (a narrow no-break space between thousands).
    public static func number(_ n: Int) -> String {
        let digits = Array(String(abs(n)))
        var out = ""
        for (k, d) in digits.enumerated() {
            if k > 0, (digits.count - k) % 3 == 0 { out += "\u{202F}" }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// The tables to copy: the target's schema, matched against the source's.
    public static func plan(source: any TableSource, target: any TableSink) throws -> [CopyTable] {
        let layout = try target.tableLayout()
        let byName = Dictionary(layout.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let unknown = byName.keys.filter { !tables.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw RelaisError(.unavailable, "la base cible a des tables que la copie ne connaît pas (\(unknown.joined(separator: ", "))) : mettez Relais à jour")
        }
        let sourceColumns = try source.copyTableColumns()
        let extra = sourceColumns.keys.filter { !tables.contains($0) }.sorted()
        guard extra.isEmpty else {
            throw RelaisError(.unavailable, "la base source a des tables que la copie ne connaît pas (\(extra.joined(separator: ", "))) : elles seraient perdues, rien n’a été copié")
        }
        var plan: [CopyTable] = []
        for name in tables {
            guard var table = byName[name] else { throw RelaisError(.unavailable, "table « \(name) » absente de la base cible : une autre version de Relais ?") }
            guard let columns = sourceColumns[name] else { throw RelaisError(.unavailable, "table « \(name) » absente de la base source : une autre version de Relais ?") }
            for k in table.columns.indices where !columns.contains(table.columns[k].name) {
                guard table.columns[k].identity, columns.contains("rowid") else {
                    throw RelaisError(.unavailable, "colonne « \(name).\(table.columns[k].name) » absente de la base source : une autre version de Relais ?")
                }
                table.columns[k].sourceName = "rowid"
            }
            let copied = Set(table.columns.map(\.sourceName))
            let lost = columns.filter { $0 != "rowid" && !copied.contains($0) }
            guard lost.isEmpty else {
                throw RelaisError(.unavailable, "colonnes de la base source sans équivalent dans la cible (\(lost.map { "\(name).\($0)" }.joined(separator: ", "))) : elles seraient perdues, rien n’a été copié")
            }
            if table.key.isEmpty { table.key = table.columns.map(\.name) }
            table.filter = filters[name]
            plan.append(table)
        }
        return plan
    }

    /// `relais migrate-store`: the SQLite file at `path`, opened for reading only (never written),
    /// copied into the PostgreSQL database at `url` (migrated first if new). See ``migrate(from:to:replace:batch:progress:)``.
    public static func migrate(sqlite path: String, postgres url: String, replace: Bool, progress: (String) -> Void = { _ in }) throws -> Summary {
        guard PostgresStore.isURL(url) else {
            throw RelaisError(.invalid, "--to attend l’adresse d’une base PostgreSQL (postgres://utilisateur@hôte:port/base), pas « \(url) »")
        }
        guard !PostgresStore.isURL(path) else {
            throw RelaisError(.invalid, "--from attend un fichier SQLite, pas « \(PostgresStore.redacted(path)) »")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw RelaisError(.notFound, "base SQLite « \(path) » introuvable : indiquez le fichier à copier avec --from")
        }
        let source = try SQLiteStore(readingOnly: path)
        let target = try PostgresStore(url: url, connections: 2)
        progress("copie de \(path) vers \(PostgresStore.redacted(url)) (une transaction)")
        return try migrate(from: source, to: target, replace: replace, progress: progress)
    }

    /// Copies every table of `source` into `target` in one transaction of the target, then reads
    /// back each table there (still in the transaction) and compares its row count and SHA-256
    /// with the source's: any difference rolls everything back. Refuses a target that holds
    /// anything beyond a new store's own rows (its identity and throttle secret) unless `replace`,
    /// which empties it first in the same transaction. The target gets a store identity of its
    /// own; its data version is the source's. `progress` receives French lines as tables are done.
    public static func migrate(
        from source: any TableSource, to target: any TableSink, replace: Bool, batch: Int = batchRows, progress: (String) -> Void = { _ in }
    ) throws -> Summary {
        let started = DispatchTime.now().uptimeNanoseconds
        let plan = try plan(source: source, target: target)
        guard let meta = plan.first(where: { $0.name == "meta" }) else { throw RelaisError(.unavailable, "table « meta » absente de la base cible") }
        let sourceIdentity = try source.readingTables { reader in
            var found: Int64?
            var identity = meta
            identity.filter = "key = 'store_id'"
            try reader.rows(identity, batch: 10) { rows in found = rows.first.flatMap { $0.last ?? nil }.flatMap { Int64($0) } }
            return found
        }
        let identity = newStoreIdentity(differentFrom: sourceIdentity)
        let checks: [TableCheck] = try source.readingTables { reader in
            try target.writingTables { writer in
                try writer.lock(plan.map(\.name))
                // A new database holds its own identity and throttle secret: nothing else may be there.
                let held = try plan.filter { !["meta", "throttle_secret"].contains($0.name) }.compactMap { t -> String? in
                    let n = try writer.rowCount(t.name)
                    return n > 0 ? "\(t.name) : \(number(n))" : nil
                }
                if !held.isEmpty && !replace {
                    throw RelaisError(
                        .conflict,
                        "la base cible n’est pas vide (\(held.joined(separator: ", "))) : rien n’a été copié. Ajoutez --replace pour la vider et la remplacer par la source")
                }
                try writer.empty(plan.map(\.name))
                var sourceDigests: [String: TableDigest] = [:]
                for table in plan {
                    let tableStarted = DispatchTime.now().uptimeNanoseconds
                    let digest = TableDigest()
                    try reader.rows(table, batch: batch) { rows in
                        try writer.insert(table, rows: rows)
                        for row in rows { digest.add(row) }
                    }
                    try writer.advanceSequences(table, floor: try reader.identityFloor(table.name))
                    sourceDigests[table.name] = digest
                    progress("\(table.name) : \(number(digest.count)) \(digest.count >= 2 ? "lignes copiées" : "ligne copiée") (\(seconds(since: tableStarted)))")
                }
                try writer.insert(meta, rows: [meta.columns.map { $0.name == "key" ? "store_id" : String(identity) }])
                let verifying = DispatchTime.now().uptimeNanoseconds
                var checks: [TableCheck] = []
                for table in plan {
                    let source = sourceDigests[table.name] ?? TableDigest()
                    let target = try digest(of: table, in: writer, batch: batch)
                    checks.append(TableCheck(table: table.name, sourceRows: source.count, targetRows: target.count, sourceDigest: source.hex, targetDigest: target.hex))
                }
                let problems = checks.compactMap(\.problem)
                guard problems.isEmpty else {
                    throw RelaisError(.internal, "la copie ne correspond pas à la source, rien n’a été écrit : \(problems.joined(separator: " ; "))")
                }
                progress("vérifié : nombres de lignes et empreintes SHA-256 identiques dans les \(checks.count) tables (\(seconds(since: verifying)))")
                return checks
            }
        }
        return Summary(checks: checks, storeIdentity: identity, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// Each table's row count and SHA-256 in both stores, as they are now (each read in one
    /// view of its store): what `migrate` checked before committing, checked again afterwards.
    public static func verify(source: any TableSource, target: any TableSink, batch: Int = batchRows) throws -> [TableCheck] {
        let plan = try plan(source: source, target: target)
        let sourceDigests = try source.readingTables { reader in try plan.map { try digest(of: $0, in: reader, batch: batch) } }
        let targetDigests = try target.readingTables { reader in try plan.map { try digest(of: $0, in: reader, batch: batch) } }
        return plan.indices.map { k in
            TableCheck(
                table: plan[k].name, sourceRows: sourceDigests[k].count, targetRows: targetDigests[k].count,
                sourceDigest: sourceDigests[k].hex, targetDigest: targetDigests[k].hex)
        }
    }

    static func digest(of table: CopyTable, in reader: any TableReader, batch: Int) throws -> TableDigest {
        let digest = TableDigest()
        try reader.rows(table, batch: batch) { rows in for row in rows { digest.add(row) } }
        return digest
    }

    /// A store identity, 1 … 2^53 − 1, not the source's.
    static func newStoreIdentity(differentFrom other: Int64?) -> Int64 {
        while true {
            let n = Int64.random(in: 1...9_007_199_254_740_991)
            if n != other { return n }
        }
    }
}

/// SHA-256 over a table's canonical rows, in order: each value as its UTF-8 length, `:` and its
/// bytes, NULL as `N` (so NULL, "" and "N" differ), each row ended by a newline.
final class TableDigest {
    private var stream = Secrets.SHA256Stream()
    private(set) var count = 0

    func add(_ row: [String?]) {
        for value in row {
            if let value {
                stream.update("\(value.utf8.count):")
                stream.update(value)
            } else {
                stream.update("N")
            }
        }
        stream.update("\n")
        count += 1
    }

    var hex: String { stream.hex }
}

// MARK: The two backends

extension SQLiteStore: TableSource {
    public func copyTableColumns() throws -> [String: [String]] { try copyTables() }

    public func readingTables<T>(_ body: (any TableReader) throws -> T) throws -> T {
        try copyReading { reader in try body(SQLiteTableReader(reader: reader)) }
    }
}

struct SQLiteTableReader: TableReader {
    let reader: SQLiteCopyReader

    func rows(_ table: CopyTable, batch: Int, _ each: ([[String?]]) throws -> Void) throws {
        try reader.rows(
            table: table.name, columns: table.columns.map { ($0.sourceName, $0.kind.rawValue) }, orderBy: table.keyColumns(source: true),
            filter: table.filter, batch: batch, each)
    }

    func identityFloor(_ table: String) throws -> Int64? { try reader.sequenceFloor(table) }
}

extension PostgresStore: TableSink {
    public func copyTableColumns() throws -> [String: [String]] {
        Dictionary(try copyLayout().map { ($0.name, $0.columns.map(\.name)) }, uniquingKeysWith: { a, _ in a })
    }

    public func tableLayout() throws -> [CopyTable] {
        try copyLayout().map { (layout: CopyTableLayout) in
            let columns = try layout.columns.map { c in
                CopyColumn(name: c.name, sourceName: c.name, kind: try Self.copyKind(c.type, column: "\(layout.name).\(c.name)"), targetType: c.type, identity: c.identity)
            }
            return CopyTable(name: layout.name, columns: columns, key: layout.primaryKey, filter: nil)
        }
    }

    static func copyKind(_ type: String, column: String) throws -> CopyKind {
        switch type {
        case "text", "character varying": return .text
        case "bigint", "integer", "smallint": return .integer
        case "double precision", "real": return .real
        case "timestamp with time zone": return .timestamp
        case "bytea": return .bytes
        default: throw RelaisError(.unavailable, "colonne « \(column) » de type « \(type) » que la copie ne sait pas lire : mettez Relais à jour")
        }
    }

    public func readingTables<T>(_ body: (any TableReader) throws -> T) throws -> T {
        try copyReading { c in try body(PostgresTableWriter(connection: c)) }
    }

    public func writingTables<T>(_ body: (any TableWriter) throws -> T) throws -> T {
        try copyWriting { c in try body(PostgresTableWriter(connection: c)) }
    }
}

struct PostgresTableWriter: TableWriter {
    let connection: PostgresCopyConnection

    func rows(_ table: CopyTable, batch: Int, _ each: ([[String?]]) throws -> Void) throws {
        try connection.rows(
            table: table.name, columns: table.columns.map { ($0.name, $0.targetType) }, orderBy: table.keyColumns(source: false), filter: table.filter,
            batch: batch, each)
    }

    func identityFloor(_ table: String) throws -> Int64? { nil }
    func lock(_ tables: [String]) throws { try connection.lock(tables) }
    func rowCount(_ table: String) throws -> Int { try connection.count(table) }
    func empty(_ tables: [String]) throws { try connection.empty(tables) }

    func insert(_ table: CopyTable, rows: [[String?]]) throws {
        try connection.insert(table: table.name, columns: table.columns.map { ($0.name, $0.targetType, $0.identity) }, rows: rows)
    }

    func advanceSequences(_ table: CopyTable, floor: Int64?) throws {
        try connection.advanceSequences(table: table.name, columns: table.columns.filter(\.identity).map(\.name), floor: floor)
    }
}
