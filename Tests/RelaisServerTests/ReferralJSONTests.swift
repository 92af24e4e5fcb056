import Foundation
import RelaisApp
import RelaisModel
import RelaisServer
import RelaisTestSupport
import Testing

/// The referral answer's hot path: the hand-written JSON says what `JSONEncoder` says, and
/// listings kept between questions never outlive a change.
@Suite(.serialized) struct ReferralJSONTests {
    static let questions = [
        "needs=famille,isolement&audience=proche&near=75011&radius_km=10&date=2026-11-23",
        "needs=crise&audience=proche&near=75014",
        "needs=isolement&near=21000&radius_km=5",
        "needs=pair_aidance&near=13001&radius_km=300&limit=20&within_days=30",
        "needs=famille&audience=proche&near=33000&modalite=telephone",
        "needs=isolement&near=97400&langue=ar",
        "needs=isolement,retablissement&near=69001&accessible=fauteuil",
        "needs=isolement&near=Lyon",
    ]

    /// Both as values: key order inside objects and number spelling may differ, nothing else.
    static func value(_ text: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    @Test func handWrittenAnswerSaysWhatTheEncoderSays() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        let fragments = ReferralFragments()
        var compared = 0, suggestions = 0
        for q in Self.questions {
            guard let ask = try? ReferralAsk.parse(QueryParameters(urlEncoded: q)) else { continue }
            guard let result = try? await h.context.referrals.answer(ask) else { continue }
            let fast = ReferralJSON.render(result, taxonomy: h.context.taxonomy)
            let reference = ReferralJSON.renderEncoded(result, taxonomy: h.context.taxonomy)
            #expect(try Self.value(fast) == Self.value(reference), "\(q)\n\(fast)\n\(reference)")
            // Assembled from parts kept between questions (made now, then read back): the same text.
            #expect(ReferralJSON.render(result, taxonomy: h.context.taxonomy, fragments: fragments) == fast)
            #expect(ReferralJSON.render(result, taxonomy: h.context.taxonomy, fragments: fragments) == fast)
            // Crisis first, in the text too.
            #expect(fast.hasPrefix("{\"emergency\":"))
            compared += 1
            suggestions += result.answer.suggestions.count
        }
        #expect(compared >= 6 && suggestions >= 20)
    }

    @Test func aChangedListingIsNeverAnsweredFromAnEarlierQuestion() async throws {
        let h = try await ServerHarness.make()
        let ask = try ReferralAsk.parse(QueryParameters(urlEncoded: "needs=famille&audience=proche&near=75011&radius_km=10"))
        let first = try await h.context.referrals.answer(ask)
        let id = try #require(first.answer.suggestions.first { $0.distanceKm != nil }?.id)
        #expect(first.listings[id] != nil)
        try await h.store.curate(serviceID: id, field: "phones", value: JSONValue.encode([Phone("+33380000002")]), author: "test", at: ServerHarness.referenceDate)
        let second = try await h.context.referrals.answer(ask)
        #expect(second.listings[id]?.content.phones.map(\.number) == ["+33380000002"])
        // Nor its JSON parts: the first answer's are kept for its version only.
        let fragments = ReferralFragments()
        _ = ReferralJSON.render(first, taxonomy: h.context.taxonomy, fragments: fragments)
        let text = ReferralJSON.render(second, taxonomy: h.context.taxonomy, fragments: fragments)
        #expect(text.contains("+33380000002"))
        #expect(text == ReferralJSON.render(second, taxonomy: h.context.taxonomy))
    }
}
