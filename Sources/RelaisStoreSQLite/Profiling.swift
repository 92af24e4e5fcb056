import RelaisMerge
import RelaisStore
import RelaisModel
import Foundation

/// `RELAIS_TIMING=1`: where a run's time goes, printed on standard output
/// (phases of a run, time inside SQLite per import statement). A profiling
/// aid for benchmarks; off, it costs one branch per statement.
enum Profiling {
    static let enabled = ProcessInfo.processInfo.environment["RELAIS_TIMING"] != nil

    static func clock() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Statement → (nanoseconds in `sqlite3_step`, executions, SQL). Only the writer touches it.
    nonisolated(unsafe) private static var steps: [ObjectIdentifier: (nanos: UInt64, count: Int, sql: String)] = [:]
    nonisolated(unsafe) private static var mark = clock()

    static func step(_ statement: RawStatement, since t0: UInt64) {
        let id = ObjectIdentifier(statement)
        steps[id, default: (0, 0, String(statement.statement.sql.prefix(48)))].nanos += clock() - t0
        steps[id]!.count += 1
    }

    /// Prints the time since the previous lap.
    static func lap(_ what: String) {
        guard enabled else { return }
        let since = mark
        let now = clock()
        print(String(format: "    %@ %.3f s", what, Double(now &- since) / 1e9))
        mark = now
    }

    /// Prints and resets the time spent in each statement.
    static func dumpSteps() {
        guard enabled else { return }
        for s in steps.values.sorted(by: { $0.nanos > $1.nanos }) {
            print(String(format: "      %.3f s %7d × %@", Double(s.nanos) / 1e9, s.count, s.sql))
        }
        steps = [:]
    }
}
