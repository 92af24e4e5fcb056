import Foundation
import Hummingbird
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisStore

/// `GET /api/referrals` and `GET /api/sessions`.
struct ReferralController {
    let state: ServerState

    func add(to router: Router<RelaisRequestContext>) {
        router.get("/api/referrals") { request, _ in
            let params = QueryReader(request).params
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
