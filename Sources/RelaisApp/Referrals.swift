import Foundation
import RelaisModel
import RelaisReferral
import RelaisSources
import RelaisStore

/// A referral answered: the question as understood, the engine's answer, and the
/// listings of its suggestions (for their contacts).
public struct ReferralResult: Sendable {
    public var request: ReferralRequest
    public var answer: ReferralAnswer
    public var listings: [String: Listing]
}

/// The referral use case, for the API, the pages and `relais refer` alike.
public struct Referrals: Sendable {
    let index: IndexCache
    let listings: any ListingStore
    let data: DirectoryData
    let clock: @Sendable () -> Date

    public init(index: IndexCache, listings: any ListingStore, data: DirectoryData, clock: @escaping @Sendable () -> Date) {
        self.index = index
        self.listings = listings
        self.data = data
        self.clock = clock
    }

    /// Understands `ask` (every error names its parameter) and answers it.
    public func answer(_ ask: ReferralAsk) async throws -> ReferralResult {
        let request = try ReferralRequest.understand(ask, taxonomy: data.taxonomy, gazetteer: data.gazetteer, now: clock())
        return try await answer(request)
    }

    public func answer(_ request: ReferralRequest) async throws -> ReferralResult {
        let engine = ReferralEngine(index: try await index.index(), emergencyLines: data.emergency)
        let answer = engine.answer(request.question)
        let found = try await listings.listings(ids: answer.suggestions.map(\.id))
        return ReferralResult(request: request, answer: answer, listings: Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Upcoming dated sessions (and the next meetings of recurring groups) near a place, soonest first.
    public func sessions(_ parameters: QueryParameters) async throws -> (SessionQuery, [UpcomingSession]) {
        let query = try SessionQuery.parse(parameters, gazetteer: data.gazetteer, now: clock())
        return (query, try await sessions(query))
    }

    public func sessions(_ query: SessionQuery) async throws -> [UpcomingSession] {
        UpcomingSessions.find(query, in: try await index.index())
    }
}
