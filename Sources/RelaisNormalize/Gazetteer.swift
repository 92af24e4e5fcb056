import RelaisModel

/// Postal codes, without any table.
public enum PostalCode {
    /// `"1000"` → `"01000"` (a spreadsheet ate the leading zero), `"21 000"` → `"21000"`; nil when not a postal code.
    public static func normalize(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let digits = raw.filter { $0.isASCII && $0.isNumber }
        guard digits.count == raw.filter({ !$0.isWhitespace && $0 != "\u{A0}" }).count else { return nil }
        switch digits.count {
        case 5: return digits
        case 4: return "0" + digits
        default: return nil
        }
    }

    /// Département of a postal code: the first two digits, except Corsica
    /// (`200xx`–`201xx` → 2A, `202xx`–`206xx` → 2B) and overseas (`971`–`976`).
    /// Postal codes can cross département lines: prefer the commune's INSEE code when known.
    public static func departement(_ postal: String) -> String? {
        guard let pc = normalize(postal) else { return nil }
        if pc.hasPrefix("20") {
            return (Int(pc) ?? 0) < 20200 ? "2A" : "2B"
        }
        if pc.hasPrefix("97") { return String(pc.prefix(3)) }
        // Wallis-et-Futuna 986xx, French Polynesia 987xx, New Caledonia 988xx; 980xx is Monaco.
        if pc.hasPrefix("986") || pc.hasPrefix("987") || pc.hasPrefix("988") { return String(pc.prefix(3)) }
        if pc.hasPrefix("98") { return nil }
        return String(pc.prefix(2))
    }
}

/// What a place query resolves to.
public enum PlaceLookup: Sendable, Equatable {
    case point(GeoPoint, label: String, departement: String?)
    /// Several communes answer to that name: the person must choose.
    case ambiguous([Commune])
    case notFound
}

/// The outcome of resolving a postal code and commune name.
public struct AddressResolution: Sendable, Equatable {
    public var postalCode: String?
    public var commune: Commune?
    public var departement: String?
    public var flags: [Flag]
}

/// French communes and départements, searchable by postal code, INSEE code and name.
public struct Gazetteer: Sendable {
    public let communes: [Commune]
    public let departements: [String: Departement]
    private let byInsee: [String: Int]
    private let byPostal: [String: [Int]]
    private let byName: [String: [Int]]
    private let parents: [String: String]
    /// Folded name of each commune (same order as `communes`).
    private let nameKeys: [String]
    private let keyByInsee: [String: String]

    public init(communes: [Commune], parents: [String: String] = [:], departements: [Departement]) {
        self.communes = communes
        self.parents = parents
        self.departements = Dictionary(departements.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var byInsee: [String: Int] = [:], byPostal: [String: [Int]] = [:], byName: [String: [Int]] = [:]
        var keys: [String] = []
        keys.reserveCapacity(communes.count)
        for (i, c) in communes.enumerated() {
            byInsee[c.insee] = i
            for pc in c.postalCodes { byPostal[pc, default: []].append(i) }
            let key = Gazetteer.nameKey(c.name)
            keys.append(key)
            byName[key, default: []].append(i)
        }
        self.nameKeys = keys
        self.keyByInsee = Dictionary(zip(communes.map(\.insee), keys), uniquingKeysWith: { a, _ in a })
        self.byInsee = byInsee
        self.byPostal = byPostal
        self.byName = byName
        // A point that several communes share is not where any of them is (the La Poste file
        // gives one point for all of French Polynesia): it cannot judge a source's coordinates.
        var perPoint: [Int64: Int] = [:]
        for c in communes where parents[c.insee] == nil { perPoint[Self.pointKey(c.centroid), default: 0] += 1 }
        self.sharedPoints = Set(perPoint.filter { $0.value >= 3 }.keys)
    }

    private let sharedPoints: Set<Int64>

    static func pointKey(_ p: GeoPoint) -> Int64 { Int64((p.latitude * 1000).rounded()) * 1_000_000 + Int64((p.longitude * 1000).rounded()) }

    /// Whether a commune's point is its own (not one shared by a whole territory).
    public func hasOwnCentroid(_ c: Commune) -> Bool { !sharedPoints.contains(Self.pointKey(c.centroid)) }

    public static let empty = Gazetteer(communes: [], departements: [])

    /// Parses the `communes.tsv` format of `Directory/geo/` (see `scripts/make-geodata.py`).
    public static func parseCommunes(_ text: String) -> (communes: [Commune], parents: [String: String]) {
        var communes: [Commune] = []
        var parents: [String: String] = [:]
        communes.reserveCapacity(36_000)
        // Byte by byte (a start reads 35,000 lines while it reads the referral index): the same
        // lines as splitting on newlines and tabs, without a string per field.
        var text = text
        text.withUTF8 { bytes in
            var fields = [Range<Int>](repeating: 0..<0, count: 6)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                defer { start = end + 1 }
                guard end > start, bytes[start] != 0x23 else { continue }  // empty, or # comment
                var count = 0, fieldStart = start
                for i in start...end where i == end || bytes[i] == 0x09 {
                    if count < fields.count { fields[count] = fieldStart..<i }
                    count += 1
                    fieldStart = i + 1
                }
                func string(_ k: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[k]]), as: UTF8.self) }
                guard count >= 5, let lat = decimal(bytes, fields[3]), let lon = decimal(bytes, fields[4]) else { continue }
                let insee = string(0)
                let postal = string(2).split(separator: ",").map(String.init)
                communes.append(Commune(insee: insee, name: string(1), postalCodes: postal, centroid: GeoPoint(latitude: lat, longitude: lon)))
                if count > 5, !fields[5].isEmpty { parents[insee] = string(5) }
            }
        }
        return (communes, parents)
    }

    /// `-?digits(.digits)?` as a Double, correctly rounded (an exact integer divided by an exact
    /// power of ten); anything else as `Double(String)` reads it.
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        var i = range.lowerBound
        let negative = i < range.upperBound && bytes[i] == 0x2D
        if negative { i += 1 }
        var mantissa: UInt64 = 0, digits = 0, decimals = 0, seenPoint = false
        while i < range.upperBound {
            let b = bytes[i]
            if b >= 0x30, b <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(b - 0x30)
                digits += 1
                if seenPoint { decimals += 1 }
            } else if b == 0x2E, !seenPoint {
                seenPoint = true
            } else {
                digits = 99  // not this simple form
                break
            }
            i += 1
        }
        guard digits > 0, digits <= 15, decimals <= 15 else {
            return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        }
        var power = 1.0
        for _ in 0..<decimals { power *= 10 }
        let value = Double(mantissa) / power
        return negative ? -value : value
    }

    /// Parses `departements.tsv`.
    public static func parseDepartements(_ text: String) -> [Departement] {
        text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 6, let lat = Double(f[4]), let lon = Double(f[5]) else { return nil }
            return Departement(code: String(f[0]), name: String(f[1]), regionCode: String(f[2]), regionName: String(f[3]), centroid: GeoPoint(latitude: lat, longitude: lon))
        }
    }

    /// Folded name with the usual abbreviations expanded ("St-Apollinaire" = "Saint-Apollinaire").
    static func nameKey(_ name: String) -> String {
        let words = Text.fold(name).split(separator: " ").map { w -> String in
            switch w {
            case "st": return "saint"
            case "ste": return "sainte"
            default: return String(w)
            }
        }
        return words.joined(separator: " ")
    }

    public func commune(insee: String) -> Commune? { byInsee[insee].map { communes[$0] } }

    public func communes(postalCode: String) -> [Commune] { (byPostal[postalCode] ?? []).map { communes[$0] } }

    public func departement(code: String) -> Departement? { departements[code] }

    /// Département of a commune (2A/2B and overseas kept).
    public func departementCode(insee: String) -> String? {
        if let p = parents[insee] { return departementCode(insee: p) }
        let code = insee.hasPrefix("97") || insee.hasPrefix("98") ? String(insee.prefix(3)) : String(insee.prefix(2))
        return departements[code] != nil || departements.isEmpty ? code : nil
    }

    public func parent(of insee: String) -> String? { parents[insee] }

    /// Communes with this name (Paris/Lyon/Marseille arrondissements by number too: "Lyon 3e", "Paris 17").
    public func communes(named raw: String) -> [Commune] {
        let key = Gazetteer.nameKey(raw)
        if let arr = arrondissement(key) { return [arr] }
        return (byName[key] ?? []).map { communes[$0] }
    }

    private func arrondissement(_ key: String) -> Commune? {
        let parts = key.split(separator: " ")
        guard parts.count >= 2, let city = parts.first else { return nil }
        let numText = parts[1].prefix { $0.isNumber }
        guard let n = Int(numText), n >= 1 else { return nil }
        let rest = parts[1].dropFirst(numText.count)
        guard ["", "e", "er", "eme", "ème"].contains(String(rest)) else { return nil }
        let insee: String
        switch city {
        case "paris" where n <= 20: insee = "751" + (n < 10 ? "0\(n)" : "\(n)")
        case "lyon" where n <= 9: insee = "6938\(n)"
        case "marseille" where n <= 16: insee = "132" + (n < 10 ? "0\(n)" : "\(n)")
        default: return nil
        }
        return commune(insee: insee)
    }

    /// Resolves a postal code and a commune name as a source gave them.
    ///
    /// - A lost leading zero is restored; an empty postal code is found from the
    ///   commune when the name is unique.
    /// - A postal code and a commune that do not belong together are flagged,
    ///   never silently reconciled: the INSEE code stays unknown.
    public func resolve(postalCode rawPostal: String?, commune rawName: String?) -> AddressResolution {
        var flags: [Flag] = []
        let name = rawName.flatMap { Text.clean($0) }
        var postal = PostalCode.normalize(rawPostal)
        if let raw = rawPostal, postal == nil, !raw.trimmed.isEmpty {
            flags.append(Flag("invalid_postal_code", field: "postal_code", "Code postal illisible : « \(raw) »."))
        }
        let candidates = postal.map { communes(postalCode: $0) } ?? []
        if let name {
            let key = Gazetteer.nameKey(name)
            let named = communes(named: name)
            if let postal {
                // A commune of that postal code with that name (or an arrondissement of it).
                if let hit = candidates.first(where: { keyByInsee[$0.insee] == key && parents[$0.insee] == nil })
                    ?? candidates.first(where: { c in parents[c.insee] != nil && named.contains(where: { n in n.insee == parents[c.insee] }) })
                    ?? candidates.first(where: { keyByInsee[$0.insee] == key })
                {
                    let exact = candidates.first { parents[$0.insee] == hit.insee } ?? hit
                    return AddressResolution(postalCode: postal, commune: exact, departement: departementCode(insee: exact.insee), flags: flags)
                }
                if candidates.isEmpty && named.isEmpty {
                    flags.append(Flag("unknown_place", field: "postal_code", "Code postal \(postal) et commune « \(name) » inconnus."))
                    return AddressResolution(postalCode: postal, commune: nil, departement: PostalCode.departement(postal), flags: flags)
                }
                if candidates.isEmpty, named.count == 1 {
                    flags.append(Flag("unknown_postal_code", field: "postal_code", "Code postal \(postal) inconnu ; commune « \(name) » retenue."))
                    let c = named[0]
                    return AddressResolution(postalCode: postal, commune: c, departement: departementCode(insee: c.insee), flags: flags)
                }
                let others = named.map { "\($0.name) (\($0.postalCodes.first ?? $0.insee))" }.joined(separator: ", ")
                let owners = candidates.filter { parents[$0.insee] == nil }.map(\.name).joined(separator: ", ")
                flags.append(Flag(
                    "postal_commune_mismatch", field: "postal_code",
                    "Le code postal \(postal) (\(owners.isEmpty ? "inconnu" : owners)) ne correspond pas à la commune « \(name) »\(others.isEmpty ? "" : " — \(others)") : à vérifier."))
                return AddressResolution(postalCode: postal, commune: nil, departement: PostalCode.departement(postal), flags: flags)
            }
            // No postal code: the name alone, when it names one commune.
            let wholes = named.filter { parents[$0.insee] == nil }
            if wholes.count == 1 || named.count == 1 {
                let c = wholes.first ?? named[0]
                postal = c.postalCodes.count == 1 ? c.postalCodes[0] : nil
                if postal == nil {
                    flags.append(Flag("postal_code_missing", field: "postal_code", "Code postal absent ; la commune \(c.name) en a plusieurs."))
                }
                return AddressResolution(postalCode: postal, commune: c, departement: departementCode(insee: c.insee), flags: flags)
            }
            if named.count > 1 {
                flags.append(Flag("ambiguous_commune", field: "commune", "Plusieurs communes s’appellent « \(name) » et aucun code postal ne les départage."))
            } else {
                flags.append(Flag("unknown_commune", field: "commune", "Commune « \(name) » inconnue."))
            }
            return AddressResolution(postalCode: nil, commune: nil, departement: nil, flags: flags)
        }
        guard let postal else { return AddressResolution(postalCode: nil, commune: nil, departement: nil, flags: flags) }
        let wholes = candidates.filter { c in !candidates.contains { parents[$0.insee] == c.insee } }
        if wholes.count == 1 {
            return AddressResolution(postalCode: postal, commune: wholes[0], departement: departementCode(insee: wholes[0].insee), flags: flags)
        }
        let dep = wholes.first.flatMap { departementCode(insee: $0.insee) } ?? PostalCode.departement(postal)
        return AddressResolution(postalCode: postal, commune: nil, departement: dep, flags: flags)
    }

    /// Centroid of the communes of a postal code.
    public func centroid(postalCode: String) -> GeoPoint? {
        let cs = communes(postalCode: postalCode).filter { c in parents[c.insee] != nil || !communes(postalCode: postalCode).contains { parents[$0.insee] == c.insee } }
        guard !cs.isEmpty else { return nil }
        return GeoPoint(
            latitude: cs.map(\.centroid.latitude).reduce(0, +) / Double(cs.count),
            longitude: cs.map(\.centroid.longitude).reduce(0, +) / Double(cs.count))
    }

    /// Resolves what a person typed as a place: `lat,lon`, a postal code, an
    /// INSEE code, or a commune name (accents and case ignored; "Saint-Denis (93)"
    /// or "Saint-Denis 974" to choose among homonyms).
    public func lookup(_ raw: String) -> PlaceLookup {
        let q = raw.trimmed
        guard !q.isEmpty else { return .notFound }
        let coords = q.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if coords.count == 2, let lat = Double(coords[0]), let lon = Double(coords[1]), abs(lat) <= 90, abs(lon) <= 180 {
            return .point(GeoPoint(latitude: lat, longitude: lon), label: "\(lat), \(lon)", departement: nil)
        }
        let compact = q.replacingOccurrences(of: " ", with: "")
        if compact.count <= 5, let pc = PostalCode.normalize(compact), let p = centroid(postalCode: pc) {
            let cs = communes(postalCode: pc)
            let main = cs.first { c in parents[c.insee] != nil } ?? cs.first!
            // "75011 Paris" rather than "75011 Paris 11e Arrondissement".
            let name = parents[main.insee].flatMap { commune(insee: $0)?.name } ?? main.name
            return .point(p, label: "\(pc) \(name)", departement: departementCode(insee: main.insee))
        }
        if compact.count == 5, let c = commune(insee: compact.uppercased()) {
            return .point(c.centroid, label: c.name, departement: departementCode(insee: c.insee))
        }
        // "Saint-Denis (93)", "Saint-Denis 974": a trailing département code chooses.
        var name = q
        var depHint: String?
        if let m = q.range(of: #"[\s(]+(\d{2,3}|2[ABab])\)?$"#, options: .regularExpression) {
            depHint = q[m].filter { $0.isNumber || $0.isLetter }.uppercased()
            name = String(q[..<m.lowerBound])
        }
        var found = communes(named: name)
        if let depHint { found = found.filter { departementCode(insee: $0.insee) == depHint } }
        // Arrondissements answer for their city only when asked by number.
        let wholes = found.filter { parents[$0.insee] == nil }
        if wholes.count == 1 || (wholes.isEmpty && found.count == 1) {
            let c = wholes.first ?? found[0]
            return .point(c.centroid, label: c.name, departement: departementCode(insee: c.insee))
        }
        if wholes.count > 1 { return .ambiguous(wholes.sorted { $0.insee < $1.insee }) }
        return .notFound
    }

    /// Whether a point lies in metropolitan France, Corsica or an overseas département.
    /// The territories of France, each as the box that holds it (latitude and longitude bounds).
    static let territories: [(code: String?, box: (Double, Double, Double, Double))] = [
        (nil, (41.2, 51.2, -5.3, 9.7)),  // metropolitan France and Corsica
        ("971", (15.8, 16.6, -61.9, -60.9)),  // Guadeloupe
        ("972", (14.3, 14.9, -61.3, -60.8)),  // Martinique
        ("973", (2.0, 6.0, -54.7, -51.5)),  // Guyane
        ("974", (-21.5, -20.8, 55.1, 55.9)),  // La Réunion
        ("976", (-13.1, -12.6, 44.9, 45.4)),  // Mayotte
        ("975", (46.7, 47.2, -56.5, -56.1)),  // Saint-Pierre-et-Miquelon
        ("977", (17.8, 18.0, -63.0, -62.7)),  // Saint-Barthélemy
        ("978", (18.0, 18.2, -63.2, -62.9)),  // Saint-Martin
        ("986", (-14.5, -13.0, -178.5, -176.0)),  // Wallis-et-Futuna
        ("987", (-28.0, -7.5, -155.0, -134.0)),  // French Polynesia
        ("988", (-23.0, -19.5, 163.0, 169.0)),  // New Caledonia
    ]

    static func inside(_ p: GeoPoint, _ b: (Double, Double, Double, Double)) -> Bool {
        p.latitude >= b.0 && p.latitude <= b.1 && p.longitude >= b.2 && p.longitude <= b.3
    }

    public static func isInFrance(_ p: GeoPoint) -> Bool { territories.contains { inside(p, $0.box) } }

    /// Whether a point lies in the territory of a département or collectivity (metropolitan
    /// France for the others).
    public static func isInTerritory(_ p: GeoPoint, departement: String) -> Bool {
        let code = departement.count == 3 ? departement : nil
        guard let t = territories.first(where: { $0.code == code }) else { return isInFrance(p) }
        return inside(p, t.box)
    }

    /// A source's coordinates, checked: kept when plausible, swapped back when
    /// latitude and longitude were exchanged, refused when outside France.
    /// `near`: the commune's own point, when it has one: the source's point must lie within
    /// 80 km of it. `territory`: the département or collectivity of the address: the point must
    /// lie in that territory (when the commune has no point of its own, that is the only check).
    public static func checkCoordinates(latitude: Double?, longitude: Double?, near expected: GeoPoint? = nil, territory: String? = nil) -> (GeoPoint?, Flag?) {
        guard let lat = latitude, let lon = longitude, lat.isFinite, lon.isFinite, !(lat == 0 && lon == 0) else { return (nil, nil) }
        let p = GeoPoint(latitude: lat, longitude: lon)
        func fits(_ q: GeoPoint) -> Bool { territory.map { isInTerritory(q, departement: $0) } ?? isInFrance(q) }
        if fits(p) {
            if let expected, p.distance(to: expected) > 80 {
                return (nil, Flag("coordinates_far", field: "coordinates", "Coordonnées (\(lat), \(lon)) à plus de 80 km de la commune : ignorées."))
            }
            return (p, nil)
        }
        if territory != nil && isInFrance(p) {
            return (nil, Flag("coordinates_far", field: "coordinates", "Coordonnées (\(lat), \(lon)) hors du territoire de l’adresse : ignorées."))
        }
        let swapped = GeoPoint(latitude: lon, longitude: lat)
        if fits(swapped) {
            return (swapped, Flag("coordinates_swapped", field: "coordinates", "Latitude et longitude inversées dans la source (\(lat), \(lon)) : corrigées."))
        }
        return (nil, Flag("coordinates_outside_france", field: "coordinates", "Coordonnées (\(lat), \(lon)) hors de France : ignorées."))
    }
}
