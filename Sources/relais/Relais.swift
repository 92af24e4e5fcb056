import ArgumentParser
import Foundation

@main
struct Relais: AsyncParsableCommand {
    /// The version `relais --version` prints.
    static let version = "0.13.0"

    static let configuration = CommandConfiguration(
        commandName: "relais",
        abstract: "Annuaire et orientation vers l’entraide en santé mentale (GEM, associations, pair-aidance).",
        version: "relais \(version)",
        subcommands: [Serve.self, Import.self, Refresh.self, Search.self, Sources.self, Horaires.self, Refer.self, Sessions.self, Admin.self, Check.self, ExportCommand.self, MigrateStore.self])

    /// The entry point: ArgumentParser parses, but everything the user reads is French
    /// (help, usage, parse errors, suggestions for a mistyped command or option).
    static func main() async {
        let code = await run(Array(CommandLine.arguments.dropFirst()))
        fflush(nil)
        Foundation.exit(code)
    }

    /// Runs the command line `arguments`; returns the exit code.
    static func run(_ arguments: [String]) async -> Int32 {
        let F = FrenchCommandLine.self
        let root = F.tree(Relais.self)
        // The command named by the leading words (« relais admin add … »), the help asked
        // for (« relais help refer », « -h », « --help ») and the version.
        var node = root
        var index = 0
        var helpAsked = false
        while index < arguments.count, !node.children.isEmpty, !arguments[index].hasPrefix("-") {
            let word = arguments[index]
            if node.path.count == 1, !helpAsked, word == "help" {
                helpAsked = true
            } else if node.path.count == 1, !helpAsked, word == "version" {
                print("relais \(version)")
                return 0
            } else if let child = node.child(word) {
                node = child
            } else {
                let candidates = node.childNames + (node.path.count == 1 ? ["help", "version"] : [])
                let near = F.closest(word, among: candidates).map { " Vouliez-vous dire \(F.quoted($0))\(F.nbsp)?" } ?? ""
                printErr("erreur\(F.nbsp): sous-commande inconnue \(F.quoted(word)).\(near)")
                printErr("Sous-commandes\(F.nbsp): \(candidates.joined(separator: ", ")).")
                printErr("Voir \(F.quoted("\(node.name) --help")).")
                return 2
            }
            index += 1
        }
        let rest = arguments[index...].prefix { $0 != "--" }
        if helpAsked || rest.contains("-h") || rest.contains("--help") || rest.contains("-help") || (index == arguments.count && !node.children.isEmpty) {
            print(F.help(node, root: Relais.self), terminator: "")
            return 0
        }
        if rest.contains("--version") {
            print("relais \(version)")
            return 0
        }

        // An unknown option is named first, with the option meant (ArgumentParser would
        // rather report a missing required one: « relais refer --need famille »).
        if node.children.isEmpty, let unknown = F.unknownOption(in: Array(rest), command: node) {
            return usageError(message: F.translate("Unknown option '\(unknown)'", command: node), node: node)
        }

        var command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot(arguments)
        } catch {
            return usageError(error, node: node)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let e as ExitCode {
            return e.rawValue
        } catch let e as ValidationError {
            return usageError(e, node: node)
        } catch is CleanExit {
            // A command without a body of its own shows its help.
            print(F.help(node, root: Relais.self), terminator: "")
            return 0
        } catch {
            printErr("erreur\(F.nbsp): \(error)")
            return 1
        }
    }

    /// A parse or validation error: the French message, the help line of the argument
    /// concerned, the usage; exit code 2 (invalid input).
    static func usageError(_ error: any Error, node: FrenchCommandLine.Node) -> Int32 {
        let F = FrenchCommandLine.self
        let code = exitCode(for: error)
        if code == .success {
            // A clean exit (help, version) that ArgumentParser produced itself.
            print(F.help(node, root: Relais.self), terminator: "")
            return 0
        }
        // ArgumentParser's « Help: » line repeats the argument's own (French) help.
        let helpLine = fullMessage(for: error).split(separator: "\n").first { $0.hasPrefix("Help:") }
            .map { $0.dropFirst("Help:".count).trimmingCharacters(in: .whitespaces) }
        return usageError(message: F.translate(message(for: error), command: node), help: helpLine, node: node)
    }

    static func usageError(message: String, help: String? = nil, node: FrenchCommandLine.Node) -> Int32 {
        let F = FrenchCommandLine.self
        printErr("erreur\(F.nbsp): \(message)")
        if let help, !help.isEmpty { printErr("aide\(F.nbsp): \(help)") }
        printErr("Utilisation\(F.nbsp): \(F.usage(node, root: Relais.self))")
        printErr("Voir \(F.quoted("\(node.name) --help")).")
        return 2
    }
}
