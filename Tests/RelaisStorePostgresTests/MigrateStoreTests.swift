import Foundation
import RelaisApp
import RelaisMerge
import RelaisModel
import RelaisStore
import RelaisStoreContract
import RelaisStoreSQLite
import Testing
@testable import RelaisStorePostgres

/// `relais migrate-store`: a SQLite store with something in every table, copied into a fresh
/// PostgreSQL database, must read back the same through the store's own protocols; a target
/// with data is refused (nothing written) unless replaced; a copy altered afterwards is caught.
@Suite(.enabled(if: postgresURL != nil, "RELAIS_TEST_POSTGRES is not set (scripts/postgres.sh start)"), .serialized)
struct MigrateStoreTests {
    /// Whole seconds: stores keep timestamps to the second.
    static let t0 = Date(timeIntervalSince1970: 1_796_000_000)

    static func registration(_ id: String, priority: Int = 0) -> SourceRegistration {
        SourceRegistration(id: id, title: "Source \(id)", url: "file:///\(id).csv", format: "csv", priority: priority)
    }

    static func draft(_ key: String, _ name: String, kind: Kind = .gem, commune: String = "Dijon", description: String? = nil, phone: String? = nil) -> ListingDraft {
        var content = ListingContent(
            name: name, kind: kind, description: description, phones: phone.map { [Phone($0)] } ?? [],
            address: Address(postalCode: "21000", commune: commune, insee: "21231", departement: "21"))
        content.point = GeoPoint(latitude: 47.3220 + Double(key.count) * 0.001, longitude: 5.0415)
        return ListingDraft(key: key, content: content)
    }

    @discardableResult
    static func run(_ store: any DirectoryStore, _ drafts: [ListingDraft], source: String, priority: Int = 0, at: Date) async throws -> RunRecord {
        let reg = registration(source, priority: priority)
        let id = try await store.beginRun(source: reg, trigger: "test", at: at, owner: nil)
        return try await store.applyRun(id, batch: ImportBatch(source: reg, drafts: drafts), at: at)
    }

    /// A SQLite store with rows in every table the copy knows.
    static func filledStore(in dir: URL) async throws -> SQLiteStore {
        let sqlite = try SQLiteStore(path: dir.appendingPathComponent("source.sqlite").path)
        let store: any DirectoryStore = sqlite
        var t = t0
        func next() -> Date {
            t = t.addingTimeInterval(61)
            return t
        }
        try await run(store, [
            ListingDraft(key: "full", content: StoreContract.fullContent()),
            draft("1", "GEM Le Phare", phone: "+33380000001"),
            draft("2", "Groupe d’entraide « Sœurs » de Dijon", description: "Café-rencontre, l’après-midi"),
            draft("3", "GEM Trois", commune: "Beaune"),
            draft("4", "Ligne d’écoute Écoute-Famille", kind: .ligne_ecoute, phone: "+33142634703"),
        ], source: "annuaire", at: next())
        var twin = draft("x", "GEM Le Phare", phone: "+33380000001")
        twin.content.website = "https://lephare.example.org"
        try await run(store, [twin], source: "carte", priority: 10, at: next())
        // Renames one, loses another (stale), an issue per rejected row.
        try await run(store, [ListingDraft(key: "full", content: StoreContract.fullContent()), draft("1", "GEM Le Phare renommé", phone: "+33380000001"),
                              draft("2", "Groupe d’entraide « Sœurs » de Dijon", description: "Café-rencontre, l’après-midi"),
                              draft("4", "Ligne d’écoute Écoute-Famille", kind: .ligne_ecoute, phone: "+33142634703")],
                      source: "annuaire", at: next())
        let failed = try await store.beginRun(source: registration("carte", priority: 10), trigger: "cron", at: next(), owner: "host:42")
        _ = try await store.finishRun(failed, status: .failed, message: "HTTP 503", httpStatus: 503, issues: [
            RunIssue(item: "ligne 2", field: "telephone", reason: "numéro illisible", severity: .rejected),
            RunIssue(item: nil, field: nil, reason: "fichier tronqué", severity: .warning),
        ], at: next())
        let listings = try await store.allListings(includeHidden: true)
        let phare = try #require(listings.first { $0.content.name.hasPrefix("GEM Le Phare") })
        let trois = try #require(listings.first { $0.content.name == "GEM Trois" })
        try await store.curate(serviceID: phare.id, field: "phones", value: JSONValue.encode([Phone("+33380000002")]), author: "alice", at: next())
        try await store.curate(serviceID: phare.id, field: "languages", value: .array([.string("fr"), .string("ar")]), author: "alice", at: next())
        try await store.markVerified(serviceID: phare.id, author: "alice", at: next())
        try await store.setHidden(serviceID: trois.id, hidden: true, author: "alice", at: next())
        let alice = try await store.addAdmin(name: "alice", passwordHash: "scrypt$17$8$1$c2VsCg$aGFzaAo", at: next())
        _ = try await store.addAdmin(name: "bob", passwordHash: nil, at: next())
        try await store.addToken(userID: alice.id, label: "ci", prefix: "rlx_abcd", hash: "tokenhash", at: next())
        let now = next()
        try await store.createSession(idHash: "sessionhash", userID: alice.id, csrf: "csrf-token", at: now, expires: now.addingTimeInterval(86_400))
        try await store.audit(actor: "alice", action: "listing.hide", target: trois.id, detail: "doublon", at: next())
        try await store.auditAggregated(actor: "anonyme", action: "report.limited", at: next())
        _ = try await store.admitLoginAttempt(
            [LoginThrottleRule(key: "ip:hash", freeFailures: 3, maxDelay: 60)], policy: LoginThrottlePolicy(forgetAfter: 3_600, knownClientFor: 86_400),
            actor: "alice", at: next())
        try await store.loginSucceeded(keys: ["ip:hash"], pair: "pair:hash", at: next())
        let windows = [RateWindow(key: "client:x", limit: 5, seconds: 600)]
        _ = try await store.addReport(serviceID: phare.id, field: "phones", message: "Le numéro ne répond plus", suggestedValue: "+33380000003",
                                      contactEmail: "x@example.org", windows: windows, at: next())
        _ = try await store.addReport(serviceID: phare.id, field: nil, message: "Fermé le lundi", suggestedValue: nil, contactEmail: nil, windows: windows, at: next())
        let first = try #require(try await store.reports(status: "open", limit: 10).last)
        try await store.resolveReport(id: first.id, status: "accepted", by: "alice", at: next())
        try await store.replaceGeoCommunes([
            Commune(insee: "21231", name: "Dijon", postalCodes: ["21000"], centroid: GeoPoint(latitude: 47.3220, longitude: 5.0415)),
            Commune(insee: "21054", name: "Beaune", postalCodes: ["21200"], centroid: GeoPoint(latitude: 47.0260, longitude: 4.8400)),
            Commune(insee: "75056", name: "Paris", postalCodes: ["75001", "75002"], centroid: GeoPoint(latitude: 48.8566, longitude: 2.3522)),
            Commune(insee: "75101", name: "Paris 1er Arrondissement", postalCodes: ["75001"], centroid: GeoPoint(latitude: 48.8626, longitude: 2.3363)),
        ], parents: ["75101": "75056"])
        try await store.setNextRun(sourceID: "annuaire", at: next())
        return sqlite
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("relais-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// What a reader or an admin sees of a store, through its protocols.
    static func expectSameStore(_ a: any DirectoryStore, _ b: any DirectoryStore) async throws {
        let listings = try await a.allListings(includeHidden: true).sorted { $0.id < $1.id }
        #expect(listings.count >= 5)
        #expect(try await b.allListings(includeHidden: true).sorted { $0.id < $1.id } == listings)
        #expect(try await b.listingCount() == a.listingCount())
        for text in ["phare", "soeurs", "SŒURS", "ecoute famille", "gem", "dijon", "passage pairs"] {
            let q = SearchQuery(text: text, includeStale: true, includeHidden: true)
            let expected = try await a.search(q).listings.map(\.id)
            #expect(try await b.search(q).listings.map(\.id) == expected, "search « \(text) »")
        }
        #expect(try await b.search(SearchQuery(text: "phare")).listings.map(\.id) == a.search(SearchQuery(text: "phare")).listings.map(\.id))
        let runs = try await a.runs(sourceID: nil, limit: 100)
        #expect(runs.count == 4)
        #expect(try await b.runs(sourceID: nil, limit: 100) == runs)
        for run in runs { #expect(try await b.issues(runID: run.id) == a.issues(runID: run.id)) }
        #expect(try await a.issues(runID: runs[0].id).count == 2)
        #expect(try await b.sources() == a.sources())
        // (As sets: the « added » entries of one run tie on time and id, which each backend orders its own way.)
        let changes = try await a.changes(runID: nil, since: nil, until: nil, sourceID: nil, serviceID: nil, limit: 1_000)
        #expect(changes.contains { $0.action == "updated" } && changes.contains { $0.actor == "alice" })
        #expect(Set(try await b.changes(runID: nil, since: nil, until: nil, sourceID: nil, serviceID: nil, limit: 1_000)) == Set(changes))
        for listing in listings {
            let expected = try await a.curations(serviceID: listing.id).mapValues { "\($0.value)|\($0.author)|\($0.at)" }
            #expect(try await b.curations(serviceID: listing.id).mapValues { "\($0.value)|\($0.author)|\($0.at)" } == expected)
        }
        #expect(try await b.adminUsers() == a.adminUsers())
        #expect(try await b.passwordHash(name: "alice")?.hash == "scrypt$17$8$1$c2VsCg$aGFzaAo")
        let tokens = try await b.tokens(prefix: "rlx_abcd")
        #expect(tokens.map(\.hash) == ["tokenhash"] && tokens.map(\.user.name) == ["alice"])
        #expect(try await b.session(idHash: "sessionhash", now: t0.addingTimeInterval(3_600))?.csrf == "csrf-token")
        #expect(try await b.auditLog(limit: 100, actor: nil) == a.auditLog(limit: 100, actor: nil))
        #expect(try await b.loginThrottleRows() == a.loginThrottleRows())
        #expect(try await b.throttleSecret() == a.throttleSecret())
        #expect(try await b.reports(status: nil, limit: 100) == a.reports(status: nil, limit: 100))
        #expect(try await b.reportCount() == a.reportCount())
        let communes = try await a.geoCommunes()?.sorted { $0.insee < $1.insee }
        #expect(communes?.count == 4)
        #expect(try await b.geoCommunes()?.sorted { $0.insee < $1.insee } == communes)
        #expect(try await b.geoParents() == a.geoParents())
        #expect(try await b.staleListings().map(\.listing) == a.staleListings().map(\.listing))
        #expect(try await b.dataVersion() == a.dataVersion())
    }

    @Test func everythingIsCopiedAndReadsTheSame() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = try await Self.filledStore(in: dir)
        try await PostgresDatabases.withEmptyStore { pg in
            var lines: [String] = []
            let summary = try StoreCopy.migrate(from: sqlite, to: pg, replace: false) { lines.append($0) }
            #expect(summary.checks.count == StoreCopy.tables.count && summary.checks.allSatisfy { $0.matches })
            // Every table the copy knows holds rows here: none is skipped unnoticed.
            let empty = summary.checks.filter { $0.sourceRows == 0 }.map(\.table)
            #expect(empty.isEmpty, "tables left empty by the fixture: \(empty)")
            #expect(summary.sentence.contains("\(StoreCopy.tables.count) tables, \(StoreCopy.number(summary.rows)) lignes copiées et vérifiées"))
            #expect(lines.contains { $0.hasPrefix("service : ") })
            try await Self.expectSameStore(sqlite, pg)
            let (a, b): (any DirectoryStore, any DirectoryStore) = (sqlite, pg)
            // A store of its own: a new identity, the source's data version.
            let identity = try await b.storeIdentity()
            let sourceIdentity = try await a.storeIdentity()
            #expect(identity != nil && identity != sourceIdentity)
            #expect(summary.storeIdentity == identity)
            // Later inserts get new ids (the sequences were moved past the copied ones).
            let maxUser = try await a.adminUsers().map(\.id).max() ?? 0
            #expect(try await b.addAdmin(name: "carol", passwordHash: nil, at: Date()).id > maxUser)
            let maxRun = try await a.runs(sourceID: nil, limit: 100).map(\.id).max() ?? 0
            let run = try await Self.run(b, [Self.draft("5", "GEM Cinq")], source: "annuaire", at: Date())
            #expect(run.id > maxRun)
            #expect(try await b.search(SearchQuery(text: "cinq")).listings.map(\.content.name) == ["GEM Cinq"])
            try await b.audit(actor: "carol", action: "login", target: nil, detail: nil, at: Date())
            let someID = try #require(try await b.allListings(includeHidden: false).first?.id)
            _ = try await b.addReport(serviceID: someID, field: nil, message: "x", suggestedValue: nil, contactEmail: nil, windows: [], at: Date())
            let reports = try await a.reportCount()
            #expect(try await b.reportCount() == reports + 1)
        }
        // The source file was only read.
        #expect(try sqlite.integrityProblems().isEmpty)
    }

    @Test func aTargetWithDataIsRefusedUnlessReplaced() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await Self.filledStore(in: dir)
        let other = try SQLiteStore(path: dir.appendingPathComponent("other.sqlite").path)
        try await Self.run(other as any DirectoryStore, [Self.draft("9", "GEM Neuf")], source: "autre", at: Self.t0)
        try await PostgresDatabases.withEmptyStore { pg in
            _ = try StoreCopy.migrate(from: first, to: pg, replace: false)
            let b: any DirectoryStore = pg
            let version = try await b.dataVersion()
            let identity = try await b.storeIdentity()
            do {
                _ = try StoreCopy.migrate(from: other, to: pg, replace: false)
                Issue.record("a target holding listings and runs was overwritten without --replace")
            } catch let error as RelaisError {
                #expect(error.kind == .conflict)
                #expect(error.message.contains("--replace") && error.message.contains("service"))
            }
            // Nothing changed: still the first store, table for table.
            #expect(try StoreCopy.verify(source: first, target: pg).allSatisfy { $0.matches })
            #expect(try await b.dataVersion() == version)
            #expect(try await b.storeIdentity() == identity)
            // Replaced: now the other one, and only it.
            let summary = try StoreCopy.migrate(from: other, to: pg, replace: true)
            #expect(summary.checks.allSatisfy { $0.matches })
            #expect(try StoreCopy.verify(source: other, target: pg).allSatisfy { $0.matches })
            #expect(try await b.allListings(includeHidden: true).map(\.content.name) == ["GEM Neuf"])
            #expect(try await b.adminUsers().isEmpty)
            #expect(try await b.search(SearchQuery(text: "phare")).totalItems == 0)
            let otherVersion = try await (other as any DirectoryStore).dataVersion()
            #expect(try await b.dataVersion() == otherVersion)
        }
    }

    @Test func aCopyAlteredAfterwardsIsCaught() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = try await Self.filledStore(in: dir)
        try await PostgresDatabases.withEmptyStore { pg in
            _ = try StoreCopy.migrate(from: sqlite, to: pg, replace: false, batch: 2)
            func failing() throws -> [String] { try StoreCopy.verify(source: sqlite, target: pg).filter { !$0.matches }.map(\.table) }
            #expect(try failing().isEmpty)
            // One character of one listing.
            try pg.pool.write { c in _ = try c.query("UPDATE service SET name = name || '.' WHERE id = (SELECT min(id) FROM service)") }
            #expect(try failing() == ["service"])
            // NULL and "" are not the same.
            try pg.pool.write { c in _ = try c.query("UPDATE report SET field = '' WHERE id = (SELECT min(id) FROM report WHERE field IS NULL)") }
            #expect(try failing() == ["service", "report"])
            // One second of one timestamp.
            try pg.pool.write { c in _ = try c.query("UPDATE run SET started_at = started_at + interval '1 second' WHERE id = (SELECT max(id) FROM run)") }
            #expect(try failing() == ["service", "run", "report"])
            // A row lost: the count says so.
            try pg.pool.write { c in _ = try c.query("DELETE FROM geo_commune WHERE insee = '21054'") }
            let checks = try StoreCopy.verify(source: sqlite, target: pg)
            let geo = try #require(checks.first { $0.table == "geo_commune" })
            #expect(geo.sourceRows == 4 && geo.targetRows == 3 && geo.problem?.contains("4 lignes dans la source, 3 dans la cible") == true)
            // The values of the verification: the same on both sides for the tables left alone.
            #expect(checks.filter { !["service", "run", "report", "geo_commune"].contains($0.table) }.allSatisfy { $0.matches })
        }
    }

    @Test func canonicalTextAndNumbers() {
        #expect(StoreCopy.number(123_456) == "123\u{202F}456" && StoreCopy.number(7) == "7" && StoreCopy.number(1_000_000) == "1\u{202F}000\u{202F}000")
    }
}
