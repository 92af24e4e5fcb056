import RelaisMerge
import RelaisModel

/// What every backend decides the same way, before or after its own SQL: one place, so the
/// backends cannot drift apart.
public enum StoreRules {
    /// A curated value must be for an editable field and make a valid listing; throws an
    /// `invalid` ``RelaisError`` otherwise (nil clears the field: always allowed for an editable one).
    public static func checkCuration(field: String, value: JSONValue?) throws {
        guard ListingMerger.editableFields.contains(field) else {
            throw RelaisError(.invalid, "champ « \(field) » non modifiable ; champs possibles : \(ListingMerger.editableFields.joined(separator: ", "))")
        }
        guard let value else { return }
        var probe = JSONValue.encode(ListingContent(name: "x", kind: .gem)).objectValue ?? [:]
        probe[field] = value
        do { _ = try JSONValue.object(probe).decode(ListingContent.self) } catch {
            throw RelaisError(.invalid, "valeur invalide pour « \(field) » : \(value.canonical)")
        }
    }

    /// Which rows a page of a search reads: from the nearer end (the last pages are read
    /// backwards, so that they cost what the first do). nil: the page is past the end.
    public struct PageWindow: Equatable, Sendable {
        public var skip: Int
        public var take: Int
        public var backwards: Bool
    }

    public static func window(total: Int, page: Int, perPage: Int) -> PageWindow? {
        let perPage = max(1, perPage)
        let offset = max(0, (page - 1) * perPage)
        guard offset < total else { return nil }
        let fromEnd = total - offset - perPage
        let backwards = fromEnd < offset
        return PageWindow(skip: backwards ? max(0, fromEnd) : offset, take: backwards ? min(perPage, total - offset) : perPage, backwards: backwards)
    }

    /// Pages deeper than this many rows are refused when no index serves the query's order
    /// (a need filter, a text search): each such page costs its offset.
    public static let unindexedWindow = 10_000

    public static var tooDeep: RelaisError {
        RelaisError(
            .invalid, "Paramètre « page » : page trop lointaine ; au-delà des \(unindexedWindow) premiers résultats, affinez la recherche (type, département) ou réduisez les critères.",
            parameter: "page")
    }
}
