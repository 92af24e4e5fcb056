import Foundation
@testable import RelaisApp
import RelaisImport
import RelaisModel
import RelaisNormalize
@testable import RelaisReferral
import RelaisSources
import RelaisStore
import RelaisStoreSQLite
import RelaisTestSupport
import Testing

/// The referral index written beside the store and read back at the next start answers
/// exactly as the index built from the store; bytes that are not this data's index are never
/// used, and never trap.
@Suite(.serialized) struct IndexSnapshotTests {
    static let tag = IndexSnapshot.Tag(store: 42, dataVersion: 7)

    /// Every public fixture imported, as the scenarios are (built once, without blocking a
    /// thread: `ScenarioTests.index` waits on a semaphore, and two suites waiting at once on a
    /// 2-core machine would leave no thread to the import).
    static let fixtures = Task<ReferralIndex, any Error> {
        let dir = SharedData.temporaryDirectory("snapshot-fixtures")
        let store = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
        let f = SharedData.url("fixtures")
        let importer = try await RelaisContext.open(store: store, home: RelaisHome(root: SharedData.projectRoot), clock: { Date(timeIntervalSince1970: 1_795_431_600) }).importer
        for (id, file, format, kind) in [
            ("gems", "gem-annuaire.csv", SourceFormat.csv, Kind?.some(.gem)), ("unafam", "unafam-delegation.html", .html, nil),
            ("mdu", "mdu-permanences.html", .html, .mdu_permanence), ("peers", "peer-platform.html", .jsonld, .plateforme_pairs),
            ("agenda", "agenda.ics", .ics, .groupe_parole), ("outlook", "conformance/agenda-outlook.ics", .ics, .groupe_parole),
        ] {
            _ = await importer.run(Manifest(id: id, title: id, url: f.appendingPathComponent(file).absoluteString, format: format, kind: kind))
        }
        let server = try await TestHTTPServer.start(FixtureRoutes.router(serving: f))
        _ = await importer.run(Manifest(id: "di", title: "di", url: "\(server.baseURL)/di", format: .dataInclusion))
        _ = await importer.run(Manifest(id: "hsds", title: "hsds", url: "\(server.baseURL)/hsds/services", format: .hsds))
        await server.stop()
        let rows = try store.allListings(includeHidden: false)
        return ReferralIndex(taxonomy: ScenarioTests.data.taxonomy, listings: rows.map { IndexListing(id: $0.id, content: $0.content, stale: $0.stale, demo: $0.demo, lastVerified: $0.lastVerified) })
    }

    /// Every public fixture (the scenarios' directory): the same answers to every need, for each
    /// audience, around ten places, now and within a week.
    @Test func theIndexReadBackAnswersExactlyAsTheIndexBuilt() async throws {
        guard SharedData.requireShared() else { return }
        let built = try await Self.fixtures.value
        let bytes = IndexSnapshot.encode(built, tag: Self.tag)
        guard let read = IndexSnapshot.decode(bytes, taxonomy: ScenarioTests.data.taxonomy, tag: Self.tag) else {
            Issue.record("the snapshot of \(built.count) entries (\(bytes.count) bytes) was not read back")
            return
        }
        #expect(read.count == built.count)
        for (a, b) in zip(built.entries, read.entries) {
            #expect(a.id == b.id && a.name == b.name && a.kind == b.kind && a.needsMask == b.needsMask && a.declaredMask == b.declaredMask)
            #expect(a.audiences == b.audiences && a.modalities == b.modalities && a.latitude == b.latitude && a.longitude == b.longitude)
            #expect(a.remote == b.remote && a.status == b.status && a.stale == b.stale && a.demo == b.demo && a.byAppointment == b.byAppointment)
            #expect(a.verifiedDay == b.verifiedDay && a.teamVerifiedDay == b.teamVerifiedDay && a.schedule == b.schedule && a.scheduleID == b.scheduleID)
            #expect(a.sessions == b.sessions && a.zone == b.zone && a.precision == b.precision && a.languages == b.languages)
        }
        #expect(read.accessBits == built.accessBits && read.idRanks == built.idRanks && read.grid == built.grid && read.remote == built.remote)
        #expect(read.entries.contains { !$0.sessions.isEmpty } && read.entries.contains { $0.schedule != nil } && read.entries.contains { $0.remote })
        let one = ReferralEngine(index: built, emergencyLines: ScenarioTests.data.emergency)
        let other = ReferralEngine(index: read, emergencyLines: ScenarioTests.data.emergency)
        var asked = 0
        for need in ScenarioTests.data.taxonomy.needs.map(\.id) {
            for audience in [Audience.personne, .proche] {
                for place in ["21000", "75011", "06000", "31000", "13001", "69003", "97400", "59000", "57000", "35000"] {
                    guard case .point(let p, _, _) = ScenarioTests.data.gazetteer.lookup(place) else { continue }
                    for within in [nil, 7] {
                        let q = ReferralQuestion(needs: [need], audience: audience, origin: p, radiusKm: 50, now: ScenarioTests.referenceNow, withinDays: within)
                        #expect("\(one.answer(q))" == "\(other.answer(q))", "\(need) \(audience) \(place) \(within ?? -1)")
                        asked += 1
                    }
                }
            }
        }
        #expect(asked > 100)
    }

    /// A snapshot of several blocks (a block is 65,536 entries, decoded on its own core with its
    /// columns, grid cells and remote entries): read back, every table of the index is the one
    /// the build made — the blocks joined in order give what one pass gives.
    @Test func aSnapshotOfSeveralBlocksReadsBackToTheSameTables() throws {
        let kinds: [Kind] = [.gem, .association_usagers, .ligne_ecoute, .groupe_parole, .ressource_en_ligne, .mdu_permanence]
        let needs = ScenarioTests.data.taxonomy.needs.map(\.id)
        var listings: [IndexListing] = []
        for i in 0..<(IndexSnapshot.blockSize * 2 + 1_234) {
            let kind = kinds[i % kinds.count]
            // Places over France, and some in cells shared across blocks.
            let lat = 42.5 + Double((i * 7919) % 8_000) / 1_000, lon = -4.5 + Double((i * 104_729) % 12_000) / 1_000
            var c = ListingContent(
                name: "Lieu \(i)", kind: kind, status: i % 97 == 0 ? .temporarily_closed : .active, audiences: i % 3 == 0 ? [.proche] : [.personne],
                modalities: kind.isRemote ? [.telephone] : [.sur_place], point: kind.isRemote ? nil : GeoPoint(latitude: lat, longitude: lon))
            c.needs = [needs[i % needs.count]]
            listings.append(IndexListing(id: String(format: "l%07d", (i * 48_271) % 1_000_003), content: c, stale: i % 101 == 0, demo: false, lastVerified: i % 5 == 0 ? "2026-11-01" : nil))
        }
        let built = ReferralIndex(taxonomy: ScenarioTests.data.taxonomy, listings: listings)
        let read = try #require(IndexSnapshot.decode(IndexSnapshot.encode(built, tag: Self.tag), taxonomy: ScenarioTests.data.taxonomy, tag: Self.tag))
        #expect(read.count == built.count && built.count > 2 * IndexSnapshot.blockSize)
        #expect(read.needsMasks == built.needsMasks && read.declaredMasks == built.declaredMasks && read.audienceBits == built.audienceBits)
        #expect(read.modalityBits == built.modalityBits && read.accessBits == built.accessBits && read.latitudes == built.latitudes)
        #expect(read.longitudes == built.longitudes && read.remotes == built.remotes && read.kindIndices == built.kindIndices)
        #expect(read.penalties == built.penalties && read.verifiedDays == built.verifiedDays && read.idRanks == built.idRanks)
        #expect(read.grid == built.grid && read.remote == built.remote)
        func cells(_ x: ReferralIndex) -> [[Float]] { x.beyondCells.map { [$0.minLatitude, $0.maxLatitude, $0.minLongitude, $0.maxLongitude] + $0.entries.map(Float.init) } }
        #expect(cells(read) == cells(built) && built.beyondCells.count > 100)
        #expect(read.remoteByNeed.map { $0.map(\.entries) } == built.remoteByNeed.map { $0.map(\.entries) })
    }

    @Test func anotherStoreAnotherVersionOrOtherNeedsAreNotThisIndex() async throws {
        guard SharedData.requireShared() else { return }
        let built = try await Self.fixtures.value
        let bytes = IndexSnapshot.encode(built, tag: Self.tag)
        let taxonomy = ScenarioTests.data.taxonomy
        #expect(IndexSnapshot.tag(of: bytes) == Self.tag)
        #expect(IndexSnapshot.decode(bytes, taxonomy: taxonomy, tag: .init(store: 43, dataVersion: 7)) == nil)
        #expect(IndexSnapshot.decode(bytes, taxonomy: taxonomy, tag: .init(store: 42, dataVersion: 8)) == nil)
        var fewer = taxonomy
        fewer.needs.removeLast()
        #expect(IndexSnapshot.decode(bytes, taxonomy: fewer, tag: Self.tag) == nil)
    }

    /// The fuzz target's seed is a whole index of this version (else the fuzzer would only ever
    /// see refused bytes). When the format or the needs change, write it again: `relais serve`
    /// on the demonstration data, one referral, then copy `relais.sqlite.index` to
    /// `Fuzz/seeds/index-snapshot/demonstration.index`.
    @Test func theFuzzSeedIsAWholeIndex() throws {
        let url = SharedData.projectRoot.appendingPathComponent("Fuzz/seeds/index-snapshot/demonstration.index")
        let bytes = [UInt8](try Data(contentsOf: url))
        let tag = try #require(IndexSnapshot.tag(of: bytes))
        let index = IndexSnapshot.decode(bytes, taxonomy: ScenarioTests.data.taxonomy, tag: tag)
        #expect((index?.count ?? 0) >= 40)
    }

    /// What a process killed while writing the index left beside it goes at the next write, once
    /// that process is gone and the file is an hour old; nothing else is touched.
    @Test func halfWrittenIndexFilesOfKilledProcessesAreSweptAway() throws {
        let dir = SharedData.temporaryDirectory("index-sweep")
        let fm = FileManager.default
        let path = dir.appendingPathComponent("relais.sqlite.index").path
        func file(_ name: String, hoursAgo: Double) throws -> String {
            let p = dir.appendingPathComponent(name).path
            try Data("x".utf8).write(to: URL(fileURLWithPath: p))
            try fm.setAttributes([.modificationDate: Date().addingTimeInterval(-hoursAgo * 3600)], ofItemAtPath: p)
            return p
        }
        let dead = try file("relais.sqlite.index.2147483646-17.tmp", hoursAgo: 2)
        let recent = try file("relais.sqlite.index.2147483646-18.tmp", hoursAgo: 0.1)
        let mine = try file("relais.sqlite.index.\(ProcessInfo.processInfo.processIdentifier)-19.tmp", hoursAgo: 2)
        let index = try file("relais.sqlite.index", hoursAgo: 2)
        let other = try file("other.sqlite.index.2147483646-1.tmp", hoursAgo: 2)
        IndexCache.sweep(beside: path)
        #expect(!fm.fileExists(atPath: dead))
        #expect([recent, mine, index, other].allSatisfy { fm.fileExists(atPath: $0) })
    }

    /// Cut anywhere or changed anywhere: nil or an index, never a trap; cut, always nil.
    @Test func brokenSnapshotsAreRefusedWithoutATrap() async throws {
        guard SharedData.requireShared() else { return }
        let built = try await Self.fixtures.value
        let bytes = IndexSnapshot.encode(built, tag: Self.tag)
        let taxonomy = ScenarioTests.data.taxonomy
        let cuts = Array(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 400))) + Array(max(0, bytes.count - 40)..<bytes.count)
        for n in cuts { #expect(IndexSnapshot.decode(Array(bytes.prefix(n)), taxonomy: taxonomy, tag: Self.tag) == nil, "cut at \(n)") }
        #expect(IndexSnapshot.decode(bytes + [0], taxonomy: taxonomy, tag: Self.tag) == nil)
        var random = SeededRandom(seed: 7)
        for _ in 0..<300 {
            var changed = bytes
            let i = Int(random.next() % UInt64(changed.count))
            changed[i] = UInt8(truncatingIfNeeded: random.next())
            _ = IndexSnapshot.decode(changed, taxonomy: taxonomy, tag: Self.tag)
        }
    }

    /// A file whose schedules or sessions say what no reader makes (a month 13, a weekday 9, a
    /// minute past the day) is not used: the engine would evaluate and spell them (the fuzzer
    /// found « month 13 » reaching the French date names: Fuzz/regressions/index-snapshot/).
    @Test func impossibleDatesAndHoursInAFileAreRefused() async throws {
        guard SharedData.requireShared() else { return }
        let built = try await Self.fixtures.value
        let bytes = IndexSnapshot.encode(built, tag: Self.tag)
        let taxonomy = ScenarioTests.data.taxonomy
        #expect(IndexSnapshot.decode(bytes, taxonomy: taxonomy, tag: Self.tag) != nil)
        // Same length, so every blob's length still holds and the JSON still parses: only the value is wrong.
        for (key, digits, wrong) in [("month", 2, "13"), ("weekday", 1, "9"), ("minutes", 4, "9999")] {
            guard let changed = replacingNumber(key, digits: digits, with: wrong, in: bytes) else {
                Issue.record("no \(digits)-digit \(key) in the fixtures' index")
                continue
            }
            #expect(IndexSnapshot.decode(changed, taxonomy: taxonomy, tag: Self.tag) == nil, "\(key) \(wrong)")
        }
        // And the French date of a date that cannot exist is digits, not a trap.
        #expect(FrenchFormat.date(LocalDate(year: 2026, month: 13, day: 1)) == "2026-13-01")
        #expect(IndexSnapshot.isSound(LocalDate(year: 2026, month: 2, day: 28)) && !IndexSnapshot.isSound(LocalDate(year: 2026, month: 2, day: 29)))
        #expect(!IndexSnapshot.isSound(LocalDate(year: Int.max, month: 1, day: 1)))
    }

    /// `bytes` with the first `"key":` number of exactly `digits` digits written `wrong` instead.
    func replacingNumber(_ key: String, digits: Int, with wrong: String, in bytes: [UInt8]) -> [UInt8]? {
        let pattern = Array("\"\(key)\":".utf8)
        let isDigit = { (b: UInt8) in b >= 48 && b <= 57 }
        var i = 0
        while i + pattern.count + digits < bytes.count {
            if bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                let start = i + pattern.count
                if bytes[start..<(start + digits)].allSatisfy(isDigit), !isDigit(bytes[start + digits]) {
                    var out = bytes
                    out.replaceSubrange(start..<(start + digits), with: Array(wrong.utf8))
                    return out
                }
            }
            i += 1
        }
        return nil
    }

    /// Through the app: the second start over the same store reads the index back; a change of
    /// data, or another store at the same path, builds it again.
    @Test func aRestartReadsTheIndexBackUnlessTheDataChanged() async throws {
        guard SharedData.requireShared() else { return }
        let dir = SharedData.temporaryDirectory("snapshot")
        let db = dir.appendingPathComponent("s.sqlite").path
        let csv = dir.appendingPathComponent("gems.csv")
        try "nom;type;adresse;cp;ville\nGEM La Passerelle;gem;2 rue des Écoles;41000;Blois\nGEM Le Phare;gem;5 quai Saint-Jean;41000;Blois\n".write(to: csv, atomically: true, encoding: .utf8)
        let home = RelaisHome(root: SharedData.projectRoot)
        let manifest = Manifest(id: "gems", title: "gems", url: csv.absoluteString, format: .csv, fields: ["name": "nom", "kind": "type", "street": "adresse", "postal_code": "cp", "commune": "ville"])
        func start() async throws -> RelaisContext { try await RelaisContext.open(db: db, home: home) }
        func waitForFile(_ version: Int) async throws -> Bool {
            for _ in 0..<200 {
                if let d = FileManager.default.contents(atPath: db + ".index"), IndexSnapshot.tag(of: [UInt8](d))?.dataVersion == Int64(version) { return true }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            return false
        }
        let first = try await start()
        #expect(await first.importer.run(manifest).status == .success)
        let count = try await first.index.index().count
        #expect(await first.index.origin == .built)
        #expect(try await waitForFile(try await first.store.dataVersion()))

        let second = try await start()
        #expect(try await second.index.index().count == count)
        #expect(await second.index.origin == .snapshot)
        let firstVersionFile = try #require(FileManager.default.contents(atPath: db + ".index"))

        // A change: the running process builds the new index and writes it in place of the file.
        try "nom;type;adresse;cp;ville\nGEM La Passerelle;gem;2 rue des Écoles;41000;Blois\nGEM Le Grand Phare;gem;5 quai Saint-Jean;41000;Blois\n"
            .write(to: csv, atomically: true, encoding: .utf8)
        #expect(await second.importer.run(manifest).status == .success)
        // (the running process answers from its previous index while the new one is built)
        var renamed = false
        for _ in 0..<250 where !renamed {
            renamed = try await second.index.index().entries.contains { $0.name == "GEM Le Grand Phare" }
            if !renamed { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        #expect(renamed)
        let changedVersion = try await second.store.dataVersion()
        #expect(try await waitForFile(changedVersion))
        let third = try await start()
        #expect(try await third.index.index().entries.contains { $0.name == "GEM Le Grand Phare" })
        #expect(await third.index.origin == .snapshot)

        // The file of an earlier version of this store (the data moved on after it was written, as
        // when `serve` imports its bundled sources at a start): it answers at once, while the
        // current index is built; that one then answers, and is written in its place.
        try firstVersionFile.write(to: URL(fileURLWithPath: db + ".index"))
        let fourth = try await start()
        // (the earlier name: the file's index; the build, a few milliseconds here, may already be done after it)
        #expect(try await fourth.index.index().entries.contains { $0.name == "GEM Le Phare" })
        var rebuilt = false
        for _ in 0..<250 where !rebuilt {
            rebuilt = try await fourth.index.index().entries.contains { $0.name == "GEM Le Grand Phare" }
            if !rebuilt { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        #expect(rebuilt)
        #expect(await fourth.index.origin == .built)
        #expect(try await waitForFile(changedVersion))
        // A file from the future of this store (a store restored from a backup) is not its data.
        let written = [UInt8](try #require(FileManager.default.contents(atPath: db + ".index")))
        let writtenTag = try #require(IndexSnapshot.tag(of: written))
        let index = try #require(IndexSnapshot.decode(written, taxonomy: ScenarioTests.data.taxonomy, tag: writtenTag))
        let future = IndexSnapshot.encode(index, tag: .init(store: writtenTag.store, dataVersion: Int64(changedVersion + 1)))
        try Data(future).write(to: URL(fileURLWithPath: db + ".index"))
        let fifth = try await start()
        #expect(try await fifth.index.index().entries.contains { $0.name == "GEM Le Grand Phare" })
        #expect(await fifth.index.origin == .built)

        // Another store at the same path, with an index file of the first store at its very data
        // version: not its index.
        let oldIndex = try await third.index.index()
        let oldIdentity = try #require(try await third.store.storeIdentity())
        for suffix in ["", "-wal", "-shm", ".index"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let fresh = try await start()
        #expect(await fresh.importer.run(manifest).status == .success)
        let freshVersion = try await fresh.store.dataVersion()
        #expect(try await fresh.store.storeIdentity() != oldIdentity)
        try await Task.sleep(nanoseconds: 200_000_000)  // (no index written: none was built)
        try Data(IndexSnapshot.encode(oldIndex, tag: .init(store: oldIdentity, dataVersion: Int64(freshVersion)))).write(to: URL(fileURLWithPath: db + ".index"))
        let again = try await start()
        #expect(try await again.index.index().entries.contains { $0.name == "GEM Le Grand Phare" })
        #expect(await again.index.origin == .built)
    }
}
