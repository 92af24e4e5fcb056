import Foundation
import RelaisModel
import RelaisNormalize
import RelaisReferral
import Testing

/// When nothing is within the radius, the answer says how far help is; and what a reason
/// says of a listing's freshness never overclaims.
@Suite struct NothingNearTests {
    typealias E = EngineTests

    @Test func nothingWithinTheRadiusNamesTheNearestPlacesBeyondIt() throws {
        let e = E.engine([
            E.listing("ligne", .ligne_ecoute, km: 0, audiences: [.proche]),
            E.listing("assoc-80", .association_familles, km: 80, audiences: [.proche]),
            E.listing("apaf-45", .apaf, km: 45, audiences: [.proche]),
            E.listing("apaf-200", .apaf, km: 200, audiences: [.proche]),
            E.listing("gem-40", .gem, km: 40),  // another need: never named
            E.listing("closed-41", .apaf, km: 41, audiences: [.proche], status: .temporarily_closed),
            E.listing("stale-42", .apaf, km: 42, audiences: [.proche], stale: true),
            E.listing("assoc-300", .association_familles, km: 300, audiences: [.proche]),
        ])
        let a = e.answer(E.ask(["famille"], .proche))
        #expect(a.suggestions.map(\.id) == ["ligne"])
        let beyond = try #require(a.nearestBeyond)
        #expect(beyond.map(\.id) == ["apaf-45", "assoc-80", "apaf-200"])
        #expect(beyond[0].distanceKm.map { abs($0 - 45) < 1 } == true)
        #expect(beyond[0].reasons.contains { $0.hasPrefix("À 45 km de 21000 Dijon") })
    }

    @Test func somethingNearOrAPhoneQuestionNeedsNoNearestBeyond() {
        let e = E.engine([E.listing("assoc-10", .association_familles, km: 10, audiences: [.proche]), E.listing("apaf-60", .apaf, km: 60, audiences: [.proche])])
        #expect(e.answer(E.ask(["famille"], .proche)).nearestBeyond == nil)
        var phone = E.ask(["famille"], .proche, radius: 5)
        phone.modality = .telephone
        #expect(e.answer(phone).nearestBeyond == nil)
        // Nothing anywhere: said (an empty list), not silently absent.
        let none = E.engine([E.listing("gem", .gem, km: 3)]).answer(E.ask(["famille"], .proche))
        #expect(none.nearestBeyond?.isEmpty == true)
    }

    @Test func anImportIsAnUpdateOnlyAnAdminCheckIsAVerification() {
        var imported = E.listing("gem", .gem, km: 1)
        imported.lastVerified = "2026-11-20"
        var checked = E.listing("gem2", .gem, km: 2)
        checked.lastVerified = "2026-11-21"
        checked.verifiedByTeam = "2026-11-21"
        var demo = E.listing("demo", .gem, km: 3)
        demo.demo = true
        demo.verifiedByTeam = "2026-11-21"
        let a = E.engine([imported, checked, demo]).answer(E.ask(["isolement"]))
        let reasons = Dictionary(uniqueKeysWithValues: a.suggestions.map { ($0.id, $0.reasons) })
        #expect(reasons["gem"]?.contains("Mis à jour depuis la source le 20 novembre 2026.") == true)
        #expect(reasons["gem2"]?.contains("Vérifié par l’équipe le 21 novembre 2026.") == true)
        for (_, r) in reasons { #expect(!r.contains { $0.contains("Informations vérifiées") }) }
        #expect(reasons["demo"]?.contains { $0.hasPrefix("Vérifié") } == false)
    }
}

/// Answers as long as the directory allows: many phone lines never crowd out the places near.
@Suite struct AnswerLengthTests {
    typealias E = EngineTests

    @Test func manyPhoneLinesDoNotCutTheLocalResourcesBeforeTheyAreScored() {
        // Lines that declare the need and are open round the clock: the best possible remote score.
        var listings = (0..<300).map { i -> IndexListing in
            var l = E.listing(String(format: "ligne-%03d", i), .ligne_ecoute, km: 0, audiences: [.proche], hours: "24/7")
            l.content.needs = ["famille"]
            return l
        }
        listings += (0..<30).map { E.listing(String(format: "assoc-%02d", $0), .association_familles, km: Double(5 + $0 / 2), audiences: [.proche]) }
        let a = E.engine(listings).answer(E.ask(["famille"], .proche, limit: 10))
        #expect(a.suggestions.count == 10)
        #expect(a.suggestions.filter { $0.kind == .ligne_ecoute }.count == 2)
        #expect(a.suggestions.filter { $0.kind == .association_familles }.count == 8)
        // Asking for phone help lifts the cap: then lines fill the answer.
        var phone = E.ask(["famille"], .proche, limit: 10)
        phone.modality = .telephone
        #expect(E.engine(listings).answer(phone).suggestions.count == 10)
    }

    @Test func theSameAnswerWhateverTheNumberOfLinesBeyondTheCap() {
        let local = (0..<12).map { E.listing(String(format: "gem-%02d", $0), .gem, km: Double(2 + $0)) }
        func line(_ i: Int) -> IndexListing {
            var l = E.listing(String(format: "ligne-%03d", i), .ligne_ecoute, km: 0, hours: "24/7")
            l.content.needs = ["famille", "isolement"]
            return l
        }
        let few = local + (0..<3).map(line)
        let many = few + (3..<500).map(line)
        let q = E.ask(["isolement", "famille"], limit: 10)
        let a = E.engine(few).answer(q).suggestions.filter { $0.kind == .gem }.map(\.id)
        let b = E.engine(many).answer(q).suggestions.filter { $0.kind == .gem }.map(\.id)
        #expect(a == b && a.count == 8)
    }
}

/// The nearest places beyond the radius are found cell by cell, nearest cell first: the same
/// three as a scan of every place, near or across the world.
@Suite struct NearestBeyondRingTests {
    typealias E = EngineTests

    @Test func ringsFindWhatAFullScanFinds() {
        var rng = SplitMix(seed: 42)
        var listings: [IndexListing] = []
        for i in 0..<400 {
            let km = Double(rng.next() % 3_000) + 31  // 31 km to 3,000 km north of Dijon
            listings.append(E.listing(String(format: "apaf-%03d", i), .apaf, km: km, audiences: [.proche]))
        }
        let a = E.engine(listings).answer(E.ask(["famille"], .proche))
        var byDistance: [(Double, String)] = []
        for l in listings { byDistance.append((l.content.point?.distance(to: E.dijon) ?? 0, l.id)) }
        byDistance.sort { (a: (Double, String), b: (Double, String)) -> Bool in a.0 != b.0 ? a.0 < b.0 : a.1 < b.1 }
        let expected: [String] = byDistance.prefix(3).map { $0.1 }
        #expect(a.nearestBeyond?.map(\.id) == expected)
        // Only two places, far away: both, found by the last resort.
        let far = E.engine([E.listing("loin-1", .apaf, km: 2_500, audiences: [.proche]), E.listing("loin-2", .apaf, km: 1_800, audiences: [.proche])])
        #expect(far.answer(E.ask(["famille"], .proche)).nearestBeyond?.map(\.id) == ["loin-2", "loin-1"])
    }
}

/// Phone and online resources are read best first for a one-need question and the reading
/// stops early: the answers are those of scoring every one of them.
@Suite struct RemoteShortcutTests {
    typealias E = EngineTests

    @Test func theShortcutAnswersWhatScoringEveryRemoteResourceAnswers() {
        var rng = SplitMix(seed: 7)
        let needs = ["famille", "isolement", "information", "droits", "pair_aidance"]
        var listings: [IndexListing] = []
        for i in 0..<600 {
            let kind: Kind = i % 3 == 0 ? .ressource_en_ligne : .ligne_ecoute
            let audiences: [[Audience]] = [[.personne], [.proche], [.personne, .proche]]
            var l = E.listing(String(format: "r-%03d", Int(rng.next() % 1000)) + "-\(i)", kind, km: 0, audiences: audiences[Int(rng.next() % 3)],
                              hours: rng.next() % 2 == 0 ? "24/7" : nil, stale: rng.next() % 9 == 0,
                              status: rng.next() % 11 == 0 ? .temporarily_closed : .active)
            l.content.needs = (0..<Int(rng.next() % 3)).map { _ in needs[Int(rng.next() % UInt64(needs.count))] }
            // Some not updated for more than a year: the only part of the score that depends on the day.
            l.lastVerified = rng.next() % 4 == 0 ? "2024-05-01" : "2026-11-01"
            listings.append(l)
        }
        listings += (0..<40).map { E.listing(String(format: "local-%02d", $0), $0 % 2 == 0 ? .gem : .association_familles, km: Double($0)) }
        let index = ReferralIndex(taxonomy: E.taxonomy, listings: listings)
        let fast = ReferralEngine(index: index, emergencyLines: E.emergency)
        let full = ReferralEngine(index: index, emergencyLines: E.emergency, remoteShortcut: false)
        var remoteSeen = 0
        for need in needs {
            for audience in [Audience.personne, .proche] {
                for within in [nil, 7] as [Int?] {
                    let q = E.ask([need], audience, within: within, limit: 10)
                    let a = fast.answer(q).suggestions, b = full.answer(q).suggestions
                    #expect(a.map(\.id) == b.map(\.id), "\(need) \(audience) \(String(describing: within))")
                    #expect(a.map(\.score) == b.map(\.score))
                    remoteSeen += a.filter { $0.distanceKm == nil }.count
                }
            }
        }
        #expect(remoteSeen >= 10)
    }

    /// Places all around, near and across the world, for origins here and overseas: the three
    /// the cells find are the three a scan of every place finds (by the engine's own measure).
    @Test func cellsFindWhatAFullScanFindsInEveryDirection() {
        var rng = SplitMix(seed: 7)
        func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.next() % 1_000_000) / 1_000_000 }
        var listings: [IndexListing] = []
        for i in 0..<600 {
            // Most in and around France, some overseas.
            let (lat, lon) = i % 10 == 0 ? (uniform(-25, 20), uniform(-180, 180)) : (uniform(41, 51.5), uniform(-5, 9.5))
            var l = E.listing(String(format: "apaf-%03d", i), .apaf, km: 0, audiences: [.proche])
            l.content.point = GeoPoint(latitude: lat, longitude: lon)
            listings.append(l)
        }
        let engine = E.engine(listings)
        var compared = 0
        for origin in [E.dijon, GeoPoint(latitude: 48.85, longitude: 2.35), GeoPoint(latitude: -17.53, longitude: -149.56), GeoPoint(latitude: -21.1, longitude: 55.5), GeoPoint(latitude: 43.3, longitude: 5.4)] {
            var q = E.ask(["famille"], .proche, radius: 5)
            q.origin = origin
            let a = engine.answer(q)
            guard a.suggestions.allSatisfy({ $0.distanceKm == nil }) else { continue }  // something within 5 km: no search
            let cosLat = cos(origin.latitude * .pi / 180)
            func d(_ p: GeoPoint) -> Double {
                let dy = (Double(Float(p.latitude)) - origin.latitude) * 111.195
                let dx = (Double(Float(p.longitude)) - origin.longitude) * 111.195 * cosLat
                return (dx * dx + dy * dy).squareRoot()
            }
            var all: [(Double, String)] = []
            for l in listings { if let p = l.content.point, d(p) > 5 { all.append((d(p), l.id)) } }
            all.sort { (x: (Double, String), y: (Double, String)) -> Bool in x.0 != y.0 ? x.0 < y.0 : x.1 < y.1 }
            let expected: [String] = all.prefix(3).map { $0.1 }
            #expect(a.nearestBeyond?.map(\.id) == expected, "\(origin)")
            compared += 1
        }
        #expect(compared >= 4)
    }
}

/// Places near are scanned cell by cell, nearest first, and the scan stops where no cell can hold
/// a better candidate; the next openings are kept across questions. The answers are those of
/// scoring every place within the radius with a fresh index.
@Suite struct CellShortcutTests {
    typealias E = EngineTests

    static func directory(seed: UInt64) -> [IndexListing] {
        var rng = SplitMix(seed: seed)
        func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.next() % 1_000_000) / 1_000_000 }
        let kinds: [Kind] = [.gem, .clubhouse, .association_familles, .apaf, .groupe_parole, .ligne_ecoute]
        let hours = ["Mo-Fr 09:00-17:00", "Tu 14:00-18:00", "We[1] 18:00-20:00", "Sa 10:00-12:00; PH off", "Mo 08:00-09:00", nil]
        var listings: [IndexListing] = []
        for i in 0..<1500 {
            let kind = kinds[Int(rng.next() % UInt64(kinds.count))]
            let audiences: [[Audience]] = [[.personne], [.proche], [.personne, .proche]]
            var l = E.listing(String(format: "p-%04d", Int(rng.next() % 10_000)) + "-\(i)", kind, km: 0, audiences: audiences[Int(rng.next() % 3)],
                              hours: hours[Int(rng.next() % UInt64(hours.count))], stale: rng.next() % 13 == 0,
                              status: rng.next() % 11 == 0 ? .temporarily_closed : .active)
            // Dense near Dijon, thinner up to 120 km away: cells of every fill.
            let spread = i % 3 == 0 ? 1.1 : 0.15
            if !kind.isRemote { l.content.point = GeoPoint(latitude: E.dijon.latitude + uniform(-spread, spread), longitude: E.dijon.longitude + uniform(-spread, spread) * 1.4) }
            l.content.needs = rng.next() % 4 == 0 ? ["famille"] : []
            l.lastVerified = rng.next() % 5 == 0 ? "2024-05-01" : "2026-11-01"
            listings.append(l)
        }
        return listings
    }

    @Test func theCellScanAnswersWhatScoringEveryPlaceAnswers() {
        let listings = Self.directory(seed: 11)
        let index = ReferralIndex(taxonomy: E.taxonomy, listings: listings)
        let fast = ReferralEngine(index: index, emergencyLines: E.emergency)
        let full = ReferralEngine(index: index, emergencyLines: E.emergency, cellShortcut: false)
        var compared = 0
        for needs in [["isolement"], ["famille"], ["isolement", "famille"]] {
            for audience in [Audience.personne, .proche] {
                for radius in [3.0, 10, 30, 90] {
                    for (within, limit) in [(nil, 10), (7, 10), (nil, 3), (2, 25)] as [(Int?, Int)] {
                        let q = E.ask(needs, audience, radius: radius, within: within, limit: limit)
                        let a = fast.answer(q).suggestions, b = full.answer(q).suggestions
                        #expect(a.map(\.id) == b.map(\.id), "\(needs) \(audience) \(radius) km \(String(describing: within))")
                        #expect(a.map(\.score) == b.map(\.score))
                        compared += a.count
                    }
                }
            }
        }
        #expect(compared > 500)
    }

    /// The same questions asked through a day and into the next, on one index (its next openings
    /// kept from question to question) and each on a fresh index: the same answers.
    @Test func keptOpeningsAnswerWhatAFreshIndexAnswers() {
        let listings = Self.directory(seed: 12)
        let kept = ReferralEngine(index: ReferralIndex(taxonomy: E.taxonomy, listings: listings), emergencyLines: E.emergency)
        var times: [LocalDateTime] = []
        for day in [23, 24, 25, 28] {
            for minutes in stride(from: 7 * 60, through: 22 * 60, by: 53) {
                times.append(LocalDateTime(date: LocalDate(year: 2026, month: 11, day: day), minutes: minutes))
            }
        }
        var withOpening = 0
        for (k, t) in times.enumerated() {
            var q = E.ask(k % 2 == 0 ? ["isolement"] : ["famille"], k % 3 == 0 ? .proche : .personne, within: k % 4 == 0 ? 3 : nil)
            q.now = t
            let fresh = ReferralEngine(index: ReferralIndex(taxonomy: E.taxonomy, listings: listings), emergencyLines: E.emergency)
            let a = kept.answer(q).suggestions, b = fresh.answer(q).suggestions
            #expect(a.map(\.id) == b.map(\.id), "\(t)")
            #expect(a.map(\.nextOpening) == b.map(\.nextOpening), "\(t)")
            withOpening += a.filter { $0.nextOpening != nil }.count
        }
        #expect(withOpening > 100)
    }
}
