import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import RelaisModel
import RelaisNormalize
import RelaisStore

/// An HTML page: a view model rendered by a template of ``Templates``.
struct HTML: ResponseGenerator {
    let body: String
    var status: HTTPResponse.Status = .ok

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// A French error page (400, 404…): never a stack trace.
struct PageError: HTTPResponseError {
    let status: HTTPResponse.Status
    let title: String
    let message: String
    let library: MustacheLibrary

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let html = library.render(["title": title, "message": message, "status": "\(status.code)", "page": ["title": title]], withTemplate: "error") ?? message
        return try HTML(body: html, status: status).response(from: request, context: context)
    }
}

/// The French web pages.
struct Pages {
    let state: ServerState
    let library: MustacheLibrary

    init(state: ServerState) {
        self.state = state
        self.library = Templates.library
    }

    func add(to router: Router<RelaisRequestContext>) {
        router.get("/") { request, _ in try self.home(request) }
        router.get("/static/relais.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=86400"
            headers[.eTag] = Templates.cssETag
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Templates.css)))
        }
        addWebPages(to: router)
    }

    func error(_ status: HTTPResponse.Status, _ title: String, _ message: String) -> PageError {
        PageError(status: status, title: title, message: message, library: library)
    }

    /// Adds `has_<key>` for every list of a model, nested ones included: templates test
    /// `{{#has_sessions}}` to show a heading only when there is something under it.
    static func withPresence(_ value: Any) -> Any {
        if let d = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (k, v) in d {
                out[k] = withPresence(v)
                if let a = v as? [Any] { out["has_" + k] = !a.isEmpty }
            }
            return out
        }
        if let a = value as? [Any] { return a.map(withPresence) }
        return value
    }

    func render(_ template: String, _ model: [String: Any], status: HTTPResponse.Status = .ok) throws -> HTML {
        guard let html = library.render(Self.withPresence(model), withTemplate: template) else {
            throw error(.internalServerError, "Erreur", "La page n’a pas pu être affichée.")
        }
        return HTML(body: Self.visibleSpaces(html), status: status)
    }

    /// No-break spaces written as entities (`&nbsp;`, `&#8239;`): the same page, and the
    /// typography survives copying, tools that strip Unicode spaces, and reading the source.
    static func visibleSpaces(_ html: String) -> String {
        guard html.unicodeScalars.contains(where: { $0 == "\u{A0}" || $0 == "\u{202F}" }) else { return html }
        return html.replacingOccurrences(of: "\u{A0}", with: "&nbsp;").replacingOccurrences(of: "\u{202F}", with: "&#8239;")
    }

    func listingSummary(_ l: Listing) -> [String: Any] {
        let c = l.content
        return [
            "id": l.id, "name": c.name, "kind": state.taxonomy.label(of: c.kind),
            "place": c.address.map { [$0.postalCode, $0.commune].compactMap { $0 }.joined(separator: " ") } ?? "",
            "phone": tv(c.phones.first.map { ["number": $0.number, "display": PhoneDisplay.french($0.number)] }),
            "demo": l.demo, "stale": l.stale,
        ]
    }

    func home(_ request: Request) throws -> HTML {
        let q = QueryReader(request)
        var model: [String: Any] = ["page": ["title": "Relais — trouver un lieu d’entraide en santé mentale"]]
        if let text = q.string("q") {
            let query: SearchQuery
            do { query = try ServicesController.query(q, taxonomy: state.taxonomy) { state.data.gazetteer.departement(code: $0) != nil } } catch let e as APIError {
                throw error(.badRequest, "Recherche impossible", e.message)
            }
            let page: ListingPage
            do { page = try state.store.search(query) } catch let e as SearchWindowError {
                throw error(.badRequest, "Recherche impossible", e.description)
            }
            model["q"] = text
            model["searched"] = true
            model["total"] = page.totalItems
            model["results"] = page.listings.map(listingSummary)
        }
        return try render("home", model)
    }
}

/// Phone numbers as French readers write them: `+33380206845` → `03 80 20 68 45`.
enum PhoneDisplay {
    /// National format, as libphonenumber writes it (see ``PhoneNumber/national(_:)``).
    /// Groups held together by no-break spaces: a number never breaks across lines.
    static func french(_ e164: String) -> String { PhoneNumber.national(e164).replacingOccurrences(of: " ", with: "\u{A0}") }
}

