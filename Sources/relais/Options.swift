import ArgumentParser
import Foundation
import Logging
import RelaisApp
import RelaisModel
import RelaisReferral
import RelaisSources

/// Options shared by every subcommand that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "L’annuaire\u{A0}: un fichier SQLite (par défaut relais.sqlite), ou une base PostgreSQL (postgres://utilisateur@hôte/base) pour plusieurs instances.")
    var db: String = "relais.sqlite"

    @Option(name: .long, help: "Dossier contenant Directory/ et Importers/ (par défaut : trouvé depuis l’exécutable ou le dossier courant, ou $RELAIS_HOME).")
    var home: String?

    /// The app over the store: `.readOnly` for the commands that only read (nothing is written, not even a migration).
    ///
    /// A database file that does not exist is an error (exit 3, naming the path and how to
    /// make one) unless `creating`: only the commands that write — `serve`, `import`,
    /// `refresh`, `admin add` — create it, and say so on standard error.
    /// `warmIndex`: read the referral index while the rest loads (a server).
    func open(_ access: RelaisContext.Access = .readWrite, creating: Bool = false, warmIndex: Bool = false) async throws -> RelaisContext {
        LoggingSystem.bootstrapOnce()
        let missing = isFile && !FileManager.default.fileExists(atPath: db)
        if missing && !creating { throw missingDatabase() }
        let ctx: RelaisContext
        do {
            ctx = try await RelaisContext.open(db: db, access: access, home: home.map { RelaisHome(root: URL(fileURLWithPath: $0)) }, warmIndex: warmIndex)
        } catch let e as RelaisHome.NotFound {
            throw RelaisError(.unavailable, e.description)
        }
        if missing && FileManager.default.fileExists(atPath: db) { printErr("base créée\u{A0}: \(absolutePath)") }
        return ctx
    }

    /// Whether `--db` names a file (not a server's URL).
    var isFile: Bool { !db.contains("://") }

    var absolutePath: String { URL(fileURLWithPath: db).standardizedFileURL.path }

    /// No database at `--db`: where it was looked for, a file of a near name if there is one, how to make one.
    func missingDatabase() -> RelaisError {
        let q = FrenchCommandLine.quoted
        let url = URL(fileURLWithPath: db).standardizedFileURL
        let folder = url.deletingLastPathComponent()
        var message = "aucune base \(q(db))\(db == url.path ? "" : " (chemin\u{A0}: \(url.path))")."
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) || !isFolder.boolValue {
            message += " Le dossier \(q(folder.path)) n’existe pas."
        } else if let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path),
                  let near = FrenchCommandLine.closest(url.lastPathComponent, among: names.filter { $0.hasSuffix(".sqlite") || $0.hasSuffix(".db") || $0.hasSuffix(".sqlite3") }) {
            let shown = db.contains("/") ? folder.appendingPathComponent(near).path : near
            message += " Vouliez-vous dire \(q("--db \(Self.shellQuoted(shown))"))\u{A0}?"
        }
        let arg = Self.shellQuoted(db)
        message += " Créez-la en important les sources (\(q("relais import --all --db \(arg)"))) ou en lançant le serveur (\(q("relais serve --db \(arg)"))), ou indiquez la bonne base avec --db."
        return RelaisError(.notFound, message)
    }

    static func shellQuoted(_ s: String) -> String {
        s.range(of: #"^[A-Za-z0-9_./:@%+=,-]+$"#, options: .regularExpression) != nil ? s : "'\(s.replacingOccurrences(of: "'", with: "'\\''"))'"
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
            printErr("erreur\u{A0}: \(e.message)")
            // A near miss the use case found (« soutien » → famille), unless its message says it already.
            if let near = e.details["suggestion"], !near.isEmpty, !e.message.localizedCaseInsensitiveContains("vouliez-vous dire") {
                printErr("Vouliez-vous dire \(near.joined(separator: " ou "))\u{A0}?")
            }
            if let valid = e.details["valid"], !e.message.contains(valid.joined(separator: ", ")) {
                printErr("valeurs possibles\u{A0}: \(valid.joined(separator: ", "))")
            }
            if let choices = e.details["choices"] { printErr("précisez parmi\u{A0}: \(choices.joined(separator: " ; "))") }
            throw ExitCode(exitCode(e.kind))
        } catch let e as ExitCode {
            throw e
        } catch let e as any ParsableArgumentsError {
            throw e
        } catch {
            printErr("erreur\u{A0}: \(error)")
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

/// A message on standard error, with French typography (no-break spaces before « : ? ! », inside « »).
func printErr(_ s: String) {
    FileHandle.standardError.write(Data((FrenchTypography.text(s) + "\n").utf8))
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
