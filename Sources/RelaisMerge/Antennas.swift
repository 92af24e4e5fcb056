import RelaisModel
import RelaisNormalize

/// Antennas of a listing in the same source, linked to it by their names.
public enum Antennas {
    /// What linking needs of a listing that may be a parent: its folded name and its key
    /// (a run keeps this of every listing, not the listing).
    public struct Candidate: Sendable {
        public var foldedName: String
        public var key: String

        public init(_ draft: ListingDraft) {
            foldedName = Text.fold(draft.content.name)
            key = draft.key
        }
    }

    /// "Antenne Seurre du GEM de Beaune" → the listing "GEM de Beaune Le Cerisier" of the same
    /// run: its `parentKey` becomes that listing's key. Other drafts are left as they are.
    public static func link(_ antennas: inout [ListingDraft], to others: [ListingDraft]) {
        link(&antennas, to: others.map(Candidate.init))
    }

    /// The same, over what a run kept of its listings.
    public static func link(_ antennas: inout [ListingDraft], to others: [Candidate]) {
        guard !antennas.isEmpty else { return }
        let folded = others.map { Set($0.foldedName.split(separator: " ")) }
        for i in antennas.indices {
            let name = Text.fold(antennas[i].content.name)
            guard name.hasPrefix("antenne ") else { continue }
            let target: Substring
            if let r = name.range(of: " du ") { target = name[r.upperBound...] }
            else if let r = name.range(of: " de l ") { target = name[r.upperBound...] }
            else { continue }
            let want = Set(target.split(separator: " "))
            if let j = others.indices.first(where: { !others[$0].foldedName.hasPrefix("antenne") && want.isSubset(of: folded[$0]) }) {
                antennas[i].content.parentKey = others[j].key
            }
        }
    }
}
