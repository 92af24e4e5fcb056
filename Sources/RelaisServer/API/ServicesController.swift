import Foundation
import Hummingbird
import RelaisApp
import RelaisModel
import RelaisSources
import RelaisStore

/// `GET /api/services` and `GET /api/services/{id}`: listings in HSDS's Page shape.
struct ServicesController: Sendable {
    let listings: any ListingStore
    let data: DirectoryData

    func add(to router: Router<RelaisRequestContext>) {
        router.get("/api/services") { request, _ in
            let query = try SearchQuery.parse(QueryParameters(urlEncoded: request.uri.query ?? ""), taxonomy: data.taxonomy, gazetteer: data.gazetteer)
            var response = JSONResponse(JSONOutput.page(try await listings.search(query), taxonomy: data.taxonomy))
            response.cacheControl = "no-cache"
            return response
        }
        router.get("/api/services/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let l = try await listings.listing(id: id), !l.hidden else {
                throw RelaisError(.notFound, "Aucune ressource « \(id) ».", parameter: "id")
            }
            var response = JSONResponse(ServiceJSON(l, taxonomy: data.taxonomy))
            response.cacheControl = "no-cache"
            return response
        }
    }
}

/// A JSON body with the right headers, never cached: every JSON answer of the API and the admin.
struct JSONResponse: ResponseGenerator {
    let body: ByteBuffer
    var status: HTTPResponse.Status
    /// `no-store` by default (a referral says a need and a place); the public listings say
    /// `no-cache`: a client may keep them and ask again with `If-None-Match`.
    var cacheControl = "no-store"

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
        headers[.cacheControl] = cacheControl
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }
}
