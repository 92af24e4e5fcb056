import Foundation
import Hummingbird
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisStore

/// `GET|POST /api/referrals` and `GET /api/sessions`.
struct ReferralController {
    let state: ServerState

    func add(to router: Router<RelaisRequestContext>) {
        router.get("/api/referrals") { request, _ in
            let params = QueryReader(request).params
            let (req, answer, listings) = try await state.refer(params)
            return JSONResponse(text: ReferralJSON.render(req, answer, listings: listings, taxonomy: state.taxonomy))
        }
        // POST: the same question with its parameters in a form or JSON body — the way
        // to send `situation`, which should not travel in a URL (proxies and browsers keep those).
        router.post("/api/referrals") { request, _ in
            let params = QueryReader(request).params.merging(try await Self.bodyParameters(request)) { _, body in body }
            let (req, answer, listings) = try await state.refer(params)
            return JSONResponse(text: ReferralJSON.render(req, answer, listings: listings, taxonomy: state.taxonomy))
        }
        router.get("/api/sessions") { request, _ in
            let params = QueryReader(request).params
            let (query, sessions) = try await state.sessions(params)
            return JSONResponse(text: SessionsJSON.render(query, sessions, taxonomy: state.taxonomy))
        }
    }
}

extension ReferralController {
    /// The parameters of a form (`application/x-www-form-urlencoded`) or JSON
    /// object body: strings, numbers, booleans, or arrays of strings (`"needs": ["famille"]`).
    static func bodyParameters(_ request: Request) async throws -> [String: String] {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 16_384) } catch {
            throw APIError(.contentTooLarge, "Corps de la requête trop grand (16\u{A0}Kio au plus).")
        }
        let text = String(buffer: buffer)
        let type = (request.headers[.contentType] ?? "").lowercased()
        if type.hasPrefix("application/json") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                throw APIError(.badRequest, "Corps JSON invalide\u{A0}: attendu un objet, par exemple {\"needs\": [\"famille\"], \"near\": \"75011\", \"situation\": \"…\"}.")
            }
            var out: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let s as String: out[key] = s
                case let list as [Any]:
                    guard let strings = list as? [String] else { throw APIError(parameter: key, "Paramètre « \(key) »\u{A0}: attendu une liste de textes.") }
                    out[key] = strings.joined(separator: ",")
                case let n as NSNumber: out[key] = n.stringValue
                case is NSNull: continue
                default: throw APIError(parameter: key, "Paramètre « \(key) »\u{A0}: attendu un texte, un nombre ou une liste de textes.")
                }
            }
            return out
        }
        if type.hasPrefix("application/x-www-form-urlencoded") || (type.isEmpty && text.isEmpty) { return FormData.parse(text) }
        throw APIError(.unsupportedMediaType, "Type de corps non pris en charge\u{A0}: envoyez application/json ou application/x-www-form-urlencoded.")
    }
}

extension ReferralRequest.Invalid {
    var apiError: APIError {
        var extra: [String: [String]] = [:]
        if let valid { extra["valid"] = valid }
        if let choices { extra["choices"] = choices }
        return APIError(parameter: parameter, message, extra: extra)
    }
}

extension ServerState {
    /// Answers a referral question from request parameters; the listings of the suggestions come with it.
    public func refer(_ params: [String: String]) async throws -> (ReferralRequest, ReferralAnswer, [String: Listing]) {
        let request: ReferralRequest
        do { request = try ReferralRequest.parse(params, taxonomy: taxonomy, gazetteer: data.gazetteer, now: clock()) } catch let e as ReferralRequest.Invalid {
            throw e.apiError
        }
        let engine = ReferralEngine(index: try await indexCache.index(), emergencyLines: data.emergency)
        let answer = engine.answer(request.question)
        let listings = Dictionary(try store.listings(ids: answer.suggestions.map(\.id)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return (request, answer, listings)
    }

    /// Upcoming dated sessions (and the next meetings of recurring groups) near a place, soonest first.
    public func sessions(_ params: [String: String]) async throws -> (SessionQuery, [UpcomingSession]) {
        let query: SessionQuery
        do { query = try SessionQuery.parse(params, gazetteer: data.gazetteer, now: clock()) } catch let e as ReferralRequest.Invalid {
            throw e.apiError
        }
        return (query, UpcomingSessions.find(query, in: try await indexCache.index()))
    }
}
