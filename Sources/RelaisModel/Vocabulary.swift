/// The kinds of resource Relais lists (DOMAIN.md). Stable identifiers in code;
/// French labels come from `Directory/kinds.yml`.
public enum Kind: String, CaseIterable, Codable, Sendable, Comparable {
    case gem
    case association_usagers
    case association_familles
    case mdu_permanence
    case plateforme_pairs
    case pair_aidant
    case apaf
    case atelier_prospect
    case groupe_parole
    case clubhouse
    case ligne_ecoute
    case ressource_en_ligne

    public static func < (a: Kind, b: Kind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Phone lines and online resources: reached from anywhere, never penalised by distance.
    public var isRemote: Bool { self == .ligne_ecoute || self == .ressource_en_ligne }

    /// Accepts the id, or a loose spelling ("Atelier Prospect", "groupe-parole").
    public init?(loose: String) {
        if let k = Kind(rawValue: loose) { self = k; return }  // as written, most often
        // Lower case, with « - » and spaces as « _ » (kinds are ASCII: anything else is no kind).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(loose.utf8.count)
        for b in loose.utf8 {
            switch b {
            case 0x41...0x5A: bytes.append(b + 0x20)
            case 0x2D, 0x20: bytes.append(0x5F)
            default: bytes.append(b)
            }
        }
        if let k = Kind(rawValue: String(decoding: bytes, as: UTF8.self)) { self = k } else { return nil }
    }
}

/// Who the question is asked for.
public enum Audience: String, CaseIterable, Codable, Sendable {
    /// The person concerned (usager, personne concernée).
    case personne
    /// A relative or friend (proche, aidant, famille).
    case proche
    /// A care or social professional.
    case professionnel
}

/// How a resource is reached.
public enum Modality: String, CaseIterable, Codable, Sendable {
    case sur_place
    case telephone
    case en_ligne
}

/// Open Referral service status, with HSDS's spelling in `hsdsValue`.
public enum ServiceStatus: String, Codable, Sendable, CaseIterable {
    case active
    case inactive
    case temporarily_closed
    case defunct

    public init?(hsds: String) {
        // Foundation's trim only when there is a space to trim (it is slow: one status per record).
        let plain = hsds.utf8.first.map { $0 > 0x20 } ?? true && hsds.utf8.last.map { $0 > 0x20 } ?? true
        switch plain ? hsds.lowercased() : hsds.lowercased().trimmingCharacters(in: .whitespaces) {
        case "active": self = .active
        case "inactive": self = .inactive
        case "temporarily closed", "temporarily_closed": self = .temporarily_closed
        case "defunct": self = .defunct
        default: return nil
        }
    }

    public var hsdsValue: String { self == .temporarily_closed ? "temporarily closed" : rawValue }
    /// Whether the listing may be suggested at all.
    public var isListed: Bool { self == .active || self == .temporarily_closed }
}

/// A note attached to a listing by the importer or the merge: something a
/// human should look at. Codes are stable; messages are French.
public struct Flag: Codable, Sendable, Hashable {
    public var code: String
    public var field: String?
    public var message: String

    public init(_ code: String, field: String? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }
}
