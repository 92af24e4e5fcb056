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
    /// The body: bytes encoded here, or text already written (the referral and sessions answers).
    private enum Body {
        case bytes(ByteBuffer)
        case text(String)
    }

    private let body: Body
    var status: HTTPResponse.Status
    /// `no-store` by default (a referral says a need and a place); the public listings say
    /// `no-cache`: a client may keep them and ask again with `If-None-Match`.
    var cacheControl = "no-store"

    init<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, snakeCase: Bool = false) {
        body = .bytes(ByteBuffer(data: JSONOutput.encode(value, snakeCase: snakeCase)))
        self.status = status
    }

    /// JSON already written (the referral and sessions answers keep their key order). Gzipped
    /// straight from the text when the client accepts it: no copy of the body for the middleware.
    init(text: String, status: HTTPResponse.Status = .ok) {
        body = .text(text)
        self.status = status
    }

    private var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = cacheControl
        return headers
    }

    /// The response as it is, left to the middleware to compress.
    var response: Response {
        switch body {
        case .bytes(let bytes): Response(status: status, headers: headers, body: .init(byteBuffer: bytes))
        case .text(let text): Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        // The middleware tags a kept answer's plain bytes before it compresses them
        // (`ConditionalGET`): only an answer that is not kept is compressed here.
        guard case .text(let text) = body, cacheControl.contains("no-store") else { return response }
        var headers = headers
        let bytes = ContentCoding.body(text, for: request, headers: &headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: bytes))
    }
}
