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
        let found = try await listings.listings(ids: answer.suggestions.map(\.id) + (answer.nearestBeyond ?? []).map(\.id))
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

/// What an answer says when nothing is near: plainly, with the nearest places beyond the
/// radius and a wider radius that reaches them. The same words on pages, in the API and the CLI.
public struct NothingNear: Codable, Sendable {
    /// « Aucun lieu d’entraide à moins de 30 km de 21000 Dijon pour ces besoins. Le plus proche : … »
    public var message: String
    public var radius_km: Double
    /// The smallest of 50, 100, 200, 300 km that reaches the nearest place, if one does.
    public var wider_radius_km: Int?

    public init(_ r: ReferralResult) {
        let q = r.request.question
        let radius = Int(q.radiusKm.rounded())
        let place = r.request.place.map { " de \($0.label)" } ?? ""
        let beyond = r.answer.nearestBeyond ?? []
        var text = "Aucun lieu d’entraide à moins de \(radius)\u{A0}km\(place) pour ces besoins."
        if let first = beyond.first, let d = first.distanceKm {
            let commune = r.listings[first.id]?.content.address?.commune.map { ", \($0)" } ?? ""
            text += " Le plus proche\u{A0}: \(first.name)\(commune), à \(FrenchFormat.distance(d))."
            wider_radius_km = [50, 100, 200, 300].first { Double($0) > q.radiusKm && Double($0) >= d }
        } else {
            text += " Aucun autre lieu ne répond à ces besoins ailleurs dans l’annuaire."
        }
        if !r.answer.suggestions.isEmpty { text += " Les ressources ci-dessous se joignent par téléphone ou en ligne, sans se déplacer." }
        message = text
        radius_km = q.radiusKm
    }
}
