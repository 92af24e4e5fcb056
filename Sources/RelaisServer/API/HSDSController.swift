import Foundation
import HTTPTypes
import Hummingbird
import RelaisApp
import RelaisModel
import RelaisSources
import RelaisStore
import Synchronization

/// The Open Referral HSDS 3.0 API (`schema/openapi.json` of the specification), at `/hsds`:
/// services, organizations, services at locations, taxonomies and their terms, each by page
/// and by id (a UUID; a service is also found by its Relais id). Every object is rendered
/// from the same listings as the rest of Relais (``HSDS``). `/api/services` stays as it was
/// for existing clients (Relais's own shape, with short ids).
struct HSDSController: Sendable {
    let listings: any ListingStore
    let data: DirectoryData
    let clock: @Sendable () -> Date
    let root = "/hsds"
    private let ids = IDMaps()

    func add(to router: Router<RelaisRequestContext>) {
        let index: @Sendable (Request, RelaisRequestContext) async throws -> JSONResponse = { _, _ in
            var r = JSONResponse(Root(
                version: HSDS.version, profile: HSDS.profile, openapi_url: "/openapi.json",
                name: "Relais", description: "Annuaire des ressources d’entraide en santé mentale (GEM, associations d’usagers, pair-aidance, soutien des proches), au format Open Referral HSDS 3.0."))
            r.cacheControl = "no-cache"
            return r
        }
        router.get(RouterPath(root), use: index)

        router.get(RouterPath(root + "/services")) { request, _ in
            let p = QueryParameters(urlEncoded: request.uri.query ?? "")
            let q = try await query(p)
            if let after = q.modifiedAfter { return try await feed(after: after, p, path: root + "/services") }
            let page = try await listings.search(q)
            let ctx = context()
            return Self.json(Self.page(page) { HSDS.service($0, updatedAt: $0.updatedAt, ctx) }).response
        }
        router.get(RouterPath(root + "/services/:id")) { _, context in
            let listing = try await listing(context.parameters.require("id"), type: "service")
            return Self.json(HSDS.service(listing, updatedAt: listing.updatedAt, self.context()))
        }
        router.get(RouterPath(root + "/service_at_locations")) { request, _ in
            let p = QueryParameters(urlEncoded: request.uri.query ?? "")
            let page = try await listings.search(try await query(p))
            let ctx = context()
            return Self.json(Self.page(page) { Self.serviceAtLocation(HSDS.service($0, updatedAt: $0.updatedAt, ctx)) })
        }
        router.get(RouterPath(root + "/service_at_locations/:id")) { _, context in
            let listing = try await listing(context.parameters.require("id"), type: "service_at_location")
            return Self.json(Self.serviceAtLocation(HSDS.service(listing, updatedAt: listing.updatedAt, self.context())))
        }
        router.get(RouterPath(root + "/organizations")) { request, _ in
            let p = QueryParameters(urlEncoded: request.uri.query ?? "")
            try Self.refuseUnknown(p, known: ["page", "per_page", "full", "format"])
            let (page, perPage) = try Self.paging(p)
            let (total, items) = try await listings.organizations(page: page, perPage: perPage)
            return Self.json(Self.page(total: total, page: page, perPage: perPage, items: items.map { HSDS.organization(named: $0.name) }))
        }
        router.get(RouterPath(root + "/organizations/:id")) { _, context in
            let id = try context.parameters.require("id")
            guard let name = try await organizationName(id) else { throw RelaisError(.notFound, "Aucun organisme « \(id) ».", parameter: "id") }
            return Self.json(HSDS.organization(named: name))
        }
        router.get(RouterPath(root + "/taxonomies")) { request, _ in
            let p = QueryParameters(urlEncoded: request.uri.query ?? "")
            try Self.refuseUnknown(p, known: ["page", "per_page", "format"])
            let (page, perPage) = try Self.paging(p)
            return Self.json(Self.slice(context().vocabulary.taxonomies, page: page, perPage: perPage))
        }
        router.get(RouterPath(root + "/taxonomies/:id")) { _, context in
            let id = try context.parameters.require("id")
            guard let t = self.context().vocabulary.taxonomies.first(where: { $0.id == id.lowercased() || $0.name == id }) else {
                throw RelaisError(.notFound, "Aucune taxonomie « \(id) ».", parameter: "id")
            }
            return Self.json(t)
        }
        router.get(RouterPath(root + "/taxonomy_terms")) { request, _ in
            let p = QueryParameters(urlEncoded: request.uri.query ?? "")
            try Self.refuseUnknown(p, known: ["page", "per_page", "taxonomy_id", "taxonomy", "format"])
            let (page, perPage) = try Self.paging(p)
            var terms = context().vocabulary.terms
            if let t = p.string("taxonomy_id") {
                guard let taxonomy = context().vocabulary.taxonomies.first(where: { $0.id == t.lowercased() }) else {
                    throw RelaisError(.invalid, "Paramètre « taxonomy_id » : aucune taxonomie « \(t) ».", parameter: "taxonomy_id")
                }
                terms = terms.filter { $0.taxonomy_id == taxonomy.id }
            }
            if let name = p.string("taxonomy") { terms = terms.filter { $0.taxonomy == name } }
            return Self.json(Self.slice(terms, page: page, perPage: perPage))
        }
        router.get(RouterPath(root + "/taxonomy_terms/:id")) { _, context in
            let id = try context.parameters.require("id")
            guard let t = self.context().vocabulary.terms.first(where: { $0.id == id.lowercased() }) else {
                throw RelaisError(.notFound, "Aucun terme « \(id) ».", parameter: "id")
            }
            return Self.json(t)
        }
    }

    /// The change feed: what changed after `after`, in the order of changes, a page at a time from
    /// the `cursor` of the previous page (pages never shift as new changes come in); listings
    /// removed since come as services of status `defunct`, so that a mirror can delete them.
    func feed(after: String, _ p: QueryParameters, path: String) async throws -> Response {
        let others = Set(p.values.keys).subtracting(["modified_after", "cursor", "per_page", "page", "format"])
        if let other = others.sorted().first {
            throw RelaisError(
                .invalid, "Paramètre « \(other) » : le fil des modifications (modified_after) ne se combine qu’avec cursor et per_page.", parameter: other)
        }
        if (try p.int("page", default: 1, range: 1...100_000)) != 1 {
            throw RelaisError(.invalid, "Paramètre « page » : le fil des modifications se lit page après page avec « cursor ».", parameter: "page")
        }
        let perPage = try p.int("per_page", default: 50, range: 1...200)
        var cursor: ChangedListing?
        if let raw = p.string("cursor") {
            guard let c = Self.cursor(raw) else {
                throw RelaisError(.invalid, "Paramètre « cursor » : curseur illisible ; reprenez celui que donne la page précédente (next_cursor).", parameter: "cursor")
            }
            cursor = c
        }
        let (total, entries) = try await listings.changedListings(after: after, cursor: cursor, limit: perPage)
        let live = try await listings.listings(ids: entries.filter { !$0.removed }.map(\.id))
        let byID = Dictionary(live.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let ctx = context()
        let items = entries.compactMap { e -> HSDS.Service? in
            if e.removed { return HSDS.removed(id: e.id, name: e.name, at: e.at) }
            return byID[e.id].map { HSDS.service($0, updatedAt: $0.updatedAt, ctx) }
        }
        let next = total > entries.count ? entries.last.map(Self.cursorText) : nil
        var page = Self.page(total: total, page: 1, perPage: perPage, items: items)
        page.next_cursor = next
        page.last_page = next == nil
        var response = Self.json(page).response
        if let next, let link = HTTPField.Name("Link") {
            var q = p
            q["cursor"] = next
            q["page"] = nil
            response.headers[link] = "<\(path)?\(q.urlEncoded())>; rel=\"next\""
        }
        return response
    }

    /// A cursor: the last entry's time and id, opaque to the consumer (base64url).
    static func cursorText(_ e: ChangedListing) -> String {
        Data("\(e.at)|\(e.id)".utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func cursor(_ raw: String) -> ChangedListing? {
        var b = raw.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        guard raw.count <= 200, let data = Data(base64Encoded: b), let text = String(data: data, encoding: .utf8) else { return nil }
        guard let bar = text.firstIndex(of: "|") else { return nil }
        let at = String(text[..<bar]), id = String(text[text.index(after: bar)...])
        guard Timestamp.date(at) != nil, !id.isEmpty else { return nil }
        return ChangedListing(id: id, at: at, removed: false, name: nil)
    }

    struct Root: Codable, Sendable {
        var version: String
        var profile: String
        var openapi_url: String
        var name: String
        var description: String
    }

    func context() -> HSDS.Context { HSDS.Context(taxonomy: data.taxonomy, gazetteer: data.gazetteer, now: clock()) }

    static func json<T: Encodable>(_ value: T) -> JSONResponse {
        var r = JSONResponse(value)
        r.cacheControl = "no-cache"
        return r
    }

    static func serviceAtLocation(_ s: HSDS.Service) -> HSDS.ServiceAtLocation { HSDS.serviceAtLocation(of: s) }

    // MARK: Parameters

    static let serviceParameters: Set<String> = [
        "page", "per_page", "search", "modified_after", "cursor", "taxonomy_term_id", "taxonomy_id", "organization_id", "minimal", "full", "postcode", "proximity",
        "format",
    ]

    /// A parameter HSDS does not define here is refused: silently ignoring it would answer another question.
    static func refuseUnknown(_ p: QueryParameters, known: Set<String>) throws {
        for name in p.values.keys.sorted() where !known.contains(name) {
            throw RelaisError(
                .invalid, "Paramètre « \(name) » inconnu ici ; paramètres possibles : \(known.sorted().joined(separator: ", ")).", parameter: name)
        }
        if let f = p.string("format"), f != "json" {
            throw RelaisError(.invalid, "Paramètre « format » : seul « json » est servi.", parameter: "format")
        }
        for flag in ["minimal", "full"] {
            if let v = p.string(flag), !["true", "false"].contains(v) {
                throw RelaisError(.invalid, "Paramètre « \(flag) » : « true » ou « false ».", parameter: flag)
            }
        }
    }

    static func paging(_ p: QueryParameters) throws -> (page: Int, perPage: Int) {
        (try p.int("page", default: 1, range: 1...100_000), try p.int("per_page", default: 50, range: 1...200))
    }

    func query(_ p: QueryParameters) async throws -> SearchQuery {
        try Self.refuseUnknown(p, known: Self.serviceParameters)
        var q = SearchQuery()
        (q.page, q.perPage) = try Self.paging(p)
        q.text = try p.string("search", maxLength: 200)
        if p.string("cursor") != nil, p.string("modified_after") == nil {
            throw RelaisError(.invalid, "Paramètre « cursor » : il poursuit le fil des modifications, avec modified_after.", parameter: "cursor")
        }
        if let raw = p.string("modified_after") {
            guard let instant = Self.instant(raw) else {
                throw RelaisError(
                    .invalid, "Paramètre « modified_after » : une date ou un instant ISO 8601 (2026-12-01 ou 2026-12-01T08:00:00Z).", parameter: "modified_after")
            }
            q.modifiedAfter = Timestamp.string(instant)
        }
        if let raw = p.string("postcode") {
            guard raw.count == 5, raw.allSatisfy(\.isNumber) else {
                throw RelaisError(.invalid, "Paramètre « postcode » : un code postal de cinq chiffres.", parameter: "postcode")
            }
            q.postalCode = raw
        }
        if p.string("proximity") != nil {
            throw RelaisError(
                .invalid, "Paramètre « proximity » : non pris en charge ; pour chercher près d’un lieu, utilisez /api/referrals (near=…) ou postcode.",
                parameter: "proximity")
        }
        if let raw = p.string("taxonomy_term_id") {
            let vocabulary = context().vocabulary
            guard let term = vocabulary.terms.first(where: { $0.id == raw.lowercased() }) else {
                throw RelaisError(.invalid, "Paramètre « taxonomy_term_id » : aucun terme « \(raw) » (voir /hsds/taxonomy_terms).", parameter: "taxonomy_term_id")
            }
            switch term.taxonomy {
            case "relais:type": q.kind = Kind(rawValue: term.code)
            case "relais:besoin": q.need = term.code
            default:
                throw RelaisError(
                    .invalid, "Paramètre « taxonomy_term_id » : seuls les termes des taxonomies relais:type et relais:besoin filtrent les services.",
                    parameter: "taxonomy_term_id")
            }
        }
        if let raw = p.string("taxonomy_id"), !context().vocabulary.taxonomies.contains(where: { $0.id == raw.lowercased() }) {
            throw RelaisError(.invalid, "Paramètre « taxonomy_id » : aucune taxonomie « \(raw) » (voir /hsds/taxonomies).", parameter: "taxonomy_id")
        }
        if let raw = p.string("organization_id") {
            guard let key = try await ids.organizationKeyIfKnown(raw.lowercased(), listings: listings) else {
                throw RelaisError(.invalid, "Paramètre « organization_id » : aucun organisme « \(raw) » (voir /hsds/organizations).", parameter: "organization_id")
            }
            q.organization = key
        }
        return q
    }

    /// `2026-12-01`, `2026-12-01T08:00:00Z`, `2026-12-01T09:00:00+01:00`.
    static func instant(_ raw: String) -> Date? {
        if let d = Timestamp.date(raw) { return d }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return f.date(from: raw)
    }

    // MARK: Lookups

    func listing(_ id: String, type: String) async throws -> Listing {
        let key = try await ids.listingID(id.lowercased(), type: type, listings: listings) ?? id
        guard let l = try await listings.listing(id: key), !l.hidden else {
            throw RelaisError(.notFound, "Aucune ressource « \(id) ».", parameter: "id")
        }
        return l
    }

    func organizationName(_ id: String) async throws -> String? {
        guard let key = try await ids.organizationKeyIfKnown(id.lowercased(), listings: listings) else { return nil }
        return try await ids.organizationNames(listings: listings)[key]
    }

    // MARK: Pages

    static func page<T>(_ p: ListingPage, _ render: (Listing) -> T) -> PageJSON<T> {
        page(total: p.totalItems, page: p.page, perPage: p.perPage, items: p.listings.map(render))
    }

    static func slice<T>(_ all: [T], page: Int, perPage: Int) -> PageJSON<T> {
        let start = min(all.count, (page - 1) * perPage)
        return Self.page(total: all.count, page: page, perPage: perPage, items: Array(all[start..<min(all.count, start + perPage)]))
    }

    static func page<T>(total: Int, page: Int, perPage: Int, items: [T]) -> PageJSON<T> {
        let pages = max(1, (total + perPage - 1) / perPage)
        return PageJSON(
            total_items: total, total_pages: pages, page_number: page, size: items.count, first_page: page <= 1, last_page: page >= pages,
            empty: items.isEmpty, contents: items)
    }
}

/// UUID → Relais key, for the objects whose UUID is derived from a key (services, services at
/// locations, organizations): rebuilt when the data version moves.
final class IDMaps: Sendable {
    private struct Maps {
        var version = -1
        var byUUID: [String: String] = [:]
        var organizations: [String: String]?
    }
    private let state = Mutex(Maps())

    private func current(_ listings: any ListingStore) async throws -> Maps {
        let version = try await listings.dataVersion()
        if let m = state.withLock({ $0.version == version ? $0 : nil }) { return m }
        var byUUID: [String: String] = [:]
        for id in try await listings.listingIDs() {
            byUUID[HSDS.uuid("service", id)] = "service:" + id
            byUUID[HSDS.uuid("service_at_location", id)] = "service_at_location:" + id
        }
        var names: [String: String] = [:]
        var page = 1
        while true {
            let (total, items) = try await listings.organizations(page: page, perPage: 1000)
            for o in items {
                names[o.key] = o.name
                byUUID[HSDS.uuid("organization", o.key)] = "organization:" + o.key
            }
            if items.isEmpty || page * 1000 >= total { break }
            page += 1
        }
        let maps = Maps(version: version, byUUID: byUUID, organizations: names)
        state.withLock { $0 = maps }
        return maps
    }

    func listingID(_ uuid: String, type: String, listings: any ListingStore) async throws -> String? {
        guard UUID5.isUUID(uuid) else { return nil }
        guard let found = try await current(listings).byUUID[uuid], found.hasPrefix(type + ":") else { return nil }
        return String(found.dropFirst(type.count + 1))
    }

    func organizationKeyIfKnown(_ uuid: String, listings: any ListingStore) async throws -> String? {
        guard let found = try await current(listings).byUUID[uuid], found.hasPrefix("organization:") else { return nil }
        return String(found.dropFirst("organization:".count))
    }

    func organizationNames(listings: any ListingStore) async throws -> [String: String] {
        try await current(listings).organizations ?? [:]
    }
}
