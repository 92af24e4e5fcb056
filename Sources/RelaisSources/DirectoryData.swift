import Foundation
import RelaisFetch
import RelaisModel
import RelaisMerge
import RelaisNormalize
import Yams

/// Where Relais finds its own data (`Directory/`) and its manifests (`Importers/`).
///
/// Looked up in order: `$RELAIS_HOME`; the folders above the running
/// executable (a build in `.build/` finds the checkout it was built from);
/// the working directory and its parents.
public struct RelaisHome: Sendable {
    public let root: URL
    public var directory: URL { root.appendingPathComponent("Directory") }
    public var importers: URL { root.appendingPathComponent("Importers") }

    public init(root: URL) { self.root = root }

    public struct NotFound: Error, CustomStringConvertible {
        public var description: String {
            "dossier Directory/ introuvable : lancez relais depuis le dépôt, ou indiquez-le avec RELAIS_HOME=/chemin/vers/relais"
        }
    }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RelaisHome {
        var candidates: [URL] = []
        if let h = environment["RELAIS_HOME"], !h.isEmpty { candidates.append(URL(fileURLWithPath: h)) }
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates += ancestors(of: exe.deletingLastPathComponent())
        candidates += ancestors(of: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent("Directory/needs.yml").path) {
            return RelaisHome(root: c.standardizedFileURL)
        }
        throw NotFound()
    }

    static func ancestors(of url: URL) -> [URL] {
        var out: [URL] = []
        var u = url.standardizedFileURL
        for _ in 0..<8 {
            out.append(u)
            let parent = u.deletingLastPathComponent()
            if parent.path == u.path { break }
            u = parent
        }
        return out
    }
}

/// A national entry of `Directory/national.yml`.
public struct NationalLine: Codable, Sendable {
    public var key: String
    public var name: String
    public var kind: Kind
    public var description: String?
    public var phones: [String]?
    public var email: String?
    public var website: String?
    public var audiences: [Audience]?
    public var needs: [String]?
    public var opening_hours: String?
    public var verified: String?
}

/// Everything Relais reads from `Directory/`: taxonomy, geography, national lines.
public struct DirectoryData: Sendable {
    public var taxonomy: Taxonomy
    public var gazetteer: Gazetteer
    public var emergency: [EmergencyLine]
    public var nationalLines: [NationalLine]
    /// Text of national.yml, to notice when it changed.
    public var nationalText: String
    public var dataInclusion: DataInclusionVocabulary

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    struct NeedsFile: Codable {
        struct Need: Codable {
            var id: String
            var label: String
            var description: String?
            var kinds: [Kind]
            var kinds_for_relatives: [Kind]?
        }
        var needs: [Need]
    }

    struct KindsFile: Codable {
        struct K: Codable {
            var kind: Kind
            var label: String
            var plural: String
            var description: String?
            var audiences: [Audience]
            var keywords: [String]
        }
        var kinds: [K]
    }

    struct NationalFile: Codable {
        var emergency: [EmergencyLine]
        var lines: [NationalLine]
    }

    /// Loads `Directory/`; the gazetteer may be replaced by one imported into the store.
    /// The needs and kinds alone (`needs.yml`, `kinds.yml`): what the referral index needs, read
    /// before the rest (a start reads the index while the gazetteer loads).
    public static func taxonomy(from home: RelaisHome) throws -> Taxonomy {
        let needs = try decode(NeedsFile.self, "needs.yml", in: home.directory)
        let kinds = try decode(KindsFile.self, "kinds.yml", in: home.directory)
        return Taxonomy(
            needs: needs.needs.map { NeedDefinition(id: $0.id, label: $0.label, description: $0.description, kinds: $0.kinds, kindsForRelatives: $0.kinds_for_relatives ?? []) },
            kinds: kinds.kinds.map { KindDefinition(kind: $0.kind, label: $0.label, plural: $0.plural, description: $0.description, audiences: $0.audiences, keywords: $0.keywords) })
    }

    private static func read(_ name: String, in dir: URL) throws -> String {
        do { return try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) } catch {
            throw LoadError(description: "Directory/\(name) illisible : \(error.localizedDescription)")
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ name: String, in dir: URL) throws -> T {
        do { return try YAMLDecoder().decode(T.self, from: try read(name, in: dir)) } catch let e as LoadError { throw e } catch {
            throw LoadError(description: "Directory/\(name) : \(error)")
        }
    }

    /// `taxonomy`: already read by ``taxonomy(from:)`` (else read here).
    public static func load(from home: RelaisHome, communes override: (communes: [Commune], parents: [String: String])? = nil, taxonomy known: Taxonomy? = nil) throws -> DirectoryData {
        let dir = home.directory
        func read(_ name: String) throws -> String { try Self.read(name, in: dir) }
        func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T { try Self.decode(type, name, in: dir) }
        let taxonomy = try known ?? Self.taxonomy(from: home)
        let nationalText = try read("national.yml")
        let national: NationalFile
        do { national = try YAMLDecoder().decode(NationalFile.self, from: nationalText) } catch {
            throw LoadError(description: "Directory/national.yml : \(error)")
        }
        let departements = Gazetteer.parseDepartements(try read("geo/departements.tsv"))
        let gazetteer: Gazetteer
        if let override, !override.communes.isEmpty {
            gazetteer = Gazetteer(communes: override.communes, parents: override.parents, departements: departements)
        } else {
            let gz = try Data(contentsOf: dir.appendingPathComponent("geo/communes.tsv.gz"))
            let text = String(decoding: try Gzip.decompress([UInt8](gz)), as: UTF8.self)
            let (communes, parents) = Gazetteer.parseCommunes(text)
            gazetteer = Gazetteer(communes: communes, parents: parents, departements: departements)
        }
        let vocabulary = try decode(DataInclusionVocabulary.self, "data-inclusion.yml")
        return DirectoryData(taxonomy: taxonomy, gazetteer: gazetteer, emergency: national.emergency, nationalLines: national.lines, nationalText: nationalText, dataInclusion: vocabulary)
    }
}

/// data·inclusion's référentiels mapped to Relais's vocabulary (`Directory/data-inclusion.yml`).
public struct DataInclusionVocabulary: Codable, Sendable {
    /// Every valid thématique, with the need it serves (nil: none of ours).
    public var thematiques: [String: String?]
    public var publics: [String: [Audience]]
    public var modes_accueil: [String: [Modality]]
    /// The thématiques each need is exported under (`relais export datainclusion`).
    public var export_thematiques: [String: [String]]?

    public var exportThematiques: [String: [String]] { export_thematiques ?? [:] }
}
