import Foundation
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisStore
import RelaisApp
import RelaisServer

/// A national-scale synthetic directory: listings spread over every département
/// (in proportion to its communes), every kind, with schedules and sessions.
func syntheticListings(_ n: Int) -> [ReferralIndex.Input] {
    let communes = data.gazetteer.communes.filter { data.gazetteer.parent(of: $0.insee) == nil }
    // Phone lines and online resources are few and national; places are many.
    let kinds = Kind.allCases.filter { !$0.isRemote }
    let schedules = ["Mo-Fr 14:00-18:00", "Tu,Th 14:00-17:00", "Tu[1,3] 14:00-17:00", "Th[-1] 18:00-20:00", "We 10:00-12:00,14:00-18:00; Aug off", "Mo-Sa 09:30-17:30"]
        .map { try! OpeningHours.parse($0) }
    var rng = SplitMix(seed: 42)
    var out: [ReferralIndex.Input] = []
    out.reserveCapacity(n)
    for i in 0..<n {
        let c = communes[Int(rng.next() % UInt64(communes.count))]
        let kind = i % 400 == 0 ? Kind.ligne_ecoute : (i % 400 == 1 ? Kind.ressource_en_ligne : kinds[i % kinds.count])
        var content = ListingContent(
            name: "\(data.taxonomy.label(of: kind)) n° \(i)", kind: kind, audiences: data.taxonomy.defaultAudiences(for: kind),
            modalities: kind.isRemote ? [.telephone] : [.sur_place],
            point: kind.isRemote && i % 10 != 0 ? nil : GeoPoint(latitude: c.centroid.latitude + Double(rng.next() % 100) / 10000, longitude: c.centroid.longitude + Double(rng.next() % 100) / 10000))
        if i % 7 != 0 { content.schedule = schedules[i % schedules.count] }
        if kind == .atelier_prospect {
            let d = LocalDate(year: 2027, month: 1 + i % 12, day: 1 + i % 27)
            content.sessions = [Session(key: "s\(i)", title: "Atelier \(i)", occurrences: (0..<3).map { Occurrence(start: LocalDateTime(date: d.adding(days: 7 * $0), minutes: 540), end: LocalDateTime(date: d.adding(days: 7 * $0), minutes: 1020)) })]
        }
        if i % 5 == 0 { content.needs = [data.taxonomy.needIDs[i % data.taxonomy.needIDs.count]] }
        out.append(.init(id: "b\(i)", content: content, stale: i % 97 == 0, demo: false, lastVerified: "2026-11-01"))
    }
    return out
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func residentMB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }
    return 0
}

func benchReferral(listings n: Int) async throws {
    let t0 = now()
    let inputs = syntheticListings(n)
    let index = ReferralIndex(taxonomy: data.taxonomy, listings: inputs)
    let engine = ReferralEngine(index: index, emergencyLines: data.emergency)
    print(String(format: "referral index of %d synthetic listings built in %.2f s; resident memory %.0f MB", index.count, now() - t0, residentMB()))
    // Two-need questions within 30 km around communes across France, single-threaded, index warm.
    let places = data.gazetteer.communes.filter { $0.insee.hasSuffix("0") }.map(\.centroid)
    let pairs: [[String]] = [["isolement", "famille"], ["emploi", "retablissement"], ["droits", "information"], ["pair_aidance", "isolement"], ["famille", "information"]]
    let audiences: [Audience] = [.personne, .proche, .professionnel]
    let when = LocalDateTime(date: LocalDate(year: 2026, month: 11, day: 23), hour: 12, minute: 0)
    var samples: [Double] = []
    var found = 0
    for i in 0..<2000 {
        let q = ReferralQuestion(needs: pairs[i % pairs.count], audience: audiences[i % 3], origin: places[(i * 37) % places.count], radiusKm: 30, now: when, withinDays: i % 4 == 0 ? 30 : nil)
        let s = now()
        let a = engine.answer(q)
        samples.append(now() - s)
        found += a.suggestions.count
    }
    samples.sort()
    let median = samples[samples.count / 2] * 1000, p99 = samples[samples.count * 99 / 100] * 1000
    print(String(format: "referral latency, 2 needs within 30 km, 2000 questions: median %.3f ms, p99 %.3f ms (%.1f suggestions on average)", median, p99, Double(found) / 2000))
}

/// The peer benchmark's questions over a real store, in process: the engine alone, and the
/// whole answer as `/api/referrals` makes it (engine, the suggested listings, the JSON).
///   relais-bench answer DB [QUESTIONS.json] [ROUNDS]
func benchAnswer(db: String, questions path: String, rounds: Int) async throws {
    let ctx = try await RelaisContext.open(db: db, access: .readOnly, home: home)
    let t0 = now()
    let index = try await ctx.index.index()
    print(String(format: "index of %d listings built in %.2f s; resident memory %.0f MB", index.count, now() - t0, residentMB()))
    let list = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [[String: Any]]) ?? []
    let asks = try list.compactMap { $0["relais_path"] as? String }.map { p in
        try ReferralAsk.parse(QueryParameters(urlEncoded: String(p.split(separator: "?", maxSplits: 1).last ?? "")))
    }
    let requests = try asks.map { try ReferralRequest.understand($0, taxonomy: ctx.taxonomy, gazetteer: ctx.data.gazetteer, now: ctx.clock()) }
    let engine = ReferralEngine(index: index, emergencyLines: ctx.data.emergency)
    // The reference: every place within the radius scored (no cell-by-cell stop), timed in the
    // same rounds so that the two medians come from the same moments of a shared machine.
    let reference = ReferralEngine(index: index, emergencyLines: ctx.data.emergency, cellShortcut: false)
    var engineTimes: [Double] = [], wholeTimes: [Double] = [], referenceTimes: [Double] = []
    let fragments = ReferralFragments()  // as the server keeps them
    var perQuestion = [Double](repeating: 0, count: requests.count)
    var lengths = [Int](repeating: 0, count: requests.count)
    for round in 0..<(rounds + 1) {
        for (k, r) in requests.enumerated() {
            // Which engine goes first alternates: the second finds the first one's data in the caches.
            // Engine times are the thread's CPU time (the engine is synchronous).
            var re = 0.0
            if round % 2 == 1 {
                let r0 = threadCPU()
                _ = reference.answer(r.question)
                re = threadCPU() - r0
            }
            let s = threadCPU()
            let a = engine.answer(r.question)
            let e = threadCPU() - s
            if round % 2 == 0 {
                let r0 = threadCPU()
                _ = reference.answer(r.question)
                re = threadCPU() - r0
            }
            let w0 = now()
            let result = try await ctx.referrals.answer(r)
            _ = ReferralJSON.render(result, taxonomy: ctx.taxonomy, fragments: fragments)
            let w = now() - w0
            lengths[k] = a.suggestions.count
            if round == 0 { continue }  // warm-up: listings read once
            engineTimes.append(e)
            referenceTimes.append(re)
            wholeTimes.append(w)
            perQuestion[k] += e / Double(rounds)
        }
    }
    func pct(_ xs: [Double], _ p: Int) -> Double { let s = xs.sorted(); return s.isEmpty ? 0 : s[min(s.count - 1, s.count * p / 100)] * 1000 }
    print("(engine: CPU time of the thread; whole answer: wall time)")
    print(String(format: "%d questions × %d rounds — engine p50 %.3f ms, p90 %.3f, p99 %.3f; whole answer (engine, listings, JSON) p50 %.3f ms, p99 %.3f", requests.count, rounds, pct(engineTimes, 50), pct(engineTimes, 90), pct(engineTimes, 99), pct(wholeTimes, 50), pct(wholeTimes, 99)))
    print(String(format: "(every place within the radius scored: engine p50 %.3f ms, p90 %.3f, p99 %.3f)", pct(referenceTimes, 50), pct(referenceTimes, 90), pct(referenceTimes, 99)))
    guard !perQuestion.isEmpty else { return }
    let median = perQuestion.sorted()[perQuestion.count / 2]
    for worst in perQuestion.indices.sorted(by: { perQuestion[$0] > perQuestion[$1] }).prefix(6) {
        print(String(format: "slow question: %.3f ms (%.1f× the median question, %d suggestions) — %@", perQuestion[worst] * 1000, perQuestion[worst] / max(median, 1e-9), lengths[worst], list[worst]["relais_path"] as? String ?? "?"))
    }
    print("suggestions per answer: min \(lengths.min() ?? 0), median \(lengths.sorted()[lengths.count / 2]); answers shorter than 10: \(lengths.filter { $0 < 10 }.count)")
}
