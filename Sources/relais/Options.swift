import ArgumentParser
import Foundation
import Logging
import RelaisApp
import RelaisModel
import RelaisSources

/// Options shared by every subcommand that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Fichier SQLite de l’annuaire.")
    var db: String = "relais.sqlite"

    @Option(name: .long, help: "Dossier contenant Directory/ et Importers/ (par défaut : trouvé depuis l’exécutable ou le dossier courant, ou $RELAIS_HOME).")
    var home: String?

    /// The app over the store: `.readOnly` for the commands that only read (nothing is written, not even a migration).
    func open(_ access: RelaisContext.Access = .readWrite) async throws -> RelaisContext {
        LoggingSystem.bootstrapOnce()
        do {
            return try await RelaisContext.open(db: db, access: access, home: home.map { RelaisHome(root: URL(fileURLWithPath: $0)) })
        } catch let e as RelaisHome.NotFound {
            throw RelaisError(.unavailable, e.description)
        }
    }
}

/// The one place where an error becomes what the command line shows and its exit code:
///
/// | code | when |
/// |---|---|
/// | 0 | done |
/// | 1 | a run failed, a problem was found, or an unexpected error |
/// | 2 | invalid input (an option, a manifest, a need…) |
/// | 3 | not found (a source, an account, the database file) |
/// | 4 | conflict (already running, already exists) |
/// | 5 | unavailable (a database of another version, `Directory/` missing) |
enum CommandLineErrors {
    static func exitCode(_ kind: RelaisError.Kind) -> Int32 {
        switch kind {
        case .invalid, .tooLarge, .unsupportedMedia: 2
        case .notFound: 3
        case .conflict, .tooMany: 4
        case .unavailable: 5
        default: 1
        }
    }

    /// Runs a command's body: a ``RelaisError`` is printed in French with what helps fix it
    /// (valid values, choices) and ends the command with its exit code.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as RelaisError {
            printErr("erreur : \(e.message)")
            if let valid = e.details["valid"] { printErr("valeurs possibles : \(valid.joined(separator: ", "))") }
            if let choices = e.details["choices"] { printErr("précisez parmi : \(choices.joined(separator: " ; "))") }
            throw ExitCode(exitCode(e.kind))
        } catch let e as ExitCode {
            throw e
        } catch let e as any ParsableArgumentsError {
            throw e
        } catch {
            printErr("erreur : \(error)")
            throw ExitCode(1)
        }
    }
}

/// The errors ArgumentParser shows itself (usage, validation).
protocol ParsableArgumentsError: Error {}
extension ValidationError: ParsableArgumentsError {}
extension CleanExit: ParsableArgumentsError {}

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
