import Foundation

/// Reference implementations from PyPI, run by the test suite: a Python named by
/// `RELAIS_ORACLE_PY` (a venv with python-dateutil, icalendar, recurring-ical-events,
/// phonenumbers and opening-hours-py; `scripts/oracle-venv.sh` makes it, and
/// `make test` sets the variable). Without it the oracle tests print why they skip.
public enum Oracle {
    public static func python(_ test: String = #function) -> String? {
        if let py = ProcessInfo.processInfo.environment["RELAIS_ORACLE_PY"], !py.isEmpty { return py }
        print("◇ skipped \(test): set RELAIS_ORACLE_PY to the oracle venv's Python (scripts/oracle-venv.sh; make test does it)")
        return nil
    }

    /// A script of `scripts/`.
    public static func script(_ name: String) -> String { SharedData.projectRoot.appendingPathComponent("scripts/\(name)").path }

    /// Runs `script` with `arguments`, feeding `input`; its standard output.
    public static func run(_ python: String, script: String, arguments: [String] = [], input: String = "") throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stderr
        try p.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw OracleError(message: "oracle exited \(p.terminationStatus): \(String(decoding: out, as: UTF8.self).suffix(3000)) \(String(decoding: err, as: UTF8.self).suffix(2000))")
        }
        return String(decoding: out, as: UTF8.self)
    }

    public struct OracleError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
