import ArgumentParser
import Foundation
import Logging
import RelaisImport

/// Options shared by every subcommand that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Fichier SQLite de l’annuaire.")
    var db: String = "relais.sqlite"

    @Option(name: .long, help: "Dossier contenant Directory/ et Importers/ (par défaut : trouvé depuis l’exécutable ou le dossier courant, ou $RELAIS_HOME).")
    var home: String?

    func open() throws -> RelaisContext {
        LoggingSystem.bootstrapOnce()
        return try RelaisContext.open(db: db, home: home.map { RelaisHome(root: URL(fileURLWithPath: $0)) })
    }
}

extension LoggingSystem {
    nonisolated(unsafe) static var bootstrapped = false
    /// Logs go to standard error, at the level of $RELAIS_LOG_LEVEL (default: warning for commands).
    static func bootstrapOnce(level: Logger.Level = .warning) {
        guard !bootstrapped else { return }
        bootstrapped = true
        let env = ProcessInfo.processInfo.environment["RELAIS_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = env ?? level
            return h
        }
    }
}

/// Stops with a French message and a non-zero status.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func printErr(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// SIGTERM and SIGINT cancel the work in flight instead of killing the process: a run
/// stops before applying anything and is recorded as « interrompu ».
final class SignalCancellation {
    private let sources: [any DispatchSourceSignal]

    init(_ cancel: @escaping @Sendable () -> Void) {
        sources = [SIGTERM, SIGINT].map { sig in
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig)
            src.setEventHandler(handler: cancel)
            src.resume()
            return src
        }
    }

    func stop() { sources.forEach { $0.cancel() } }
}

/// A task to cancel, set after the signal handler that cancels it is installed (a signal
/// arriving in between cancels the task as soon as it is set).
final class CancellableBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Int, Never>?
    private var cancelled = false

    func set(_ t: Task<Int, Never>) {
        lock.withLock {
            task = t
            if cancelled { t.cancel() }
        }
    }

    func cancel() {
        lock.withLock {
            cancelled = true
            task?.cancel()
        }
    }
}
