/// How a place can be reached by a person with a disability — HSDS 3.0's `accessibility`
/// of a location, Accèslibre's criteria, schema.org's `amenityFeature`.
public struct Accessibility: Codable, Sendable, Hashable {
    /// What the source says, understood (wheelchair, step-free…).
    public var features: [AccessFeature]
    /// The source's own words (« Accès de plain-pied, utilisable en fauteuil roulant »).
    public var description: String?
    /// More of them (« Entrée sans marche, toilettes adaptées »).
    public var details: String?
    /// A page describing the place's access: its Accèslibre sheet, most often.
    public var url: String?

    public init(features: [AccessFeature] = [], description: String? = nil, details: String? = nil, url: String? = nil) {
        self.features = features
        self.description = description
        self.details = details
        self.url = url
    }

    public var isEmpty: Bool { features.isEmpty && description == nil && details == nil && url == nil }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            features: try c.decodeIfPresent([AccessFeature].self, forKey: .features) ?? [], description: try c.decodeIfPresent(String.self, forKey: .description),
            details: try c.decodeIfPresent(String.self, forKey: .details), url: try c.decodeIfPresent(String.self, forKey: .url))
    }
}

/// One access feature a person can filter on (`accessible=fauteuil`). Stable ids in
/// code and URLs; French labels for people.
public enum AccessFeature: String, Codable, CaseIterable, Sendable, Comparable {
    /// Usable in a wheelchair (entrance, circulation, toilets).
    case fauteuil
    /// An entrance without steps (or with a ramp).
    case plain_pied
    /// A lift to the floor where it happens.
    case ascenseur
    /// Toilets adapted to a wheelchair.
    case toilettes_adaptees
    /// A hearing loop (boucle magnétique / boucle à induction).
    case boucle_magnetique
    /// Sign-language (LSF) interpretation or signing hosts.
    case lsf
    /// Documents in easy-to-read French (FALC, « facile à lire et à comprendre »).
    case falc

    public var label: String {
        switch self {
        case .fauteuil: "accessible en fauteuil roulant"
        case .plain_pied: "entrée de plain-pied"
        case .ascenseur: "ascenseur"
        case .toilettes_adaptees: "toilettes adaptées"
        case .boucle_magnetique: "boucle magnétique"
        case .lsf: "accueil en langue des signes (LSF)"
        case .falc: "documents en FALC (facile à lire et à comprendre)"
        }
    }

    public static func < (a: AccessFeature, b: AccessFeature) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }
}

/// Languages a resource welcomes people in: ISO 639 codes (639-1 when there is one,
/// else 639-3: `fsl` for langue des signes française), named in French.
public enum Language {
    /// Codes Relais names in French, with their names; any other valid code is kept as is.
    public static let names: [String: String] = [
        "fr": "français", "en": "anglais", "ar": "arabe", "es": "espagnol", "pt": "portugais", "it": "italien", "de": "allemand",
        "nl": "néerlandais", "pl": "polonais", "ro": "roumain", "ru": "russe", "uk": "ukrainien", "tr": "turc", "zh": "chinois",
        "vi": "vietnamien", "fa": "persan", "ps": "pachto", "ku": "kurde", "hy": "arménien", "ka": "géorgien", "sq": "albanais",
        "sr": "serbe", "bg": "bulgare", "el": "grec", "he": "hébreu", "hi": "hindi", "ur": "ourdou", "bn": "bengali", "ta": "tamoul",
        "ja": "japonais", "ko": "coréen", "th": "thaï", "km": "khmer", "lo": "lao", "so": "somali", "am": "amharique", "ti": "tigrigna",
        "sw": "swahili", "wo": "wolof", "ff": "peul", "bm": "bambara", "ln": "lingala", "mg": "malgache", "ht": "créole haïtien",
        "br": "breton", "eu": "basque", "ca": "catalan", "co": "corse", "oc": "occitan", "ber": "berbère", "kab": "kabyle",
        "rcf": "créole réunionnais", "gcf": "créole guadeloupéen", "gcr": "créole guyanais", "fsl": "langue des signes française (LSF)",
        "sgn": "langue des signes", "bzs": "langue des signes brésilienne", "ase": "langue des signes américaine", "bfi": "langue des signes britannique",
    ]

    /// The French name of a code (the code itself when Relais does not know it).
    public static func name(_ code: String) -> String { names[code.lowercased()] ?? code }

    /// The name as a list shows it: « français, arabe, LSF ».
    public static func shortName(_ code: String) -> String {
        switch code.lowercased() {
        case "fsl": "LSF"
        case "ase": "ASL"
        case "bfi": "BSL"
        default: name(code)
        }
    }

    /// A code as stored: lower case, 2 or 3 ASCII letters.
    public static func isCode(_ s: String) -> Bool {
        (2...3).contains(s.count) && s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) }
    }
}
