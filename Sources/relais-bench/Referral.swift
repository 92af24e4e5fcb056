import Foundation
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisStore

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
