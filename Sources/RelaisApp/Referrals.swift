import Foundation
import Synchronization
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
    /// The data version the listings were read at (nil when not read from a store).
    public var version: Int?
}

/// The referral use case, for the API, the pages and `relais refer` alike.
public struct Referrals: Sendable {
    let index: IndexCache
    let listings: any ListingStore
    let data: DirectoryData
    let clock: @Sendable () -> Date
    let suggested = SuggestedListings()

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
        let ids = answer.suggestions.map(\.id) + (answer.nearestBeyond ?? []).map(\.id)
        let version = try await listings.dataVersion()
        let found = try await suggested.listings(ids, version: version, store: listings)
        return ReferralResult(request: request, answer: answer, listings: found, version: version)
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

/// The listings of recent suggestions, decoded once per data version: a question asks the store
/// only for those no earlier answer showed since the last change. Bounded: past `capacity`
/// listings it starts again empty (the popular ones come back at once).
final class SuggestedListings: Sendable {
    private let state = Mutex<(version: Int, byID: [String: Listing])>((-1, [:]))
    let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func listings(_ ids: [String], version: Int, store: any ListingStore) async throws -> [String: Listing] {
        var out: [String: Listing] = [:]
        var missing: [String] = []
        state.withLock { s in
            if s.version != version { s = (version, [:]) }
            for id in ids {
                if let l = s.byID[id] { out[id] = l } else { missing.append(id) }
            }
        }
        guard !missing.isEmpty else { return out }
        let found = try await store.listings(ids: missing)
        state.withLock { s in
            // A change while reading: keep this answer's listings out of the next version's cache.
            guard s.version == version else { return }
            if s.byID.count + found.count > capacity { s.byID = [:] }
            for l in found { s.byID[l.id] = l }
        }
        for l in found { out[l.id] = l }
        return out
    }
}
