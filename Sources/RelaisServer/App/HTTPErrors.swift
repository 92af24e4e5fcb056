import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RelaisModel

/// The one place where an error becomes an HTTP answer: its status from its kind, a JSON
/// body under /api/, a French page elsewhere. Never a stack trace; an unexpected error
/// is logged by its type only (its text might hold what a person typed).
extension RelaisError.Kind {
    var status: HTTPResponse.Status {
        switch self {
        case .invalid: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .tooMany: .tooManyRequests
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .tooLarge: .contentTooLarge
        case .unsupportedMedia: .unsupportedMediaType
        case .unavailable: .serviceUnavailable
        default: .internalServerError
        }
    }
}

extension RelaisError: HTTPResponseError {
    public var status: HTTPResponse.Status { kind.status }

    struct Body: Encodable {
        struct E: Encodable {
            var status: Int
            var code: String
            var parameter: String?
            var message: String
            var choices: [String]?
            var valid: [String]?
            /// Near misses of a mistyped value (« soutien » → famille).
            var suggestion: [String]?
        }
        var error: E
    }

    /// The JSON answer: `{"error": {"status", "code", "parameter", "message", "choices", "valid", "suggestion"}}`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(
            status: Int(status.code), code: kind.description, parameter: parameter, message: message, choices: details["choices"], valid: details["valid"],
            suggestion: details["suggestion"]))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"relais-admin\"" }
        if let retryAfter { headers[.retryAfter] = String(AdminAuth.wholeSeconds(retryAfter)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: JSONOutput.encode(body))))
    }
}

/// Turns every error of a route into its answer: a ``RelaisError`` as JSON under /api/
/// and as a French page elsewhere; any other error as a 500 of the same kind.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: PageRenderer
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as RelaisError {
            return try answer(e, request, context)
        } catch let e as PageError {
            return try e.response(from: request, context: context)
        } catch let e as any HTTPResponseError {
            guard !RelaisServer.isAPI(request.uri.path), e.status.code >= 400 else { throw e }
            return try pages.errorPage(e.status, title: PageRenderer.title(of: e.status), message: PageRenderer.message(of: e.status)).response(from: request, context: context)
        } catch {
            logger.error("\(request.method) \(request.uri.path): erreur interne \(type(of: error))")
            return try answer(RelaisError(.internal, "Erreur interne : la demande n’a pas pu aboutir. Réessayez ; si cela persiste, prévenez l’administrateur."), request, context)
        }
    }

    func answer(_ e: RelaisError, _ request: Request, _ context: Context) throws -> Response {
        if RelaisServer.isAPI(request.uri.path) { return try e.response(from: request, context: context) }
        var r = try pages.errorPage(e.kind.status, title: PageRenderer.title(of: e.kind.status), message: PageRenderer.sentence(e.message))
            .response(from: request, context: context)
        if let wait = e.retryAfter { r.headers[.retryAfter] = String(AdminAuth.wholeSeconds(wait)) }
        return r
    }
}
