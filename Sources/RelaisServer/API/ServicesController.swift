import Foundation
import Hummingbird
import RelaisModel
import RelaisStore

/// `GET /api/services` and `GET /api/services/{id}`: listings in HSDS's Page shape.
struct ServicesController {
    let state: ServerState

    func add(to router: Router<RelaisRequestContext>) {
        router.get("/api/services") { request, _ in try self.list(request) }
        router.get("/api/services/:id") { request, context in
            let id = try context.parameters.require("id")
            guard let l = try state.store.listing(id: id), !l.hidden else {
                throw APIError(.notFound, parameter: "id", "Aucune ressource « \(id) ».")
            }
            return JSONResponse(ServiceJSON(l, taxonomy: state.taxonomy))
        }
    }

    /// Validates the search parameters; every error names its parameter.
    static func query(_ q: QueryReader, taxonomy: Taxonomy, gazetteerHas departement: (String) -> Bool) throws -> SearchQuery {
        var query = SearchQuery()
        query.text = q.string("q")
        if let text = query.text, text.count > 200 {
            throw APIError(parameter: "q", "Paramètre « q » trop long (200 caractères au plus).")
        }
        if let k = q.string("kind") {
            guard let kind = Kind(rawValue: k) else {
                throw APIError(parameter: "kind", "Paramètre « kind » inconnu : « \(k) ».", extra: ["valid": Kind.allCases.map(\.rawValue)])
            }
            query.kind = kind
        }
        if let n = q.string("need") {
            guard taxonomy.need(n) != nil else {
                throw APIError(parameter: "need", "Paramètre « need » inconnu : « \(n) ».", extra: ["valid": taxonomy.needIDs])
            }
            query.need = n
        }
        if let d = q.string("departement") {
            let code = d.uppercased()
            guard departement(code) else {
                throw APIError(parameter: "departement", "Paramètre « departement » inconnu : « \(d) » (un code comme 21, 2A ou 974).")
            }
            query.departement = code
        }
        query.page = try q.int("page", default: 1, range: 1...100_000)
        query.perPage = try q.int("per_page", default: 20, range: 1...100)
        return query
    }

    func list(_ request: Request) throws -> Response {
        let query = try Self.query(QueryReader(request), taxonomy: state.taxonomy) { state.data.gazetteer.departement(code: $0) != nil }
        let page: ListingPage
        do { page = try state.store.search(query) } catch let e as SearchWindowError {
            throw APIError(parameter: "page", "Paramètre « page » : \(e.description).")
        }
        return JSONResponse(JSONOutput.page(page, taxonomy: state.taxonomy)).response
    }
}

/// A JSON body with the right headers, never cached: every JSON answer of the API and the admin.
struct JSONResponse: ResponseGenerator {
    let body: ByteBuffer
    var status: HTTPResponse.Status

    init<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, snakeCase: Bool = false) {
        body = ByteBuffer(data: JSONOutput.encode(value, snakeCase: snakeCase))
        self.status = status
    }

    /// JSON already written (the referral and sessions answers keep their key order).
    init(text: String, status: HTTPResponse.Status = .ok) {
        body = ByteBuffer(string: text)
        self.status = status
    }

    var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }
}
