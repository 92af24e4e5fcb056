import Foundation
import RelaisStoreSQLite
import RelaisTestSupport
import Testing

/// The `relais` executable as a user meets it: French help and errors, suggestions for a
/// near miss, the version, and a `--db` that does not exist.
@Suite struct CommandLineTests {
    /// The built `relais`: $RELAIS_BIN, else beside the test bundle (the same build folder,
    /// whatever --scratch-path), else .build/debug.
    static let binary: URL? = {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["RELAIS_BIN"] { candidates.append(URL(fileURLWithPath: env)) }
        for start in [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments.first ?? "")] {
            var dir = start
            for _ in 0..<4 {
                dir = dir.deletingLastPathComponent()
                candidates.append(dir.appendingPathComponent("relais"))
            }
        }
        candidates.append(SharedData.projectRoot.appendingPathComponent(".build/debug/relais"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }
    }()

    struct Output {
        var code: Int32
        var out: String
        var err: String
        var all: String { out + err }
    }

    /// Runs `relais arguments` in a fresh folder (or `folder`), with Directory/ from the project.
    func relais(_ arguments: [String], in folder: URL? = nil) throws -> Output {
        let binary = try #require(Self.binary, "build the relais product first (swift build --build-tests builds it)")
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        p.currentDirectoryURL = folder ?? SharedData.temporaryDirectory("cli")
        var env = ProcessInfo.processInfo.environment
        env["RELAIS_HOME"] = SharedData.projectRoot.path
        env["COLUMNS"] = "100"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    /// The English ArgumentParser would print on its own.
    static let english = ["USAGE", "OVERVIEW", "OPTIONS:", "SUBCOMMANDS", "ARGUMENTS:", "Usage:", "Error:", "Help:", "Missing", "Unknown option",
                          "Unexpected argument", "is invalid for", "Show help", "Show the version", "See '", "for more information", "default:",
                          "Did you mean", "<subcommand>"]

    func expectFrench(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for word in Self.english { #expect(!text.contains(word), "English « \(word) » in:\n\(text)", sourceLocation: sourceLocation) }
    }

    // MARK: Help and version

    @Test func theHelpIsFrench() throws {
        let r = try relais(["--help"])
        #expect(r.code == 0)
        #expect(r.out.contains("Utilisation\u{A0}:"))
        #expect(r.out.contains("Sous-commandes\u{A0}:"))
        #expect(r.out.contains("Options\u{A0}:"))
        #expect(r.out.contains("Affiche cette aide."))
        #expect(r.out.contains("--version"))
        #expect(r.out.contains("relais help <sous-commande>"))
        for sub in ["serve", "import", "refresh", "search", "sources", "horaires", "refer", "sessions", "admin", "check"] {
            #expect(r.out.contains("\n  \(sub) "), "\(sub)")
        }
        expectFrench(r.all)
        // The same with no argument at all, and with -h.
        #expect(try relais([]).out == r.out)
        #expect(try relais(["-h"]).out == r.out)
    }

    @Test func aCommandsHelpIsFrenchWithItsOwnArguments() throws {
        let r = try relais(["refer", "--help"])
        #expect(r.code == 0)
        #expect(r.out.contains("Suggère des ressources d’entraide"))
        #expect(r.out.contains("Utilisation\u{A0}: relais refer"))
        #expect(r.out.contains("--needs <needs>"))
        #expect(r.out.contains("Besoins, séparés par des virgules"))
        #expect(r.out.contains("(par défaut\u{A0}: relais.sqlite)"))
        #expect(r.out.contains("(obligatoire)"))
        expectFrench(r.all)
        #expect(try relais(["help", "refer"]).out == r.out)
        let search = try relais(["help", "search"])
        #expect(search.code == 0 && search.out.contains("Arguments\u{A0}:") && search.out.contains("<text>"))
        expectFrench(search.all)
        let admin = try relais(["admin"])
        #expect(admin.code == 0 && admin.out.contains("relais help admin <sous-commande>") && admin.out.contains("  add "))
        expectFrench(admin.all)
        let serve = try relais(["serve", "-h"])
        #expect(serve.out.contains("--scheduler/--no-scheduler") && serve.out.contains("(par défaut\u{A0}: 8080)"))
        expectFrench(serve.all)
    }

    @Test func theVersion() throws {
        for args in [["--version"], ["version"]] {
            let r = try relais(args)
            #expect(r.code == 0)
            #expect(r.out.range(of: #"^relais \d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(r.out)")
        }
    }

    // MARK: Near misses and parse errors

    @Test(arguments: [("serv", "serve"), ("horaire", "horaires"), ("referer", "refer"), ("sesions", "sessions")])
    func aMistypedCommandIsSuggested(typed: String, meant: String) throws {
        let r = try relais([typed, "x"])
        #expect(r.code == 2)
        #expect(r.err.contains("sous-commande inconnue «\u{A0}\(typed)\u{A0}»"), "\(r.err)")
        #expect(r.err.contains("Vouliez-vous dire «\u{A0}\(meant)\u{A0}»\u{A0}?"), "\(r.err)")
        #expect(r.out.isEmpty)
        expectFrench(r.all)
    }

    @Test func aMistypedOptionIsSuggested() throws {
        let r = try relais(["refer", "--need", "famille", "--near", "75010"])
        #expect(r.code == 2)
        #expect(r.err.contains("option inconnue «\u{A0}--need\u{A0}»"), "\(r.err)")
        #expect(r.err.contains("«\u{A0}--needs\u{A0}»"), "\(r.err)")
        #expect(r.err.contains("Utilisation\u{A0}: relais refer"))
        expectFrench(r.all)
        let prefix = try relais(["sources", "--manif", "m"])
        #expect(prefix.code == 2 && prefix.err.contains("«\u{A0}--manifests\u{A0}»"), "\(prefix.err)")
        expectFrench(prefix.all)
    }

    @Test func aMissingRequiredArgumentIsNamedInFrench() throws {
        let r = try relais(["refer", "--near", "75010"])
        #expect(r.code == 2)
        #expect(r.err.contains("erreur\u{A0}: l’option «\u{A0}--needs <needs>\u{A0}» est obligatoire."), "\(r.err)")
        #expect(r.err.contains("Besoins, séparés par des virgules"))
        expectFrench(r.all)
        let search = try relais(["search"])
        #expect(search.code == 2 && search.err.contains("il manque l’argument «\u{A0}<text>\u{A0}»"), "\(search.err)")
        expectFrench(search.all)
        let horaires = try relais(["horaires"])
        #expect(horaires.code == 2)
        expectFrench(horaires.all)
    }

    @Test func otherParseErrorsAreFrench() throws {
        let cases: [([String], String)] = [
            (["refer", "--needs", "famille", "--limit", "beaucoup"], "la valeur «\u{A0}beaucoup\u{A0}» ne convient pas à «\u{A0}--limit <limit>\u{A0}»"),
            (["search", "groupe", "de", "parole"], "arguments en trop"),
            (["search", "entraide", "extra"], "argument en trop"),
            (["search", "--kind"], "il manque la valeur de «\u{A0}--kind"),
            (["search", "--json=oui", "x"], "ne prend pas de valeur"),
            (["import", "--all", "--source", "x"], "Indiquez soit --source ID, soit --all."),
            (["admin", "add", "!"], "lettres, chiffres"),
        ]
        for (args, expected) in cases {
            let r = try relais(args)
            #expect(r.code == 2, "\(args): \(r.code)")
            #expect(r.err.hasPrefix("erreur\u{A0}: "), "\(args): \(r.err)")
            #expect(r.err.contains(expected), "\(args): \(r.err)")
            expectFrench(r.all)
        }
    }

    // MARK: The database

    @Test func aMissingDatabaseIsRefusedAndNotCreated() throws {
        let dir = SharedData.temporaryDirectory("cli-db")
        let missing = dir.appendingPathComponent("absente.sqlite")
        let cases: [[String]] = [
            ["search", "--db", missing.path, "entraide"],
            ["refer", "--needs", "famille", "--near", "75010", "--db", missing.path],
            ["sessions", "--db", missing.path],
            ["sources", "--db", missing.path],
            ["check", "--db", missing.path],
            ["admin", "list", "--db", missing.path],
            ["admin", "token", "quelqu-un", "--db", missing.path],
        ]
        for args in cases {
            let r = try relais(args, in: dir)
            #expect(r.code == 3, "\(args): \(r.code) \(r.err)")
            #expect(r.err.contains("aucune base"), "\(args): \(r.err)")
            #expect(r.err.contains(missing.path), "\(args): \(r.err)")
            #expect(r.err.contains("relais import --all --db"), "\(args): \(r.err)")
            expectFrench(r.all)
            #expect(!FileManager.default.fileExists(atPath: missing.path), "\(args) created the database")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        // A path under a folder that does not exist says so.
        let r = try relais(["search", "--db", "/nonexistent/x.sqlite", "entraide"], in: dir)
        #expect(r.code == 3 && r.err.contains("/nonexistent/x.sqlite") && r.err.contains("n’existe pas"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent"))
    }

    @Test func aNearDatabaseNameIsSuggested() throws {
        let dir = SharedData.temporaryDirectory("cli-near")
        _ = try SQLiteStore(path: dir.appendingPathComponent("relais.sqlite").path)
        let r = try relais(["search", "--db", "relai.sqlite", "entraide"], in: dir)
        #expect(r.code == 3)
        #expect(r.err.contains("Vouliez-vous dire «\u{A0}--db relais.sqlite\u{A0}»"), "\(r.err)")
    }

    @Test func theWritingCommandsCreateTheDatabaseAndSaySo() throws {
        let dir = SharedData.temporaryDirectory("cli-create")
        let manifests = dir.appendingPathComponent("m")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("neuve.sqlite")
        let r = try relais(["import", "--all", "--manifests", manifests.path, "--db", db.path], in: dir)
        #expect(r.code == 0, "\(r.all)")
        #expect(FileManager.default.fileExists(atPath: db.path))
        #expect(r.err.contains("base créée\u{A0}: \(db.path)"), "\(r.err)")
        // Once made, it is not « created » again, and the reading commands open it.
        let again = try relais(["import", "--all", "--manifests", manifests.path, "--db", db.path], in: dir)
        #expect(again.code == 0 && !again.err.contains("base créée"))
        let search = try relais(["search", "--db", db.path, "entraide"], in: dir)
        #expect(search.code == 0, "\(search.all)")
    }

    @Test func anUnknownNeedSuggestsOne() throws {
        let dir = SharedData.temporaryDirectory("cli-need")
        let db = dir.appendingPathComponent("relais.sqlite").path
        _ = try SQLiteStore(path: db)
        // A need named in another need's wording: « soutien » → famille (« Soutien aux proches »).
        let r = try relais(["refer", "--needs", "soutien", "--near", "75010", "--db", db], in: dir)
        #expect(r.code == 2, "\(r.all)")
        #expect(r.err.contains("«\u{A0}soutien\u{A0}»") || r.err.contains("« soutien »"), "\(r.err)")
        #expect(r.err.contains("Vouliez-vous dire «\u{A0}famille\u{A0}»"), "\(r.err)")
        expectFrench(r.all)
        // A typo: the use case's own suggestion, said once.
        let typo = try relais(["refer", "--needs", "famile", "--near", "75010", "--db", db], in: dir)
        #expect(typo.code == 2)
        #expect(typo.err.contains("famille"), "\(typo.err)")
        #expect(typo.err.components(separatedBy: "ouliez-vous dire").count == 2, "\(typo.err)")
        // A mistyped choice: the value meant.
        let audience = try relais(["refer", "--needs", "famille", "--audience", "proch", "--near", "75010", "--db", db], in: dir)
        #expect(audience.code == 2)
        #expect(audience.err.contains("Vouliez-vous dire «\u{A0}proche\u{A0}»"), "\(audience.err)")
    }
}
