import Foundation
import RelaisModel
import RelaisMerge
import RelaisNormalize

/// La Poste's "base officielle des codes postaux" (`Code_commune_INSEE;
/// Nom_commune;Code_postal;Ligne_5;Libellé_d_acheminement;coordonnees_gps` or
/// with `latitude;longitude` columns). Geographic reference data: it replaces
/// the gazetteer used to place listings, it makes no listing.
public struct LaPosteReader: FormatReader {
    public init() {}
    public var format: SourceFormat { .laposte }

    public func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult { ReadResult() }

    /// Communes with their postal codes and centroid, keeping the current names
    /// of the bundled gazetteer where the codes agree (La Poste writes names in capitals).
    public func communes(_ payload: Payload, _ ctx: ReaderContext) throws -> (communes: [Commune], parents: [String: String]) {
        guard let d = payload.documents.first else { throw ReadError("fichier des codes postaux vide") }
        let text = try self.text(d, ctx)
        var rows = CSVReader.parse(text, delimiter: CSVReader.detectDelimiter(text))
        guard !rows.isEmpty else { throw ReadError("\(d.url) : fichier vide") }
        let header = rows.removeFirst().fields.map { Text.fold($0) }
        func col(_ names: String...) -> Int? { header.firstIndex { h in names.contains { h == $0 || h.hasPrefix($0) } } }
        guard let inseeCol = col("code commune insee", "code_commune_insee"), let nameCol = col("nom commune", "nom_commune"),
            let postalCol = col("code postal", "code_postal")
        else {
            throw ReadError("\(d.url) : colonnes attendues Code_commune_INSEE, Nom_commune, Code_postal (en-tête : \(header.joined(separator: ", ")))")
        }
        let latCol = col("latitude"), lonCol = col("longitude"), gpsCol = col("coordonnees gps", "coordonnees_gps")
        let known = ctx.normalizer.data.gazetteer
        var postals: [String: Set<String>] = [:]
        var names: [String: String] = [:]
        var points: [String: GeoPoint] = [:]
        for row in rows where row.fields.count == header.count {
            let f = row.fields
            let insee = f[inseeCol].trimmingCharacters(in: .whitespaces)
            guard insee.count == 5, let pc = PostalCode.normalize(f[postalCol]) else { continue }
            postals[insee, default: []].insert(pc)
            names[insee] = names[insee] ?? f[nameCol]
            var lat: Double?, lon: Double?
            if let latCol, let lonCol { lat = Double(f[latCol]); lon = Double(f[lonCol]) }
            if let gpsCol {
                let p = f[gpsCol].split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                if p.count == 2 { lat = p[0]; lon = p[1] }
            }
            if points[insee] == nil, let lat, let lon { points[insee] = GeoPoint(latitude: lat, longitude: lon) }
        }
        guard !postals.isEmpty else { throw ReadError("\(d.url) : aucune commune lue") }
        var communes: [Commune] = []
        var parents: [String: String] = [:]
        for (insee, pcs) in postals {
            guard let p = points[insee] ?? known.commune(insee: insee)?.centroid else { continue }
            let name = known.commune(insee: insee)?.name ?? names[insee]!.capitalized
            communes.append(Commune(insee: insee, name: name, postalCodes: pcs.sorted(), centroid: p))
            if let parent = known.parent(of: insee) { parents[insee] = parent }
        }
        // Paris, Lyon, Marseille as a whole, from their arrondissements.
        for parent in Set(parents.values) where postals[parent] == nil {
            let arms = communes.filter { parents[$0.insee] == parent }
            guard !arms.isEmpty, let whole = known.commune(insee: parent) else { continue }
            communes.append(Commune(insee: parent, name: whole.name, postalCodes: Array(Set(arms.flatMap(\.postalCodes))).sorted(), centroid: whole.centroid))
        }
        return (communes.sorted { $0.insee < $1.insee }, parents)
    }
}

extension SourceFormat {
/// La Poste's postal-code file: geographic reference data, not listings.
    public static let laposte = SourceFormat("laposte")
}
