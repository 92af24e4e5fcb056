import Foundation
import HTTPTypes
import Hummingbird

/// What HTTP clients expect of every route (RFC 9110), whatever its controller:
/// - `HEAD` wherever `GET` works: the same status and headers, no body;
/// - `405 Method Not Allowed` with `Allow` when the address exists for other methods, instead
///   of a 404 (the router only says « no route »; a `GET` of the same address tells which);
/// - `OPTIONS`: the methods of the address, and the CORS preflight answer on the public read API;
/// - CORS `*` on the public read API (`/api/…`, never `/api/admin/…`): listings are public data,
///   no cookie or credential is ever read there, so any site may use them.
///
/// It wraps the router's responder rather than sitting among its middlewares: the router answers
/// an address with no route for the method before any middleware runs.
struct HTTPSemantics<Inner: HTTPResponder>: HTTPResponder {
    typealias Context = Inner.Context
    let inner: Inner
    /// The router's routes other than GET (`POST /api/referrals`, the admin's forms), to say
    /// them in `Allow`; the catch-all (`**`) is left out.
    let routes: [(path: [Substring], method: HTTPRequest.Method)]

    init(inner: Inner, routes: [(path: String, method: HTTPRequest.Method)] = []) {
        self.inner = inner
        self.routes = routes.filter { $0.method != .get && !$0.path.contains("**") }.map { ($0.path.split(separator: "/"), $0.method) }
    }

    /// What `Allow` says of `path`: GET, HEAD, OPTIONS, and the other methods a route takes there.
    func allow(_ path: String) -> String {
        let parts = path.split(separator: "/")
        var methods = ["GET", "HEAD", "OPTIONS"]
        for route in routes where route.path.count == parts.count {
            let matches = zip(route.path, parts).allSatisfy { p, q in p == q || p.hasPrefix(":") || p.hasPrefix("{") || p == "*" }
            if matches, !methods.contains(route.method.rawValue) { methods.append(route.method.rawValue) }
        }
        return methods.joined(separator: ", ")
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        try await handle(request, context: context) { try await inner.respond(to: $0, context: $1) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch request.method {
        case .get:
            return Self.withCORS(try await next(request, context), path: request.uri.path)
        case .head:
            var head = request.head
            head.method = .get
            let response = try await next(Request(head: head, body: request.body), context)
            var headers = response.headers
            if headers[.contentLength] == nil, let length = response.body.contentLength { headers[.contentLength] = String(length) }
            return Self.withCORS(Response(status: response.status, headers: headers, body: ResponseBody(contentLength: 0) { _ in }), path: request.uri.path)
        case .options:
            guard try await Self.getExists(request, context: context, next: next) else { return try await next(request, context) }
            var headers = HTTPFields()
            headers[.allow] = allow(request.uri.path)
            if Self.isPublicAPI(request.uri.path) {
                headers[.accessControlAllowOrigin] = "*"
                headers[.accessControlAllowMethods] = allow(request.uri.path)
                headers[.accessControlAllowHeaders] = "Accept, Accept-Encoding, Accept-Language, If-None-Match, If-Modified-Since"
                headers[.accessControlMaxAge] = "86400"
            }
            return Response(status: .noContent, headers: headers)
        default:
            // A 404 for this method where a GET answers: the address exists, not for this method.
            let response: Response
            do {
                response = try await next(request, context)
            } catch let error as HTTPError where error.status == .notFound {
                guard try await Self.getExists(request, context: context, next: next) else { throw error }
                return notAllowed(request)
            }
            guard response.status == .notFound, try await Self.getExists(request, context: context, next: next)
            else { return response }
            return notAllowed(request)
        }
    }

    /// 405, in the shape of every error of the API (README: « HTTP API »).
    func notAllowed(_ request: Request) -> Response {
        let allowed = allow(request.uri.path)
        var headers = HTTPFields()
        headers[.allow] = allowed
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let message = "Méthode \(request.method.rawValue) non permise à cette adresse\u{A0}: elle accepte \(allowed)."
        return Response(
            status: .methodNotAllowed, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"code":"method_not_allowed","message":"\#(message)","status":405}}"#)))
    }

    /// Whether the address answers a `GET` (anything but a 404; the answer is thrown away).
    static func getExists(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Bool {
        var head = request.head
        head.method = .get
        do {
            return try await next(Request(head: head, body: RequestBody(buffer: ByteBuffer())), context).status != .notFound
        } catch let error as any HTTPResponseError {
            return error.status != .notFound
        }
    }

    static func isPublicAPI(_ path: String) -> Bool {
        RelaisServer.isAPI(path) && !path.hasPrefix("/api/admin")
    }

    static func withCORS(_ response: Response, path: String) -> Response {
        guard isPublicAPI(path) else { return response }
        var response = response
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }
}

/// `ETag` and `304 Not Modified` on every `GET` that may be kept (not `no-store`): the tag of
/// the bytes when the route gave none (a hash: a listing's JSON, a page of services), the
/// route's own otherwise (static assets). `If-None-Match` is compared weakly, as RFC 9110 asks
/// (a gzipped answer's tag is the weak form of the plain one).
struct ConditionalGET<Context: RequestContext>: RouterMiddleware {
    static var maximumBytes: Int { 32 << 20 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard request.method == .get, response.status == .ok, !(response.headers[.cacheControl] ?? "").contains("no-store") else { return response }
        if response.headers[.eTag] == nil {
            guard let length = response.body.contentLength, length <= Self.maximumBytes else { return response }
            let bytes = try await response.body.collected()
            response.body = ResponseBody(byteBuffer: bytes)
            response.headers[.eTag] = Self.tag(bytes)
        }
        guard let tag = response.headers[.eTag], Self.matches(request.headers[values: .ifNoneMatch], tag) else { return response }
        var headers = HTTPFields()
        for name in [HTTPField.Name.eTag, .cacheControl, .vary, .contentLocation, .expires, .lastModified, .accessControlAllowOrigin] {
            if let value = response.headers[name] { headers[name] = value }
        }
        return Response(status: .notModified, headers: headers)
    }

    /// A strong tag of the bytes: 64-bit FNV-1a, in hex (enough to tell two versions apart).
    static func tag(_ buffer: ByteBuffer) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        buffer.withUnsafeReadableBytes { bytes in
            for b in bytes {
                hash ^= UInt64(b)
                hash = hash &* 0x100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// RFC 9110 §13.1.2: `*`, or a list of tags one of which equals `tag`, weakly.
    static func matches(_ values: [String], _ tag: String) -> Bool {
        let mine = opaque(tag)
        for value in values {
            for item in value.split(separator: ",") {
                let candidate = item.trimmingCharacters(in: .whitespaces)
                if candidate == "*" || opaque(candidate) == mine { return true }
            }
        }
        return false
    }

    static func opaque(_ tag: some StringProtocol) -> Substring {
        let t = Substring(tag)
        return t.hasPrefix("W/") ? t.dropFirst(2) : t
    }
}
