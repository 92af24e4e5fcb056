import Foundation
import RelaisModel
import RelaisMerge
import RelaisNormalize
import Yams

/// The source formats Relais reads. A new format is one new reader file.
/// A source format's id, as manifests write it (`format: csv`). Each reader declares its
/// own (`SourceFormat.csv` lives in CSVReader.swift) and registers in ``Readers/all``.
public struct SourceFormat: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// One source, as an admin declares it in `Importers/<id>.yml`.
public struct Manifest: Sendable {
    public var id: String
    public var title: String
    public var url: String
    public var format: SourceFormat
    public var schedule: RefreshSchedule
    public var kind: Kind?
    public var licence: String?
    public var attribution: String?
    public var owner: String?
    public var enabled: Bool
    public var demo: Bool
    public var priority: Int
    public var staleAfterRuns: Int
    public var options: [String: String]
    public var fields: [String: String]
    /// Testing only: loopback connections to this port count as the public internet, so a
    /// local test server can stand for a public site (see ``FetchPolicy/publicLoopbackPort``).
    public var testingPublicLoopbackPort: UInt16 = 0
    /// Where it was read from (for messages).
    public var file: String
    public var text: String

    public init(
        id: String, title: String, url: String, format: SourceFormat, schedule: RefreshSchedule = .every(hours: 24), kind: Kind? = nil,
        licence: String? = nil, attribution: String? = nil, owner: String? = nil, enabled: Bool = true, demo: Bool = false,
        priority: Int = 0, staleAfterRuns: Int = 3, options: [String: String] = [:], fields: [String: String] = [:],
        file: String = "(manifeste)", text: String = ""
    ) {
        self.id = id
        self.title = title
        self.url = url
        self.format = format
        self.schedule = schedule
        self.kind = kind
        self.licence = licence
        self.attribution = attribution
        self.owner = owner
        self.enabled = enabled
        self.demo = demo
        self.priority = priority
        self.staleAfterRuns = staleAfterRuns
        self.options = options
        self.fields = fields
        self.file = file
        self.text = text
    }

    /// Required keys.
    public static let requiredKeys = ["id", "title", "url", "format", "schedule"]
    /// Optional keys.
    public static let optionalKeys = ["kind", "licence", "attribution", "owner", "enabled", "demo", "priority", "stale_after_runs", "options", "fields", "description"]

    /// Options each format accepts (plus the common ones).
    public static let commonOptions = ["max_rejected_share", "max_shrink_share", "max_pages", "max_bytes", "timeout", "encoding", "allow_private_network"]
    /// Canonical field names a `fields:` mapping may use (csv and json).
    public static let fieldNames = [
        "id", "name", "kind", "description", "organization", "sponsor", "manager", "street", "complement", "postal_code",
        "commune", "insee", "address", "latitude", "longitude", "phones", "email", "website", "hours", "opening_hours",
        "audience", "needs", "modalities", "fees", "eligibility", "registration", "status", "updated", "parent", "languages", "accessibility",
    ]

    /// What the store needs to know of this source.
    public var registration: SourceRegistration {
        SourceRegistration(id: id, title: title, url: url, format: format.rawValue, priority: priority, demo: demo, staleAfterRuns: staleAfterRuns, manifest: text)
    }

    /// What a source's stored validators (`ETag`, `Last-Modified`) hold for: every key that
    /// changes what is fetched or how it is read. Another URL, options or mapping fetch in full.
    public var validatorKey: String {
        var parts = [url, format.rawValue, kind?.rawValue ?? "", demo ? "demo" : "", String(priority)]
        parts += options.sorted { $0.key < $1.key }.map { "o:\($0.key)=\($0.value)" }
        parts += fields.sorted { $0.key < $1.key }.map { "f:\($0.key)=\($0.value)" }
        return Text.hash(parts.joined(separator: "\u{1F}"))
    }

    /// The share of live listings a run may take out at once before it waits for an admin
    /// (`options.max_shrink_share`, default 0.2).
    public var shrinkGuard: ShrinkGuard { ShrinkGuard(maxShare: doubleOption("max_shrink_share", default: 0.2)) }

    public func option(_ name: String) -> String? { options[name] }
    public func intOption(_ name: String, default d: Int) -> Int { options[name].flatMap { Int($0) } ?? d }
    public func doubleOption(_ name: String, default d: Double) -> Double { options[name].flatMap { Double($0) } ?? d }
}

/// A manifest that cannot be used: names the file, the key and what was expected.
public struct ManifestError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let key: String?
    public let message: String
    /// The source the file defines, when its `id` could still be read (for the ledger).
    public var sourceID: String?

    public init(file: String, key: String?, message: String, sourceID: String? = nil) {
        self.file = file
        self.key = key
        self.message = message
        self.sourceID = sourceID
    }

    /// The file's name without its folder, for short messages.
    public var fileName: String { URL(fileURLWithPath: file).lastPathComponent }

    public var description: String {
        if let key { return "\(file) : clé « \(key) » — \(message)" }
        return "\(file) : \(message)"
    }
}

extension Manifest {
    /// Parses and validates a manifest. `${NAME}` in `url` is replaced by the
    /// environment variable NAME (`${RELAIS_HOME}` is always set: the folder
    /// holding `Directory/` and `Importers/`).
    public static func parse(_ text: String, file: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Manifest {
        let node: Any?
        do {
            let root = try Yams.compose(yaml: text)
            var budget = maxYAMLNodes
            if let root, let problem = yamlProblem(root, budget: &budget) {
                throw ManifestError(file: file, key: nil, message: "YAML illisible : \(problem)")
            }
            node = root?.any
        } catch let e as ManifestError { throw e } catch {
            throw ManifestError(file: file, key: nil, message: "YAML illisible : \(error)")
        }
        guard let dict = node as? [String: Any] else {
            throw ManifestError(file: file, key: nil, message: "un manifeste est un dictionnaire YAML de clés (id, title, url, format, schedule…)")
        }
        let allowed = requiredKeys + optionalKeys
        for key in dict.keys.sorted() where !allowed.contains(key) {
            throw ManifestError(file: file, key: key, message: "clé inconnue ; clés possibles : \(allowed.joined(separator: ", "))")
        }
        for key in requiredKeys where dict[key] == nil {
            throw ManifestError(file: file, key: key, message: "clé obligatoire absente")
        }
        func string(_ key: String) throws -> String? {
            guard let v = dict[key] else { return nil }
            if let s = v as? String { return s }
            if let i = v as? Int { return String(i) }
            throw ManifestError(file: file, key: key, message: "attendu : un texte")
        }
        func required(_ key: String) throws -> String {
            guard let v = try string(key) else { throw ManifestError(file: file, key: key, message: "clé obligatoire absente") }
            return v
        }
        func bool(_ key: String, _ d: Bool) throws -> Bool {
            guard let v = dict[key] else { return d }
            guard let b = v as? Bool else { throw ManifestError(file: file, key: key, message: "attendu : true ou false") }
            return b
        }
        let id = try required("id")
        guard !id.isEmpty, id.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }) else {
            throw ManifestError(file: file, key: "id", message: "« \(id) » : attendu des minuscules, chiffres et tirets ([a-z0-9-]+)")
        }
        let title = try required("title")
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw ManifestError(file: file, key: "title", message: "titre vide") }
        let url = try expand(try required("url"), file: file, environment: environment)
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("file://") else {
            throw ManifestError(file: file, key: "url", message: "« \(url) » : attendu une adresse http://, https:// ou file://")
        }
        let formatText = try required("format")
        guard let reader = Readers.reader(for: SourceFormat(formatText)) else {
            throw ManifestError(file: file, key: "format", message: "« \(formatText) » inconnu ; formats possibles : \(Readers.all.map(\.format.rawValue).joined(separator: ", "))")
        }
        let format = reader.format
        let scheduleText = try required("schedule")
        guard let schedule = RefreshSchedule(scheduleText) else {
            throw ManifestError(file: file, key: "schedule", message: "« \(scheduleText) » : attendu une expression cron à 5 champs (« 0 3 * * 1 ») ou « every <N>h » / « every <N>d »")
        }
        var kind: Kind?
        if let k = try string("kind") {
            guard let parsed = Kind(rawValue: k) else {
                throw ManifestError(file: file, key: "kind", message: "« \(k) » inconnu ; types possibles : \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kind = parsed
        }
        var stale = 3
        if let v = dict["stale_after_runs"] {
            guard let n = v as? Int, n >= 0 else { throw ManifestError(file: file, key: "stale_after_runs", message: "attendu : un entier positif ou nul") }
            stale = n
        }
        var priority = 0
        if let v = dict["priority"] {
            guard let n = v as? Int else { throw ManifestError(file: file, key: "priority", message: "attendu : un entier") }
            priority = n
        }
        func stringMap(_ key: String, allowed: [String]) throws -> [String: String] {
            guard let v = dict[key] else { return [:] }
            guard let m = v as? [String: Any] else { throw ManifestError(file: file, key: key, message: "attendu : un dictionnaire") }
            var out: [String: String] = [:]
            for (k, value) in m {
                guard allowed.contains(k) else {
                    throw ManifestError(file: file, key: "\(key).\(k)", message: "inconnue pour le format \(format.rawValue) ; possibles : \(allowed.joined(separator: ", "))")
                }
                switch value {
                case let s as String: out[k] = s
                case let i as Int: out[k] = String(i)
                case let d as Double: out[k] = String(d)
                case let b as Bool: out[k] = String(b)
                default: throw ManifestError(file: file, key: "\(key).\(k)", message: "attendu : un texte ou un nombre")
                }
            }
            return out
        }
        let options = try stringMap("options", allowed: commonOptions + reader.options)
        if let problem = reader.check(options: options) {
            throw ManifestError(file: file, key: "options.\(problem.key)", message: problem.message)
        }
        if let share = options["max_rejected_share"], Double(share).map({ (0...1).contains($0) }) != true {
            throw ManifestError(file: file, key: "options.max_rejected_share", message: "« \(share) » : attendu un nombre entre 0 et 1")
        }
        for key in ["max_pages", "max_bytes", "timeout"] {
            if let v = options[key], (Int(v) ?? 0) <= 0 {
                throw ManifestError(file: file, key: "options.\(key)", message: "« \(v) » : attendu un entier strictement positif")
            }
        }
        if let enc = options["encoding"], !["auto", "utf-8", "windows-1252", "latin-1", "iso-8859-1", "iso-8859-15"].contains(enc.lowercased()) {
            throw ManifestError(file: file, key: "options.encoding", message: "« \(enc) » : attendu auto, utf-8, windows-1252 ou latin-1")
        }
        if let a = options["allow_private_network"], !["true", "false"].contains(a) {
            throw ManifestError(file: file, key: "options.allow_private_network", message: "« \(a) » : attendu true ou false")
        }
        let fields = try stringMap("fields", allowed: fieldNames)
        if !fields.isEmpty && !reader.takesFieldMapping {
            throw ManifestError(file: file, key: "fields", message: "la correspondance de champs ne vaut que pour les formats \(Readers.all.filter(\.takesFieldMapping).map(\.format.rawValue).joined(separator: ", "))")
        }
        return Manifest(
            id: id, title: title, url: url, format: format, schedule: schedule, kind: kind, licence: try string("licence"),
            attribution: try string("attribution"), owner: try string("owner"), enabled: try bool("enabled", true),
            demo: try bool("demo", false), priority: priority, staleAfterRuns: stale, options: options, fields: fields, file: file, text: text)
    }

    /// A manifest is a few dozen nodes; aliases can make a short text a huge tree.
    static let maxYAMLNodes = 10_000

    /// What Yams cannot turn into a value without trapping (a key that is a list or a
    /// dictionary: `? [a, b]: c`), or a tree too large (aliases of aliases), else nil.
    static func yamlProblem(_ node: Node, budget: inout Int) -> String? {
        budget -= 1
        if budget < 0 { return "plus de \(maxYAMLNodes) nœuds (alias imbriqués ?)" }
        switch node {
        case .scalar(let scalar):
            // YAML 1.1 reads `1:30` as a base-60 integer (90), and Yams multiplies without a
            // check: `888588555555555555:2` would trap (found by the manifest fuzzer).
            if node.tag.rawValue == Tag.Name.int.rawValue, scalar.string.contains(":"), !fitsSexagesimal(scalar.string) {
                return "ligne \(scalar.mark?.line ?? 0) : nombre trop grand « \(scalar.string.prefix(40)) »"
            }
            return nil
        case .alias:
            return nil
        case .sequence(let items):
            for item in items { if let p = yamlProblem(item, budget: &budget) { return p } }
            return nil
        case .mapping(let pairs):
            for (key, value) in pairs {
                guard String.construct(from: key) != nil else {
                    return "ligne \(key.mark?.line ?? 0) : une clé doit être un texte, pas une liste ou un dictionnaire"
                }
                if let p = yamlProblem(value, budget: &budget) { return p }
            }
            return nil
        }
    }

    /// Whether a YAML 1.1 base-60 integer (`-1:30:00`, `1_0:20`) and every power of 60 its
    /// reading computes fit in an `Int`.
    static func fitsSexagesimal(_ text: String) -> Bool {
        var digits = Substring(text.replacingOccurrences(of: "_", with: ""))
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        var value = 0, base = 1
        for part in digits.split(separator: ":", omittingEmptySubsequences: false).reversed() {
            guard let digit = Int(part) else { return false }
            let (term, o1) = digit.multipliedReportingOverflow(by: base)
            let (sum, o2) = value.addingReportingOverflow(term)
            let (next, o3) = base.multipliedReportingOverflow(by: 60)
            guard !o1, !o2, !o3 else { return false }
            value = sum
            base = next
        }
        return true
    }

    static func expand(_ s: String, file: String, environment: [String: String]) throws -> String {
        var out = ""
        var rest = Substring(s)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw ManifestError(file: file, key: "url", message: "« ${ » sans « } »")
            }
            let name = String(rest[open.upperBound..<close])
            guard let value = environment[name] else {
                throw ManifestError(file: file, key: "url", message: "variable d’environnement ${\(name)} non définie")
            }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// Reads every `*.yml` / `*.yaml` of a folder. Ids must be unique. Throws at the first
    /// problem: for tools that must not run on a partial set (see ``load(from:environment:)``).
    public static func loadAll(from folder: URL, environment: [String: String]) throws -> [Manifest] {
        let set = try load(from: folder, environment: environment)
        if let first = set.problems.first { throw first }
        return set.manifests
    }

    /// Reads every manifest of a folder, keeping the valid ones and naming each problem:
    /// one bad file stays one bad file. Throws only when the folder cannot be read.
    public static func load(from folder: URL, environment: [String: String]) throws -> ManifestSet {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { ["yml", "yaml"].contains($0.pathExtension) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw ManifestError(file: folder.path, key: nil, message: "dossier des manifestes illisible")
        }
        var set = ManifestSet()
        for f in files {
            do {
                let text: String
                do { text = try String(contentsOf: f, encoding: .utf8) } catch {
                    throw ManifestError(file: f.path, key: nil, message: "fichier illisible (UTF-8 attendu)")
                }
                let m = try parse(text, file: f.path, environment: environment)
                if let other = set.manifests.first(where: { $0.id == m.id }) {
                    // Not tied to the source: the first file that names it is the one that runs.
                    set.problems.append(ManifestError(file: f.path, key: "id", message: "« \(m.id) » déjà utilisé par \(other.file)"))
                    continue
                }
                set.manifests.append(m)
            } catch var e as ManifestError {
                // The id, when the file still says one, ties the problem to its source in the ledger.
                if e.sourceID == nil, let text = try? String(contentsOf: f, encoding: .utf8),
                    let id = ((try? Yams.load(yaml: text)) as? [String: Any])?["id"] as? String,
                    !id.isEmpty, id.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" })
                {
                    e.sourceID = id
                }
                set.problems.append(e)
            } catch {
                set.problems.append(ManifestError(file: f.path, key: nil, message: "\(error)"))
            }
        }
        return set
    }
}

/// The manifests of a folder: those that can run, and the files that cannot, each with its reason.
public struct ManifestSet: Sendable {
    public var manifests: [Manifest] = []
    public var problems: [ManifestError] = []

    public init(manifests: [Manifest] = [], problems: [ManifestError] = []) {
        self.manifests = manifests
        self.problems = problems
    }
}
