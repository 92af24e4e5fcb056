import Foundation
import Hummingbird
import RelaisApp
import RelaisModel

/// `GET|POST /api/referrals` and `GET /api/sessions`.
struct ReferralController: Sendable {
    let referrals: Referrals
    let taxonomy: Taxonomy
    /// The suggestions' parts that do not depend on the question, kept per data version.
    let fragments = ReferralFragments()

    func add(to router: Router<RelaisRequestContext>) {
        router.get("/api/referrals") { request, _ in
            let result = try await referrals.answer(try ReferralAsk.parse(QueryParameters(urlEncoded: request.uri.query ?? "")))
            return JSONResponse(text: ReferralJSON.render(result, taxonomy: taxonomy, fragments: fragments))
        }
        // POST: the same question with its parameters in a form or JSON body — the way
        // to send `situation`, which should not travel in a URL (proxies and browsers keep those).
        router.post("/api/referrals") { request, _ in
            let parameters = QueryParameters(urlEncoded: request.uri.query ?? "").merging(try await Self.bodyParameters(request))
            let result = try await referrals.answer(try ReferralAsk.parse(parameters))
            return JSONResponse(text: ReferralJSON.render(result, taxonomy: taxonomy, fragments: fragments))
        }
        router.get("/api/sessions") { request, _ in
            let (query, sessions) = try await referrals.sessions(QueryParameters(urlEncoded: request.uri.query ?? ""))
            return JSONResponse(text: SessionsJSON.render(query, sessions, taxonomy: taxonomy))
        }
    }

    /// The parameters of a form (`application/x-www-form-urlencoded`) or JSON object body:
    /// strings, numbers, booleans, or arrays of strings (`"needs": ["famille"]`).
    static func bodyParameters(_ request: Request) async throws -> QueryParameters {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 16_384) } catch {
            throw RelaisError(.tooLarge, "Corps de la requête trop grand (16\u{A0}Kio au plus).")
        }
        let text = String(buffer: buffer)
        let type = (request.headers[.contentType] ?? "").lowercased()
        if type.hasPrefix("application/json") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                throw RelaisError(.invalid, "Corps JSON invalide\u{A0}: attendu un objet, par exemple {\"needs\": [\"famille\"], \"near\": \"75011\", \"situation\": \"…\"}.", parameter: "body")
            }
            var out: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let s as String: out[key] = s
                case let list as [Any]:
                    guard let strings = list as? [String] else { throw RelaisError(.invalid, "Paramètre « \(key) »\u{A0}: attendu une liste de textes.", parameter: key) }
                    out[key] = strings.joined(separator: ",")
                case let n as NSNumber: out[key] = n.stringValue
                case is NSNull: continue
                default: throw RelaisError(.invalid, "Paramètre « \(key) »\u{A0}: attendu un texte, un nombre ou une liste de textes.", parameter: key)
                }
            }
            return QueryParameters(out)
        }
        if type.hasPrefix("application/x-www-form-urlencoded") || (type.isEmpty && text.isEmpty) { return QueryParameters(urlEncoded: text) }
        throw RelaisError(.unsupportedMedia, "Type de corps non pris en charge\u{A0}: envoyez application/json ou application/x-www-form-urlencoded.")
    }
}
