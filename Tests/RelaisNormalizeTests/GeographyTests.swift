import Foundation
import RelaisFetch
import RelaisModel
import RelaisNormalize
import RelaisTestSupport
import Testing

/// The bundled gazetteer (Directory/geo), loaded once.
enum BundledGazetteer {
    static let value: Gazetteer = {
        let dir = SharedData.projectRoot.appendingPathComponent("Directory/geo")
        let gz = try! Data(contentsOf: dir.appendingPathComponent("communes.tsv.gz"))
        let text = String(decoding: try! Gzip.decompress([UInt8](gz)), as: UTF8.self)
        let (communes, parents) = Gazetteer.parseCommunes(text)
        let deps = Gazetteer.parseDepartements(try! String(contentsOf: dir.appendingPathComponent("departements.tsv"), encoding: .utf8))
        return Gazetteer(communes: communes, parents: parents, departements: deps)
    }()
}

@Suite struct PostalTests {
    @Test(arguments: [("1000", "01000"), ("21 000", "21000"), ("21000", "21000"), ("2100", "02100")])
    func restoresLeadingZero(raw: String, expected: String) {
        #expect(PostalCode.normalize(raw) == expected)
    }

    @Test func rejectsNonPostal() {
        #expect(PostalCode.normalize("Bât. C") == nil)
        #expect(PostalCode.normalize("123") == nil)
    }

    @Test(arguments: [("21000", "21"), ("01000", "01"), ("20000", "2A"), ("20167", "2A"), ("20200", "2B"), ("20600", "2B"), ("97410", "974"), ("97600", "976"), ("97100", "971")])
    func departementOfPostalCode(pc: String, dep: String) {
        #expect(PostalCode.departement(pc) == dep)
    }
}

@Suite struct GazetteerTests {
    let g = BundledGazetteer.value

    @Test func hasEveryDepartement() {
        // 101 départements and the 6 collectivities whose communes have INSEE codes (975, 977, 978, 986–988).
        #expect(g.departements.count == 107)
        #expect(g.departementCode(insee: "98735") == "987" && g.departement(code: "987")?.name == "Polynésie française")
        #expect(PostalCode.departement("98714") == "987" && PostalCode.departement("98000") == nil)
        #expect(g.departement(code: "2A")?.regionName == "Corse")
        #expect(g.departement(code: "974")?.name == "La Réunion")
        #expect(g.communes.count > 34_000)
    }

    @Test func resolvesPostalCodeAndCommune() {
        let beaune = g.resolve(postalCode: "21200", commune: "Beaune")
        #expect(beaune.commune?.insee == "21054")
        #expect(beaune.departement == "21")
        let ajaccio = g.resolve(postalCode: "20000", commune: "Ajaccio")
        #expect(ajaccio.commune?.insee == "2A004")
        #expect(ajaccio.departement == "2A")
        // 97410 is Saint-Pierre (INSEE 97416); 97416 as a postal code is Saint-Leu.
        let stPierre = g.resolve(postalCode: "97410", commune: "Saint-Pierre")
        #expect(stPierre.commune?.insee == "97416")
        #expect(stPierre.departement == "974")
        let lost = g.resolve(postalCode: "1000", commune: "Bourg-en-Bresse")
        #expect(lost.postalCode == "01000")
        #expect(lost.commune?.insee == "01053")
    }

    @Test func arrondissementsForLyonAndParis() {
        #expect(g.resolve(postalCode: "69003", commune: "Lyon").commune?.insee == "69383")
        #expect(g.resolve(postalCode: "69008", commune: "LYON").commune?.insee == "69388")
        #expect(g.resolve(postalCode: "75017", commune: "Paris").commune?.insee == "75117")
        #expect(g.departementCode(insee: "69383") == "69")
    }

    @Test func fillsAMissingPostalCodeFromTheCommune() {
        let r = g.resolve(postalCode: "", commune: "Chalon-sur-Saône")
        #expect(r.postalCode == "71100")
        #expect(r.commune?.insee == "71076")
    }

    @Test func flagsAPostalCodeThatIsNotTheCommunes() {
        let r = g.resolve(postalCode: "71100", commune: "Le Creusot")
        #expect(r.commune == nil)
        #expect(r.departement == "71")
        #expect(r.flags.map(\.code) == ["postal_commune_mismatch"])
    }

    @Test func looksUpPlacesAsPeopleTypeThem() {
        guard case .point(let p, _, let dep) = g.lookup("21000") else { Issue.record("21000"); return }
        #expect(dep == "21")
        #expect(abs(p.latitude - 47.32) < 0.05)
        guard case .point(_, _, let d2) = g.lookup("2A004") else { Issue.record("2A004"); return }
        #expect(d2 == "2A")
        guard case .point(_, let label, _) = g.lookup("chenove") else { Issue.record("chenove"); return }
        #expect(label == "Chenôve")
        guard case .ambiguous(let choices) = g.lookup("Saint-Denis") else { Issue.record("Saint-Denis"); return }
        let deps = Set(choices.compactMap { g.departementCode(insee: $0.insee) })
        #expect(deps.isSuperset(of: ["93", "974"]))
        guard case .point(_, _, let d3) = g.lookup("Saint-Denis (974)") else { Issue.record("Saint-Denis (974)"); return }
        #expect(d3 == "974")
        guard case .point = g.lookup("45.75,4.85") else { Issue.record("lat,lon"); return }
        #expect(g.lookup("Atlantide") == .notFound)
    }

    @Test func checksCoordinates() {
        let (ok, f1) = Gazetteer.checkCoordinates(latitude: 45.7347, longitude: 4.8712)
        #expect(ok != nil && f1 == nil)
        let (swapped, f2) = Gazetteer.checkCoordinates(latitude: 4.8801, longitude: 45.7683)
        #expect(swapped == GeoPoint(latitude: 45.7683, longitude: 4.8801))
        #expect(f2?.code == "coordinates_swapped")
        let (outside, f3) = Gazetteer.checkCoordinates(latitude: 40.7, longitude: -74.0)
        #expect(outside == nil)
        #expect(f3?.code == "coordinates_outside_france")
    }

    /// A point several communes share (all of French Polynesia in La Poste's file) does not
    /// move a listing's own coordinates, and a point outside the address's territory is refused.
    @Test func sourceCoordinatesKeptInTheirTerritory() throws {
        let papeete = try #require(g.communes(named: "Papeete").first)
        #expect(!g.hasOwnCentroid(papeete))
        let lyon = try #require(g.commune(insee: "69123"))
        #expect(g.hasOwnCentroid(lyon))
        let (kept, flag) = Gazetteer.checkCoordinates(latitude: -17.535, longitude: -149.5696, near: nil, territory: "987")
        #expect(kept != nil && flag == nil)
        let (refused, why) = Gazetteer.checkCoordinates(latitude: -21.0, longitude: 55.5, near: nil, territory: "987")
        #expect(refused == nil && why?.code == "coordinates_far")
        let (swapped, _) = Gazetteer.checkCoordinates(latitude: 55.45, longitude: -20.93, near: nil, territory: "974")
        #expect(swapped.map { ($0.latitude, $0.longitude) } ?? (0, 0) == (-20.93, 55.45))
    }
}

/// The communes file read byte by byte reads what splitting on newlines and tabs read.
@Suite struct CommunesFileTests {
    /// The reading it replaced: one string per field, `Double(Substring)`.
    static func reference(_ text: String) -> (communes: [Commune], parents: [String: String]) {
        var communes: [Commune] = []
        var parents: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 5, let lat = Double(f[3]), let lon = Double(f[4]) else { continue }
            let insee = String(f[0])
            communes.append(Commune(insee: insee, name: String(f[1]), postalCodes: f[2].split(separator: ",").map(String.init), centroid: GeoPoint(latitude: lat, longitude: lon)))
            if f.count > 5, !f[5].isEmpty { parents[insee] = String(f[5]) }
        }
        return (communes, parents)
    }

    static func same(_ text: String) -> Bool {
        let (a, pa) = Gazetteer.parseCommunes(text)
        let (b, pb) = reference(text)
        return pa == pb && a.count == b.count && zip(a, b).allSatisfy {
            $0.insee == $1.insee && $0.name == $1.name && $0.postalCodes == $1.postalCodes
                && $0.centroid.latitude.bitPattern == $1.centroid.latitude.bitPattern && $0.centroid.longitude.bitPattern == $1.centroid.longitude.bitPattern
        }
    }

    @Test func theBundledFileReadsTheSame() throws {
        let gz = try Data(contentsOf: SharedData.projectRoot.appendingPathComponent("Directory/geo/communes.tsv.gz"))
        let text = String(decoding: try Gzip.decompress([UInt8](gz)), as: UTF8.self)
        #expect(Gazetteer.parseCommunes(text).communes.count > 34_000)
        #expect(Self.same(text))
    }

    @Test(arguments: [
        "", "\n\n", "# insee\tname\n", "01001\tA\t01400\t46.1534\t4.9261\t\n", "01001\tA\t01400\t46.1534\t4.9261",
        "01001\tA\t01400,01401\t-46.1534\t+4.9261\t75056\n", "x\ty\tz\t46.\t.5\n", "x\ty\tz\t-\t.\n", "x\ty\tz\t1e3\tnan\n",
        "x\ty\tz\t 1\t2\n", "x\ty\tz\t1\t2\r\n", "x\ty\tz\t0.1234567890123456789\t12345678901234567890\n", "x\ty\tz\t-0\t-0.0\n",
        "x\ty\tz\t1..2\t3\n", "a\tb\n#c\td\te\t1\t2\n\tb\t\t1\t2\t\n", "é\tÉ\tœ\t4\t5\tx\ty\n", "x\ty\tz\t1\t2\t\t\t\n",
    ])
    func hostileLinesReadTheSame(text: String) {
        #expect(Self.same(text))
    }
}
