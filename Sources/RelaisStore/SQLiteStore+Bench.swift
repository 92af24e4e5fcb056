import Foundation
import GRDB

extension SQLiteStore {
    /// Inserts rows into scratch tables through the import path's statements (benchmark only).
    public func rawInsertBenchmark(rows: Int) throws -> Double {
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE bench_a (id TEXT PRIMARY KEY, name TEXT, content TEXT); CREATE TABLE bench_b (k TEXT, s TEXT); CREATE INDEX bench_bk ON bench_b(k)")
        }
        let content = String(repeating: "x", count: 750)
        let start = Date()
        try pool.write { db in
            let statements = WriteStatements(db)
            for i in 0..<rows {
                let id = "r" + String(i &* 2654435761 % (1 << 44), radix: 16)
                try statements(1, "INSERT INTO bench_a (id, name, content) VALUES (?, ?, ?)").text(id).text("GEM \(i)").text(content).run()
                try statements(2, "INSERT INTO bench_b (k, s) VALUES (?, ?)").text("phone:\(i)").text(id).run()
                try statements(2, "INSERT INTO bench_b (k, s) VALUES (?, ?)").text("email:\(i)").text(id).run()
            }
        }
        return Date().timeIntervalSince(start)
    }
}
