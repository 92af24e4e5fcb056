import RelaisModel
import RelaisNormalize

/// Antennas of a listing in the same source, linked to it by their names.
public enum Antennas {
    /// "Antenne Seurre du GEM de Beaune" → the listing "GEM de Beaune Le Cerisier" of the same
    /// run: its `parentKey` becomes that listing's key. Other drafts are left as they are.
    public static func link(_ antennas: inout [ListingDraft], to others: [ListingDraft]) {
        guard !antennas.isEmpty else { return }
        let names = others.map { Text.fold($0.content.name) }
        let folded = names.map { Set($0.split(separator: " ")) }
        for i in antennas.indices {
            let name = Text.fold(antennas[i].content.name)
            guard name.hasPrefix("antenne ") else { continue }
            let target: Substring
            if let r = name.range(of: " du ") { target = name[r.upperBound...] }
            else if let r = name.range(of: " de l ") { target = name[r.upperBound...] }
            else { continue }
            let want = Set(target.split(separator: " "))
            if let j = others.indices.first(where: { !names[$0].hasPrefix("antenne") && want.isSubset(of: folded[$0]) }) {
                antennas[i].content.parentKey = others[j].key
            }
        }
    }
}
