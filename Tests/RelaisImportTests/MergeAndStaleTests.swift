import Foundation
import RelaisApp
import RelaisMerge
@testable import RelaisSources
import RelaisStoreSQLite
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisStore
import RelaisTestSupport
import Testing

/// Identity, re-imports, stale marking, curated edits and cross-source merging,
/// on the project's own small CSV payloads (no ../shared needed).
@Suite(.serialized) struct MergeAndStaleTests {
    static let header = "Nom;Adresse;Code postal;Commune;Téléphone;Courriel;Horaires\n"
    static let rows = [
        "GEM Alpha;1 rue A;21000;Dijon;03 53 01 00 01;alpha@example.org;du lundi au vendredi de 14h à 18h",
        "GEM Beta;2 rue B;21000;Dijon;03 53 01 00 02;beta@example.org;le mardi de 10h à 12h",
        "GEM Gamma;3 rue C;69003;Lyon;04 65 71 00 03;gamma@example.org;",
    ]

    func write(_ rows: [String], to url: URL) throws {
        try Data((Self.header + rows.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    @Test func reimportChangesNothingAndAVanishedListingGoesStaleThenAway() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("gems.csv")
        try write(Self.rows, to: file)
        var m = env.manifest("gems", url: file.absoluteString, format: .csv, kind: .gem, staleAfterRuns: 2)
        let first = await env.importer.run(m)
        #expect(first.status == .success && first.added == 3)
        let snapshot = try env.snapshot()

        // Same payload (validators dropped so the file is read again): nothing changes.
        try write(Self.rows, to: file)
        let second = await env.importer.run(m)
        #expect(second.status == .success || second.status == .unchanged)
        #expect(second.added == 0 && second.updated == 0)
        #expect(try env.snapshot() == snapshot)

        // One listing removed from the source: marked stale, not deleted.
        try write(Array(Self.rows.prefix(2)), to: file)
        m.options["encoding"] = "utf-8"  // a different manifest text, same payload semantics
        let third = await env.importer.run(m)
        #expect(third.stale == 1)
        let gamma = try #require(try env.listing(named: "GEM Gamma"))
        #expect(gamma.stale)
        #expect(try env.store.changes(runID: third.id, since: nil, limit: 10).contains { $0.action == "stale" && $0.serviceID == gamma.id })
        // Still missing after `stale_after_runs` further runs: removed, and the change says so.
        try write(Array(Self.rows.prefix(2)) + ["GEM Delta;4 rue D;21000;Dijon;;;"], to: file)
        _ = await env.importer.run(m)
        #expect(try env.listing(named: "GEM Gamma") != nil)
        try write(Array(Self.rows.prefix(2)), to: file)
        let removal = await env.importer.run(m)
        #expect(removal.removed >= 1)
        #expect(try env.listing(named: "GEM Gamma") == nil)
        #expect(try env.store.changes(runID: nil, since: nil, limit: 100).contains { $0.action == "removed" && $0.serviceName == "GEM Gamma" })
    }

    @Test func aListingThatComesBackIsRestored() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("gems.csv")
        try write(Self.rows, to: file)
        let m = env.manifest("gems", url: file.absoluteString, format: .csv, kind: .gem)
        _ = await env.importer.run(m)
        let id = try #require(try env.listing(named: "GEM Gamma")).id
        try write(Array(Self.rows.prefix(2)), to: file)
        _ = await env.importer.run(m)
        #expect(try env.store.listing(id: id)?.stale == true)
        try write(Self.rows, to: file)
        _ = await env.importer.run(m)
        let back = try #require(try env.store.listing(id: id))
        #expect(!back.stale)
    }

    @Test func curatedEditsWinAndSurviveReimports() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("gems.csv")
        try write(Self.rows, to: file)
        let m = env.manifest("gems", url: file.absoluteString, format: .csv, kind: .gem)
        _ = await env.importer.run(m)
        let alpha = try #require(try env.listing(named: "GEM Alpha"))
        try env.store.curate(serviceID: alpha.id, field: "phones", value: .array([.object(["number": .string("+33353019999")])]), author: "admin", at: Date())
        try env.store.curate(serviceID: alpha.id, field: "description", value: .string("Accueil convivial."), author: "admin", at: Date())
        // The source changes its phone and hours; the curated phone stays, the new hours come in.
        var changed = Self.rows
        changed[0] = "GEM Alpha;1 rue A;21000;Dijon;03 53 01 00 11;alpha@example.org;le lundi de 9h à 12h"
        try write(changed, to: file)
        let run = await env.importer.run(m)
        #expect(run.updated == 1)
        let after = try #require(try env.store.listing(id: alpha.id))
        #expect(after.content.phones.map(\.number) == ["+33353019999"])
        #expect(after.content.description == "Accueil convivial.")
        #expect(OpeningHours.format(after.content.schedule) == "Mo 09:00-12:00")
        #expect(after.provenance["phones"]?.source == "curation")
        #expect(after.provenance["schedule"]?.source == "gems")
        #expect(throws: RelaisError.self) { try env.store.curate(serviceID: alpha.id, field: "nope", value: .string("x"), author: "admin", at: Date()) }
        #expect(throws: RelaisError.self) { try env.store.curate(serviceID: alpha.id, field: "kind", value: .string("hopital"), author: "admin", at: Date()) }
    }

    @Test func theSameResourceFromTwoSourcesIsOneListingWithBoth() async throws {
        let env = try TestEnvironment()
        let a = env.dir.appendingPathComponent("a.csv"), b = env.dir.appendingPathComponent("b.csv")
        try write([Self.rows[0]], to: a)
        // Another source: the same GEM (same phone), another e-mail, and hours.
        try write(["GEM ALPHA;1 rue A;21000;Dijon;03.53.01.00.01;contact@alpha.example.org;le mercredi de 14h à 17h"], to: b)
        _ = await env.importer.run(env.manifest("source-a", url: a.absoluteString, format: .csv, kind: .gem))
        let run = await env.importer.run(env.manifest("source-b", url: b.absoluteString, format: .csv, kind: .gem))
        #expect(run.added == 0 && run.updated == 1)  // a new record of source-b joined the existing listing
        let all = try env.all().filter { Text.fold($0.content.name) == "gem alpha" }
        #expect(all.count == 1)
        let l = try #require(all.first)
        #expect(Set(l.sources) == ["source-a", "source-b"])
        #expect(l.provenance["emails"]?.conflict == true)
        #expect(l.content.flags.contains { $0.code == "conflict" && $0.field == "emails" })
    }

    @Test func tooManyRejectedRowsRefuseTheRun() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("bad.csv")
        try write([";1 rue A;21000;Dijon;;;", ";2 rue B;21000;Dijon;;;", "GEM Ok;3 rue C;21000;Dijon;;;"], to: file)
        let run = await env.importer.run(env.manifest("bad", url: file.absoluteString, format: .csv, kind: .gem))
        #expect(run.status == .refused)
        #expect(try env.all().isEmpty)
        let tolerant = await env.importer.run(env.manifest("bad", url: file.absoluteString, format: .csv, kind: .gem, options: ["max_rejected_share": "0.9"]))
        #expect(tolerant.status == .success && tolerant.added == 1 && tolerant.rejected == 2)
    }

    @Test func manifestsAreValidatedWithClearMessages() throws {
        let ok = try Manifest.parse("id: gem-21\ntitle: GEM\nurl: file:///tmp/x.csv\nformat: csv\nschedule: \"0 3 * * 1\"\n", file: "Importers/gem-21.yml")
        #expect(ok.id == "gem-21")
        func error(_ text: String) -> String {
            do { _ = try Manifest.parse(text, file: "Importers/x.yml", environment: [:]); return "" } catch { return "\(error)" }
        }
        let base = "id: x\ntitle: X\nurl: https://example.org/x.csv\nformat: csv\nschedule: every 6h\n"
        #expect(error(base + "formt: csv\n").contains("Importers/x.yml : clé « formt » — clé inconnue"))
        #expect(error("id: x\ntitle: X\nformat: csv\nschedule: every 6h\n").contains("clé « url » — clé obligatoire absente"))
        #expect(error(base.replacingOccurrences(of: "format: csv", with: "format: xls")).contains("« format »"))
        #expect(error(base.replacingOccurrences(of: "every 6h", with: "souvent")).contains("« schedule »"))
        #expect(error(base.replacingOccurrences(of: "https://", with: "ftp://")).contains("http://, https:// ou file://"))
        #expect(error(base.replacingOccurrences(of: "id: x", with: "id: X_1")).contains("[a-z0-9-]+"))
        #expect(error(base + "kind: hopital\n").contains("« kind »"))
        #expect(error(base + "options:\n  records: items\n").contains("options.records"))
        #expect(error(base + "stale_after_runs: -1\n").contains("stale_after_runs"))
        #expect(error(base.replacingOccurrences(of: "https://example.org", with: "file://${NOPE}")).contains("${NOPE}"))
        // YAML 1.1 base-60 integers too large for Yams's arithmetic: a message, not a trap
        // (found by the manifest fuzzer: Fuzz/regressions/manifest/).
        #expect(error(base + "stale_after_runs: 888588555555555555:2\n").contains("ligne 6 : nombre trop grand"))
        #expect(error(base + "stale_after_runs: 1:0:0:0:0:0:0:0:0:0:0:0\n").contains("nombre trop grand"))
        #expect(error("888588555555555555:2").contains("nombre trop grand"))
        #expect(try Manifest.parse(base + "stale_after_runs: 1:30\n", file: "x.yml").staleAfterRuns == 90)
        #expect(Manifest.fitsSexagesimal("-1_0:59:59") && Manifest.fitsSexagesimal("153722867280912930:7") && !Manifest.fitsSexagesimal("153722867280912931:0"))
    }

    @Test func cronAndPeriods() {
        #expect(RefreshSchedule("every 6h") == .every(hours: 6))
        #expect(RefreshSchedule("every 2d") == .every(hours: 48))
        #expect(RefreshSchedule("0 3 * * 1") != nil)
        #expect(RefreshSchedule("61 3 * * 1") == nil)
        #expect(RefreshSchedule("every") == nil)
        // Every Monday at 03:00 Paris time, after Sunday 2026-11-22 12:00 UTC → Monday 2026-11-23 02:00 UTC.
        let next = Cron("0 3 * * 1")!.next(after: Date(timeIntervalSince1970: 1_795_348_800))
        #expect(next == Date(timeIntervalSince1970: 1_795_399_200))
    }

    /// A payload of several thousand rows goes through the overlapped path (records
    /// normalised in chunks while the transaction writes the previous ones).
    @Test func aLargePayloadIsWrittenWhileItIsNormalisedAndARefusalRollsItAllBack() async throws {
        let env = try TestEnvironment()
        let file = env.dir.appendingPathComponent("large.csv")
        var rows = (0..<4500).map { "GEM Grand \($0);\($0 % 90 + 1) rue A;21000;Dijon;03 53 02 \(String(format: "%02d %02d", ($0 / 100) % 100, $0 % 100));g\($0)@example.org;le mardi de 14h à 17h" }
        rows.insert("Antenne Seurre du GEM Grand 7;1 rue B;21250;Seurre;;;", at: 10)  // its parent comes later in the payload
        rows.append(rows[3000])  // an exact duplicate, several chunks apart
        try write(rows, to: file)
        let m = env.manifest("large", url: file.absoluteString, format: .csv, kind: .gem)
        let first = await env.importer.run(m)
        #expect(first.status == .success && first.added == 4501 && first.rejected == 0)
        let antenna = try #require(try env.listing(named: "Antenne Seurre du GEM Grand 7"))
        let parent = try #require(try env.listing(named: "GEM Grand 7"))
        #expect(antenna.parentID == parent.id)
        #expect(try env.store.integrityProblems() == [])
        let snapshot = try env.snapshot()

        // Same rows, two thirds of them now unreadable (no name): refused, and nothing of
        // the rows written before the verdict remains.
        var broken = rows
        for i in broken.indices where i % 3 != 0 { broken[i] = ";1 rue A;21000;Dijon;;;" }
        broken[0] = "GEM Grand renommé;1 rue A;21000;Dijon;;;"
        try write(broken, to: file)
        let refused = await env.importer.run(m)
        #expect(refused.status == .refused)
        #expect(refused.message?.contains("exécution refusée") == true)
        #expect(try env.snapshot() == snapshot)
        #expect(try env.store.runs(sourceID: "large", limit: 1).first?.status == .refused)
    }
}
