import Foundation

/// A WGS 84 point.
public struct GeoPoint: Codable, Sendable, Hashable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Great-circle distance in kilometres.
    public func distance(to other: GeoPoint) -> Double {
        let r = 6371.0088
        let φ1 = latitude * .pi / 180, φ2 = other.latitude * .pi / 180
        let dφ = (other.latitude - latitude) * .pi / 180
        let dλ = (other.longitude - longitude) * .pi / 180
        let a = sin(dφ / 2) * sin(dφ / 2) + cos(φ1) * cos(φ2) * sin(dλ / 2) * sin(dλ / 2)
        return 2 * r * asin(min(1, sqrt(a)))
    }
}

/// Where a listing's point comes from, best first.
public enum GeoPrecision: String, Codable, Sendable {
    /// Given by the source and plausible.
    case source
    /// The centroid of the listing's commune.
    case commune
    /// The centroid of its département.
    case departement
}

/// A French département (or overseas département), with its région.
public struct Departement: Codable, Sendable, Hashable {
    public var code: String
    public var name: String
    public var regionCode: String
    public var regionName: String
    public var centroid: GeoPoint

    public init(code: String, name: String, regionCode: String, regionName: String, centroid: GeoPoint) {
        self.code = code
        self.name = name
        self.regionCode = regionCode
        self.regionName = regionName
        self.centroid = centroid
    }
}

/// A commune of the INSEE geography with its postal codes (Lyon, Paris and
/// Marseille appear as their arrondissements).
public struct Commune: Codable, Sendable, Hashable {
    public var insee: String
    public var name: String
    public var postalCodes: [String]
    public var centroid: GeoPoint

    public init(insee: String, name: String, postalCodes: [String], centroid: GeoPoint) {
        self.insee = insee
        self.name = name
        self.postalCodes = postalCodes
        self.centroid = centroid
    }

    /// Département code derived from the INSEE code (2A/2B, 971–976 kept).
    public var departement: String {
        if insee.hasPrefix("97") || insee.hasPrefix("98") { return String(insee.prefix(3)) }
        return String(insee.prefix(2))
    }
}

/// A postal address, normalised.
public struct Address: Codable, Sendable, Hashable {
    public var street: String?
    public var complement: String?
    public var postalCode: String?
    public var commune: String?
    public var insee: String?
    public var departement: String?
    public var region: String?
    public var country: String

    public init(
        street: String? = nil, complement: String? = nil, postalCode: String? = nil, commune: String? = nil,
        insee: String? = nil, departement: String? = nil, region: String? = nil, country: String = "FR"
    ) {
        self.street = street
        self.complement = complement
        self.postalCode = postalCode
        self.commune = commune
        self.insee = insee
        self.departement = departement
        self.region = region
        self.country = country
    }

    public var isEmpty: Bool { street == nil && postalCode == nil && commune == nil }

    /// One line: "12 rue X, 21000 Dijon".
    public var singleLine: String {
        let town = [postalCode, commune].compactMap { $0 }.joined(separator: " ")
        return [street, complement, town.isEmpty ? nil : town].compactMap { $0 }.joined(separator: ", ")
    }
}
