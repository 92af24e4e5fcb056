import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import RelaisModel
import RelaisNormalize
import RelaisReferral

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

/// A page's view model: a struct whose stored properties are what its template reads.
/// Templates test `{{#has_sessions}}` to show a heading only when there is something
/// under it: `has_<name>` is true when the property `<name>` is a non-empty list. An
/// absent (nil) value stops there: a template never picks a same-named value of an
/// enclosing section by mistake (a session's registration from its listing's).
protocol ViewModel: MustacheParent, Sendable {}

extension ViewModel {
    func child(named name: String) -> Any? {
        let children = Mirror(reflecting: self).children
        if name.hasPrefix("has_") {
            let key = String(name.dropFirst(4))
            if let value = children.first(where: { $0.label == key })?.value {
                return (value as? any Collection).map { !$0.isEmpty } ?? !Self.isNil(value)
            }
        }
        guard let value = children.first(where: { $0.label == name })?.value else { return nil }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first?.value ?? false }
        return value
    }

    static func isNil(_ value: Any) -> Bool {
        let m = Mirror(reflecting: value)
        return m.displayStyle == .optional && m.children.isEmpty
    }
}

/// What every page's layout reads.
struct PageMeta: ViewModel {
    var title: String
}

/// A French error page (400, 404…): never a stack trace.
struct PageError: Error, HTTPResponseError {
    struct Model: ViewModel {
        var page: PageMeta
        var title: String
        var message: String
        var status: String
    }

    let status: HTTPResponse.Status
    let title: String
    let message: String
    let renderer: PageRenderer

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let html = renderer.library.render(Model(page: PageMeta(title: title), title: title, message: message, status: "\(status.code)"), withTemplate: "error") ?? message
        return try HTML(body: PageRenderer.visibleSpaces(FrenchTypography.html(html)), status: status).response(from: request, context: context)
    }
}

/// Renders view models with the compiled templates.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init(library: MustacheLibrary = Templates.library) { self.library = library }

    func render(_ template: String, _ model: some ViewModel, status: HTTPResponse.Status = .ok) throws -> HTML {
        guard let html = library.render(model, withTemplate: template) else {
            throw errorPage(.internalServerError, title: "Erreur", message: "La page n’a pas pu être affichée.")
        }
        return HTML(body: Self.visibleSpaces(FrenchTypography.html(html)), status: status)
    }

    func errorPage(_ status: HTTPResponse.Status, title: String, message: String) -> PageError {
        PageError(status: status, title: title, message: message, renderer: self)
    }

    /// No-break spaces written as entities (`&nbsp;`, `&#8239;`): the same page, and the
    /// typography survives copying, tools that strip Unicode spaces, and reading the source.
    static func visibleSpaces(_ html: String) -> String {
        guard html.unicodeScalars.contains(where: { $0 == "\u{A0}" || $0 == "\u{202F}" }) else { return html }
        return html.replacingOccurrences(of: "\u{A0}", with: "&nbsp;").replacingOccurrences(of: "\u{202F}", with: "&#8239;")
    }

    /// A message as a sentence: capital first, final full stop.
    static func sentence(_ s: String) -> String {
        guard let first = s.first else { return s }
        let capital = first.uppercased() + s.dropFirst()
        return capital.hasSuffix(".") || capital.hasSuffix("?") || capital.hasSuffix("!") ? capital : capital + "."
    }

    static func title(of status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "Demande impossible"
        case 401, 403: "Accès refusé"
        case 404: "Page introuvable"
        case 409: "Action impossible"
        case 413: "Demande trop longue"
        case 415: "Format non pris en charge"
        case 429: "Trop de demandes"
        case 503: "Service indisponible"
        default: "Erreur"
        }
    }

    static func message(of status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "Cette adresse ne correspond à aucune page de Relais."
        case 405: "Cette adresse ne s’utilise pas ainsi."
        default: "La demande n’a pas pu aboutir."
        }
    }
}

/// Phone numbers as French readers write them: `+33380206845` → `03 80 20 68 45`.
enum PhoneDisplay {
    /// National format, as libphonenumber writes it (see ``PhoneNumber/national(_:)``).
    /// Groups held together by no-break spaces: a number never breaks across lines.
    static func french(_ e164: String) -> String { PhoneNumber.national(e164).replacingOccurrences(of: " ", with: "\u{A0}") }
}
