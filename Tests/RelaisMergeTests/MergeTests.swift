import Foundation
import RelaisMerge
import RelaisModel
import Testing

/// The merge without a database: what a run does to the directory (``RunPlanner``),
/// how a listing is rebuilt from its records and curations (``ListingRecompute``),
/// twins across sources (``TwinChoice``), antennas (``Antennas``).
@Suite struct RunPlannerTests {
    let source = SourceRegistration(id: "gems", title: "GEM", url: "file:///gems.csv", format: "csv", staleAfterRuns: 2)

    func content(_ name: String, phone: String? = nil, kind: Kind = .gem, insee: String = "21054") -> ListingContent {
        ListingContent(name: name, kind: kind, phones: phone.map { [Phone($0)] } ?? [], address: Address(postalCode: "21200", commune: "Beaune", insee: insee))
    }

    @Test func everyRecordGetsOneDecision() {
        var planner = RunPlanner(source: source, existing: [
            "a": .init(serviceID: "rA", hash: "h-a", missingRuns: 0),
            "b": .init(serviceID: "rB", hash: "h-b", missingRuns: 0),
            "c": .init(serviceID: "rC", hash: "h-c", missingRuns: 1),
        ])
        #expect(planner.decide(key: "a", hash: "h-a", content: content("A"), twin: { _ in nil }) == .seen(serviceID: "rA", restored: false))
        #expect(planner.decide(key: "b", hash: "h-b2", content: content("B"), twin: { _ in nil }) == .updated(serviceID: "rB"))
        // Back after a missing run: seen and restored (its listing is rebuilt: no longer stale).
        #expect(planner.decide(key: "c", hash: "h-c", content: content("C"), twin: { _ in nil }) == .seen(serviceID: "rC", restored: true))
        #expect(planner.decide(key: "d", hash: "h-d", content: content("D"), twin: { _ in "rOther" }) == .joined(serviceID: "rOther"))
        let created = planner.decide(key: "e", hash: "h-e", content: content("E"), twin: { _ in nil })
        #expect(created == .created(serviceID: RunPlanner.listingID(source: "gems", key: "e")))
        // The same key twice in one payload is one listing.
        #expect(planner.decide(key: "e", hash: "h-e", content: content("E"), twin: { _ in nil }) == .duplicate)
        #expect(planner.touched == ["rB", "rC", "rOther"])
        // Listing ids are stable across runs and processes.
        #expect(RunPlanner.listingID(source: "gems", key: "e") == RunPlanner.listingID(source: "gems", key: "e"))
        #expect(RunPlanner.listingID(source: "gems", key: "e") != RunPlanner.listingID(source: "autre", key: "e"))
    }

    /// Stale at its first missing run, removed after `staleAfterRuns` more, unless an admin pinned it.
    @Test func staleThenRemovedUnlessPinned() {
        var planner = RunPlanner(source: source, existing: [
            "fresh": .init(serviceID: "r1", hash: "h", missingRuns: 0),
            "old": .init(serviceID: "r2", hash: "h", missingRuns: 2),
            "kept": .init(serviceID: "r3", hash: "h", missingRuns: 2),
            "seen": .init(serviceID: "r4", hash: "h", missingRuns: 0),
        ])
        _ = planner.decide(key: "seen", hash: "h", content: content("S"), twin: { _ in nil })
        let (missing, removed) = planner.vanished(pinned: { $0 == "r3" })
        #expect(missing.map(\.key) == ["fresh"] && missing.first?.missingRuns == 1)
        #expect(removed.map(\.key) == ["old"])
        #expect(planner.touched == ["r1", "r2"])
    }

    @Test func theShrinkGuardHoldsARunThatEmptiesASource() {
        let existing = Dictionary(uniqueKeysWithValues: (0..<10).map { ("k\($0)", RunPlanner.Existing(serviceID: "r\($0)", hash: "h", missingRuns: 0)) })
        var oneLeft = RunPlanner(source: source, existing: existing)
        _ = oneLeft.decide(key: "k0", hash: "h", content: content("A"), twin: { _ in nil })
        #expect(oneLeft.shrink() == (live: 10, vanishing: 9))
        #expect(oneLeft.held(by: ShrinkGuard())?.contains("9 fiches sur 10") == true)
        #expect(oneLeft.held(by: nil) == nil)
        var most = RunPlanner(source: source, existing: existing)
        for i in 0..<9 { _ = most.decide(key: "k\(i)", hash: "h", content: content("A"), twin: { _ in nil }) }
        #expect(most.held(by: ShrinkGuard()) == nil)
        // One in five may go at once; a few left of many is held whatever the share.
        #expect(ShrinkGuard(maxShare: 0.2).holds(live: 10, vanishing: 2) == false)
        #expect(ShrinkGuard(maxShare: 0.2).holds(live: 10, vanishing: 3) == true)
        #expect(ShrinkGuard(maxShare: 1).holds(live: 5, vanishing: 4) == true)
        #expect(ShrinkGuard(maxShare: .nan).maxShare == 0.2)
    }
}

@Suite struct TwinTests {
    func content(_ name: String, phone: String? = nil, kind: Kind = .gem, insee: String? = "21054") -> ListingContent {
        ListingContent(name: name, kind: kind, phones: phone.map { [Phone($0)] } ?? [], address: insee.map { Address(postalCode: "21200", commune: "Beaune", insee: $0) })
    }

    /// A stand-in for the store's index of identity keys: listings of other sources.
    func lookup(_ others: [String: ListingContent]) -> (String) -> [(serviceID: String, kind: String)] {
        { key in others.filter { ListingMerger.identityKeys($0.value).contains(key) }.map { ($0.key, $0.value.kind.rawValue) }.sorted { $0.serviceID < $1.serviceID } }
    }

    @Test func sameNameInTheSameCommuneIsTheSameResource() {
        let mine = content("GEM Le Cerisier")
        let others = ["r1": content("GEM  le cerisier"), "r2": content("GEM Le Cerisier", insee: "21231")]
        #expect(TwinChoice.choose(mine, keys: ListingMerger.identityKeys(mine), candidates: lookup(others)) == "r1")
    }

    @Test func aSharedPhoneJoinsOnlyResourcesOfTheSameKind() {
        let mine = content("Le Cerisier", phone: "+33380000001", insee: nil)
        let sameKind = ["r1": content("GEM Le Cerisier (Beaune)", phone: "+33380000001", insee: "21999")]
        let otherKind = ["r2": content("Unafam 21", phone: "+33380000001", kind: .association_familles, insee: "21999")]
        #expect(TwinChoice.choose(mine, keys: ListingMerger.identityKeys(mine), candidates: lookup(sameKind)) == "r1")
        #expect(TwinChoice.choose(mine, keys: ListingMerger.identityKeys(mine), candidates: lookup(otherKind)) == nil)
    }

    @Test func amongEqualsTheSmallestIdEveryTime() {
        let mine = content("GEM Un", phone: "+33380000001", insee: nil)
        let others = ["r9": content("GEM A", phone: "+33380000001", insee: "1"), "r3": content("GEM B", phone: "+33380000001", insee: "2")]
        #expect(TwinChoice.choose(mine, keys: ListingMerger.identityKeys(mine), candidates: lookup(others)) == "r3")
    }
}

@Suite struct RecomputeTests {
    func json(_ c: ListingContent) -> String { c.jsonString }
    func record(_ source: String, _ c: ListingContent, priority: Int = 0, missing: Int = 0, at: String = "2026-11-23T10:00:00Z", demo: Bool = false) -> ListingRecompute.Record {
        .init(sourceID: source, priority: priority, demo: demo, draftJSON: json(c), fetchedAt: at, missingRuns: missing)
    }

    let base = ListingContent(name: "GEM Le Phare", kind: .gem, phones: [Phone("+33380000001")], languages: ["fr"])

    @Test func oneRecordIsTheListing() throws {
        guard case .write(let w) = ListingRecompute.recompute(records: [record("a", base)], curations: [], current: nil, now: "2026-11-23T10:00:00Z") else {
            Issue.record("expected a listing")
            return
        }
        #expect(w.content == base && w.isNew && !w.stale && w.sources == ["a"] && w.lastVerified == "2026-11-23")
        #expect(w.provenance["*"]?.source == "a")
    }

    @Test func curatedEditsWinOverEverySource() throws {
        var high = base
        high.phones = [Phone("+33380000009")]
        let curation = ListingRecompute.Curation(field: "phones", valueJSON: JSONValue.encode([Phone("+33380000002")]).canonical, at: "2026-11-20T09:00:00Z")
        guard case .write(let w) = ListingRecompute.recompute(
            records: [record("a", base), record("b", high, priority: 10)], curations: [curation], current: nil, now: "2026-11-23T10:00:00Z")
        else {
            Issue.record("expected a listing")
            return
        }
        #expect(w.content.phones.map(\.number) == ["+33380000002"])
        #expect(w.provenance["phones"]?.source == "curation")
    }

    @Test func theHigherPriorityWinsAndDisagreementsAreFlagged() throws {
        var other = base
        other.phones = [Phone("+33380000009")]
        other.website = "https://lephare.example.org"
        other.languages = ["ar"]
        guard case .write(let w) = ListingRecompute.recompute(
            records: [record("a", base), record("b", other, priority: 10)], curations: [], current: nil, now: "2026-11-23T10:00:00Z")
        else {
            Issue.record("expected a listing")
            return
        }
        #expect(w.content.phones.map(\.number) == ["+33380000009"])
        #expect(w.content.website == "https://lephare.example.org")
        // Languages from several sources are united, not a conflict.
        #expect(Set(w.content.languages) == ["fr", "ar"])
        #expect(w.provenance["phones"]?.conflict == true)
        #expect(w.content.flags.contains { $0.code == "conflict" && $0.field == "phones" })
        #expect(!w.content.flags.contains { $0.code == "conflict" && $0.field == "languages" })
        #expect(Set(w.sources) == ["a", "b"])
    }

    @Test func staleWhenEverySourceLostItThenRemoved() throws {
        let current = ListingRecompute.Current(name: base.name, contentJSON: json(base), stale: false, pinned: false, adminVerifiedAt: nil)
        guard case .write(let w) = ListingRecompute.recompute(records: [record("a", base, missing: 1)], curations: [], current: current, now: "2026-11-24T10:00:00Z") else {
            Issue.record("expected a stale listing")
            return
        }
        #expect(w.stale && w.becameStale && w.changes.isEmpty)
        guard case .remove(let name) = ListingRecompute.recompute(records: [], curations: [], current: current, now: "2026-11-25T10:00:00Z") else {
            Issue.record("expected a removal")
            return
        }
        #expect(name == "GEM Le Phare")
        // Kept by an admin: no record left, and still listed, not stale.
        let pinned = ListingRecompute.Current(name: base.name, contentJSON: json(base), stale: true, pinned: true, adminVerifiedAt: "2026-11-24T08:00:00Z")
        guard case .write(let kept) = ListingRecompute.recompute(records: [], curations: [], current: pinned, now: "2026-11-25T10:00:00Z") else {
            Issue.record("expected the kept listing")
            return
        }
        #expect(!kept.stale && kept.restored && kept.lastVerified == "2026-11-24")
    }

    @Test func theChangeLogSaysFieldByField() throws {
        var renamed = base
        renamed.name = "GEM Le Phare de Beaune"
        renamed.languages = ["fr", "fsl"]
        let current = ListingRecompute.Current(name: base.name, contentJSON: json(base), stale: false, pinned: false, adminVerifiedAt: nil)
        guard case .write(let w) = ListingRecompute.recompute(records: [record("a", renamed)], curations: [], current: current, now: "2026-11-24T10:00:00Z") else {
            Issue.record("expected a rewrite")
            return
        }
        #expect(w.changes.map(\.field) == ["languages", "name"])
        #expect(w.changes.last?.before == "\"GEM Le Phare\"" && w.changes.last?.after == "\"GEM Le Phare de Beaune\"")
        // The same content: nothing to write.
        let same = ListingRecompute.Current(name: renamed.name, contentJSON: json(renamed), stale: false, pinned: false, adminVerifiedAt: nil)
        guard case .unchanged = ListingRecompute.recompute(records: [record("a", renamed)], curations: [], current: same, now: "2026-11-25T10:00:00Z") else {
            Issue.record("expected unchanged")
            return
        }
    }
}

@Suite struct AntennaTests {
    func draft(_ key: String, _ name: String) -> ListingDraft { ListingDraft(key: key, content: ListingContent(name: name, kind: .gem)) }

    @Test func anAntennaIsLinkedToItsParentByName() {
        var antennas = [draft("a1", "Antenne Seurre du GEM de Beaune"), draft("a2", "Antenne de l’Atelier Inconnu"), draft("a3", "Antenne Nuits de l’Oasis")]
        Antennas.link(&antennas, to: [draft("p1", "GEM de Beaune Le Cerisier"), draft("p2", "GEM L’Oasis"), draft("p3", "Antenne Beaune du GEM")])
        #expect(antennas.map(\.content.parentKey) == ["p1", nil, "p2"])
    }
}
