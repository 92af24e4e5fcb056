import ArgumentParser
import Foundation
import RelaisNormalize

/// The command line speaks French: help, usage, parse errors and suggestions.
///
/// ArgumentParser parses; everything it would print in English is written here instead:
/// the help is rendered from the commands' own configuration (their abstracts, discussions
/// and argument help, already French) read through ArgumentParser's help dump, and its
/// parse errors are translated, with a suggestion for a near miss.
enum FrenchCommandLine {
    /// A no-break space, before « : ; ? ! » and inside guillemets.
    static let nbsp = "\u{A0}"

    static func quoted(_ s: String) -> String { "«\(nbsp)\(s)\(nbsp)»" }

    // MARK: The command tree

    /// A command with its ArgumentParser type and what its help dump says of it.
    struct Node {
        let type: any ParsableCommand.Type
        let info: CommandInfo
        /// `["relais", "admin", "add"]`.
        let path: [String]
        let children: [Node]

        var name: String { path.joined(separator: " ") }
        func child(_ name: String) -> Node? { children.first { $0.info.commandName == name || ($0.info.aliases ?? []).contains(name) } }
        var childNames: [String] { children.map(\.info.commandName) }
    }

    /// What ArgumentParser's help dump says of a command (the fields used here).
    struct CommandInfo: Decodable {
        var commandName: String
        var aliases: [String]?
        var abstract: String?
        var discussion: String?
        var subcommands: [CommandInfo]?
        var arguments: [ArgumentInfo]?
    }

    struct ArgumentInfo: Decodable {
        struct Name: Decodable {
            var kind: String
            var name: String
            var synopsis: String { kind == "short" ? "-\(name)" : kind == "long" ? "--\(name)" : "-\(name)" }
        }
        var kind: String
        var shouldDisplay: Bool
        var isOptional: Bool
        var isRepeating: Bool
        var names: [Name]?
        var valueName: String?
        var defaultValue: String?
        var abstract: String?
        var discussion: String?

        var longNames: [String] { (names ?? []).filter { $0.kind != "short" }.map(\.synopsis) }
        var isHelp: Bool { longNames.contains("--help") }
        var isVersion: Bool { longNames == ["--version"] }
    }

    private struct ToolInfo: Decodable { var command: CommandInfo }

    /// The tree of commands under `root`.
    static func tree(_ root: any ParsableCommand.Type) -> Node {
        let info = (try? JSONDecoder().decode(ToolInfo.self, from: Data(root._dumpHelp().utf8)))?.command
            ?? CommandInfo(commandName: root.configuration.commandName ?? "relais")
        return node(root, info, path: [info.commandName])
    }

    private static func node(_ type: any ParsableCommand.Type, _ info: CommandInfo, path: [String]) -> Node {
        // The dump lists the subcommands in their declared order (and then « help » at the root).
        let children = zip(type.configuration.subcommands, info.subcommands ?? []).map { sub, subInfo in
            node(sub, subInfo, path: path + [subInfo.commandName])
        }
        return Node(type: type, info: info, path: path, children: children)
    }

    // MARK: Help

    static var width: Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c >= 40 { return min(c, 120) }
        var w = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &w) == 0, w.ws_col >= 40 { return min(Int(w.ws_col), 120) }
        return 80
    }

    /// The usage line of a command (« relais refer [<options>] --needs <needs> »).
    static func usage(_ node: Node, root: any ParsableCommand.Type) -> String {
        let english = node.path.count == 1 ? root.usageString() : root.usageString(for: node.type)
        return english.replacingOccurrences(of: "<subcommand>", with: "<sous-commande>")
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// The help screen of a command, in French.
    static func help(_ node: Node, root: any ParsableCommand.Type, width: Int = width) -> String {
        var blocks: [String] = []
        if let abstract = node.info.abstract, !abstract.isEmpty { blocks.append(wrap(abstract, width: width)) }
        if let discussion = node.info.discussion, !discussion.isEmpty {
            blocks.append(discussion.split(separator: "\n", omittingEmptySubsequences: false).map { wrap(String($0), width: width) }.joined(separator: "\n"))
        }
        let usageHead = "Utilisation\(nbsp): "
        blocks.append(wrap(usage(node, root: root), width: width, first: usageHead, hanging: usageHead.count))

        let arguments = (node.info.arguments ?? []).filter(\.shouldDisplay)
        let positionals = arguments.filter { $0.kind == "positional" }
        if !positionals.isEmpty {
            blocks.append(section("Arguments", positionals.map { ("<\($0.valueName ?? "valeur")>\($0.isRepeating ? " …" : "")", describe($0)) }, width: width))
        }
        var options: [(String, String)] = []
        let named = arguments.filter { $0.kind != "positional" && !$0.isHelp && !$0.isVersion }
        var skip = false
        for (i, a) in named.enumerated() {
            if skip { skip = false; continue }
            // An inverted flag is two in the dump: « --scheduler/--no-scheduler » is one line.
            if i + 1 < named.count, a.kind == "flag", let long = a.longNames.first,
               case let inverse = long.replacingOccurrences(of: "--", with: "--no-"), named[i + 1].longNames == [inverse] {
                options.append(("\(long)/\(inverse)", describe(a)))
                skip = true
            } else {
                options.append((label(a), describe(a)))
            }
        }
        options.append(("--version", "Affiche la version de relais."))
        options.append(("-h, --help", "Affiche cette aide."))
        blocks.append(section("Options", options, width: width))

        if !node.children.isEmpty {
            var subs = node.children.map { ($0.info.commandName, $0.info.abstract ?? "") }
            if node.path.count == 1 {
                subs.append(("help", "Affiche l’aide d’une sous-commande (« relais help refer »)."))
                subs.append(("version", "Affiche la version de relais."))
            }
            blocks.append(section("Sous-commandes", subs, width: width))
            let rest = node.path.dropFirst().joined(separator: " ")
            let helpCommand = (["relais", "help"] + (rest.isEmpty ? [] : [rest]) + ["<sous-commande>"]).joined(separator: " ")
            blocks.append(wrap("Voir \(quoted(helpCommand)) ou \(quoted("\(node.name) <sous-commande> --help")).", width: width))
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    /// « -h, --help », « --db <db> », « --scheduler/--no-scheduler ».
    static func label(_ a: ArgumentInfo) -> String {
        let names = (a.names ?? []).sorted { ($0.kind == "short" ? 0 : 1) < ($1.kind == "short" ? 0 : 1) }.map(\.synopsis)
        var text = names.joined(separator: ", ")
        if names.count == 2, names[1] == names[0].replacingOccurrences(of: "--", with: "--no-") { text = names.joined(separator: "/") }
        if a.kind == "option" { text += " <\(a.valueName ?? "valeur")>" }
        if a.isRepeating { text += " …" }
        return text
    }

    static func describe(_ a: ArgumentInfo) -> String {
        var text = a.abstract ?? ""
        if let d = a.discussion, !d.isEmpty { text += (text.isEmpty ? "" : " ") + d }
        if let v = a.defaultValue, !v.isEmpty, a.kind != "flag" || v.hasPrefix("-") {
            text += (text.isEmpty ? "" : " ") + "(par défaut\(nbsp): \(v))"
        } else if a.kind == "positional" || (a.kind == "option" && !a.isOptional) {
            text += (text.isEmpty ? "" : " ") + "(obligatoire)"
        }
        return text
    }

    static func section(_ title: String, _ rows: [(String, String)], width: Int) -> String {
        let column = 28
        var lines = ["\(title)\(nbsp):"]
        for (label, text) in rows {
            let head = "  " + label
            if head.count <= column - 2 {
                lines.append(wrap(text, width: width, first: head.padding(toLength: column, withPad: " ", startingAt: 0), hanging: column))
            } else {
                lines.append(head)
                lines.append(wrap(text, width: width, first: String(repeating: " ", count: column), hanging: column))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Wraps `text` at `width` columns after `first` (kept as is); the lines after the first
    /// are indented by `hanging`. French punctuation keeps its word: the space before
    /// « : ; ? ! » and inside guillemets becomes a no-break space.
    static func wrap(_ text: String, width: Int, first: String = "", hanging: Int = 0) -> String {
        var text = text
        for (plain, bound) in [(" :", "\(nbsp):"), (" ;", "\(nbsp);"), (" ?", "\(nbsp)?"), (" !", "\(nbsp)!"), (" »", "\(nbsp)»"), ("« ", "«\(nbsp)")] {
            text = text.replacingOccurrences(of: plain, with: bound)
        }
        var lines: [String] = []
        var line = first
        var lineHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if lineHasWord, line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: hanging)
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n")
    }

    // MARK: Near misses

    /// The candidate closest to `word`: at most 2 edits (1 for a word of 3 letters or fewer),
    /// or a prefix of at least 3 letters (« sess » → « sessions »).
    static func closest(_ word: String, among candidates: [String]) -> String? {
        let w = word.lowercased()
        guard !w.isEmpty else { return nil }
        let allowed = w.count <= 3 ? 1 : 2
        let scored = candidates.map { ($0, distance(Array(w), Array($0.lowercased()))) }
        // The fewest edits; between equals, the one the word begins (« --need » → « --needs », not « --near »).
        let close = scored.filter { $0.1 <= allowed && $0.1 < w.count }
        if let least = close.map(\.1).min() {
            let best = close.filter { $0.1 == least }
            return (best.first { $0.0.lowercased().hasPrefix(w) } ?? best.first)?.0
        }
        let bare = w.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        guard bare.count >= 3 else { return nil }
        return candidates.first { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "-")).hasPrefix(bare) }
            ?? candidates.first { c in
                let bareCandidate = c.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "-"))
                return bareCandidate.count >= 3 && bare.hasPrefix(bareCandidate)
            }
    }

    /// Levenshtein distance: the one `Text.closest` uses.
    static func distance(_ a: [Character], _ b: [Character]) -> Int { Text.distance(a, b) }

    // MARK: Parse errors

    /// The first option of `arguments` that `command` does not know (« --need », « -x »).
    static func unknownOption(in arguments: [String], command: Node) -> String? {
        let known = Set((command.info.arguments ?? []).flatMap { ($0.names ?? []).map(\.synopsis) } + ["-h", "--help", "-help", "--version", "--experimental-dump-help", "--generate-completion-script"])
        for a in arguments {
            if a.hasPrefix("--") {
                let name = String(a.prefix { $0 != "=" })
                if name.count > 2, !known.contains(name) { return name }
            } else if a.hasPrefix("-"), a.count >= 2, a.dropFirst().first?.isLetter == true, !known.contains(a) {
                return a
            }
        }
        return nil
    }

    /// A parse error of ArgumentParser, in French: the message, and the help line of the
    /// argument concerned when there is one.
    static func translate(_ english: String, command: Node) -> String {
        let m = english.trimmingCharacters(in: .whitespacesAndNewlines)
        let optionNames = (command.info.arguments ?? []).filter(\.shouldDisplay).flatMap(\.longNames)
        func suggestion(_ name: String) -> String {
            guard let s = closest(name, among: optionNames + ["--help", "--version"]) else { return "" }
            return " Vouliez-vous dire \(quoted(s))\(nbsp)?"
        }
        if let g = m.groups(#"^Unknown option '(.+?)'\. Did you mean '(.+?)'\?$"#) {
            return "option inconnue \(quoted(g[0])). Vouliez-vous dire \(quoted(g[1]))\(nbsp)?"
        }
        if let g = m.groups(#"^Unknown option '(.+?)'$"#) { return "option inconnue \(quoted(g[0])).\(suggestion(g[0]))" }
        if let g = m.groups(#"^Missing value for '(.+?)'$"#) { return "il manque la valeur de \(quoted(g[0]))." }
        if let g = m.groups(#"^Missing expected argument '(.+?)'$"#) {
            return g[0].hasPrefix("-") ? "l’option \(quoted(g[0])) est obligatoire." : "il manque l’argument \(quoted(g[0]))."
        }
        if let g = m.groups(#"^Missing one of: (.+)$"#) { return "il manque l’un de\(nbsp): \(frenchList(g[0]))." }
        if let g = m.groups(#"^Unexpected argument '(.+?)'$"#) {
            if g[0].hasPrefix("-") { return "option inconnue \(quoted(g[0])).\(suggestion(g[0]))" }
            return "argument en trop\(nbsp): \(quoted(g[0])) (un texte de plusieurs mots se met entre guillemets)."
        }
        if let g = m.groups(#"^(\d+) unexpected arguments: (.+)$"#) { return "\(g[0]) arguments en trop\(nbsp): \(frenchList(g[1]))." }
        if let g = m.groups(#"^The option '(.+?)' does not take any value, but '(.*?)' was specified\.$"#) {
            return "l’option \(quoted(g[0])) ne prend pas de valeur (\(quoted(g[1])) donné)."
        }
        if let g = m.groups(#"^The value '(.*?)' is invalid for '(.+?)'(?::\s*(.*)|\. Please provide one of ([\s\S]*))?$"#) {
            return "la valeur \(quoted(g[0])) ne convient pas à \(quoted(g[1]))\(expected(g[1], g[2], g[3]))"
        }
        if let g = m.groups(#"^The value '(.*?)' is invalid\.(?:\s*(.*))?$"#) { return "la valeur \(quoted(g[0])) ne convient pas\(g[1].isEmpty ? "." : "\(nbsp): \(g[1])")" }
        if let g = m.groups(#"^Invalid option: (.+)$"#) { return "option invalide\(nbsp): \(quoted(g[0]))." }
        if m == "Missing required subcommand." { return "sous-commande manquante." }
        if let g = m.groups(#"^Value to be set with (.+) had already been set with (.+)$"#) {
            return "valeur donnée deux fois (\(g[1].replacingOccurrences(of: "flag ", with: "")), puis \(g[0].replacingOccurrences(of: "flag ", with: "")))."
        }
        if m.hasPrefix("Internal error") { return "erreur interne de l’analyse des arguments." }
        return m
    }

    private static func frenchList(_ quotedList: String) -> String {
        quotedList.split(separator: ",").map { quoted($0.trimmingCharacters(in: CharacterSet(charactersIn: " '"))) }.joined(separator: ", ")
    }

    /// What the value should have been: a number for a number, else the listed choices.
    private static func expected(_ option: String, _ reason: String, _ choices: String) -> String {
        if !choices.isEmpty {
            let values = choices.components(separatedBy: CharacterSet(charactersIn: "'\n")).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " -.")) }
                .filter { !$0.isEmpty && !["and", "or", ",", "the following:"].contains($0) }
            return "\(nbsp): valeurs possibles\(nbsp): \(values.joined(separator: ", "))."
        }
        if !reason.isEmpty { return "\(nbsp): \(reason)" }
        return "\(nbsp): un nombre est attendu."
    }
}

extension String {
    /// The capture groups of the first match of `pattern` ("" for a group that took no part).
    /// Always one string per group of the pattern, matched or not: `g[k]` below a literal
    /// pattern's group count cannot trap, whatever the message.
    func groups(_ pattern: String) -> [String]? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let match = re.firstMatch(in: self, range: NSRange(startIndex..., in: self)) else { return nil }
        return (1..<match.numberOfRanges).map { i in Range(match.range(at: i), in: self).map { String(self[$0]) } ?? "" }
    }
}
