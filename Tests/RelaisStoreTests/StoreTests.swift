import Foundation
import RelaisModel
import RelaisStore
import RelaisTestSupport
import Testing

/// The SQLite store on a real temporary file.
@Suite struct StoreTests {
    let store: SQLiteStore
    let path: String

    init() throws {
        path = SharedData.temporaryDirectory("store").appendingPathComponent("relais.sqlite").path
        store = try SQLiteStore(path: path)
    }

    func importBatch(_ drafts: [ListingDraft], source: String = "test") throws -> RunRecord {
        let reg = SourceRegistration(id: source, title: source, url: "file:///x", format: "csv")
        let id = try store.beginRun(source: reg, trigger: "test", at: Date())
        return try store.applyRun(id, batch: ImportBatch(source: reg, drafts: drafts), at: Date())
    }

    func draft(_ key: String, _ name: String, kind: Kind = .gem, commune: String = "Dijon", description: String? = nil) -> ListingDraft {
        ListingDraft(key: key, content: ListingContent(name: name, kind: kind, description: description, address: Address(postalCode: "21000", commune: commune, insee: "21231", departement: "21")))
    }

    /// Pages read forwards and backwards (the last pages) join into one ordered list, with
    /// every filter.
    @Test func everyPageAtBoundedCostAndInOrder() throws {
        var drafts: [ListingDraft] = []
        for i in 0..<47 {
            drafts.append(draft("k\(i)", "GEM \(["Alpha", "beta", "Gamma", "delta"][i % 4]) \(i)", kind: i % 3 == 0 ? .clubhouse : .gem))
        }
        _ = try importBatch(drafts)
        for (kind, expected) in [(nil as Kind?, 47), (.clubhouse, 16), (.gem, 31)] {
            let all = try store.search(SearchQuery(kind: kind, page: 1, perPage: 100)).listings.map(\.id)
            #expect(all.count == expected)
            var paged: [String] = []
            for p in 1...10 {
                let page = try store.search(SearchQuery(kind: kind, page: p, perPage: 7))
                #expect(page.totalItems == expected)
                paged += page.listings.map(\.id)
            }
            #expect(paged == all, "kind \(String(describing: kind))")
        }
        let names = try store.search(SearchQuery(page: 1, perPage: 100)).listings.map { $0.content.name.lowercased() }
        #expect(names == names.sorted())
        // Past the end: nothing, at no cost.
        #expect(try store.search(SearchQuery(need: "isolement", page: 90_000, perPage: 10)).listings.isEmpty)
    }

    /// Ligatures, typographic apostrophes and dashes fold the same way in the index and the query.
    @Test func fullTextSearchFoldsLigaturesAndTypography() throws {
        _ = try importBatch([
            draft("1", "Frères et sœurs de Fort-de-France"),
            draft("2", "Café « Cœur à cœur »", kind: .groupe_parole),
            draft("3", "Ex æquo – L’Œuvre des familles", kind: .association_familles),
        ])
        func names(_ q: String) throws -> [String] { try store.search(SearchQuery(text: q)).listings.map(\.content.name) }
        for q in ["soeurs", "sœurs", "SŒURS", "SOEURS", "Frères et sœurs"] { #expect(try names(q) == ["Frères et sœurs de Fort-de-France"], "\(q)") }
        #expect(try names("coeur") == ["Café « Cœur à cœur »"])
        #expect(try names("cœur à cœur") == ["Café « Cœur à cœur »"])
        #expect(try names("oeuvre") == ["Ex æquo – L’Œuvre des familles"])
        #expect(try names("l'oeuvre") == ["Ex æquo – L’Œuvre des familles"])
        #expect(try names("aequo") == ["Ex æquo – L’Œuvre des familles"])
        #expect(try store.integrityProblems().isEmpty)
    }

    @Test func fullTextSearchFoldsAccentsCaseAndPrefixes() throws {
        _ = try importBatch([
            draft("1", "GEM Entraide et Partage"),
            draft("2", "Maison des usagers de l’hôpital Sainte-Anne", kind: .mdu_permanence, commune: "Paris"),
            draft("3", "Groupe de parole des proches", kind: .groupe_parole, description: "Échanges entre familles"),
        ])
        func names(_ q: String) throws -> [String] { try store.search(SearchQuery(text: q)).listings.map(\.content.name) }
        #expect(try names("entraide") == ["GEM Entraide et Partage"])
        #expect(try names("ENTRAÎDE") == ["GEM Entraide et Partage"])
        #expect(try names("Sainte Anne") == ["Maison des usagers de l’hôpital Sainte-Anne"])
        #expect(try names("hopital") == ["Maison des usagers de l’hôpital Sainte-Anne"])
        #expect(try names("entrai") == ["GEM Entraide et Partage"])
        #expect(try names("entr").count == 2)  // "Entraide" and "entre"
        #expect(try names("echanges familles") == ["Groupe de parole des proches"])
        #expect(try names("groupe de parole") == ["Groupe de parole des proches"])
        #expect(try names("introuvable").isEmpty)
        // A query of symbols only is no query: every listing.
        #expect(try store.search(SearchQuery(text: "\"*(")).totalItems == 3)
    }

    @Test func fullTextIndexFollowsUpdatesAndRemovals() throws {
        _ = try importBatch([draft("1", "GEM Entraide et Partage"), draft("2", "GEM Le Phare"), draft("3", "GEM La Boussole")])
        func names(_ q: String) throws -> [String] { try store.search(SearchQuery(text: q, includeStale: true)).listings.map(\.content.name) }
        // Renamed, dropped by its source (stale, then removed), and removed by an admin.
        let run = try importBatch([draft("1", "GEM Entraide Solidaire"), draft("3", "GEM La Boussole")])
        #expect(run.updated == 1 && run.stale == 1)
        #expect(try names("partage").isEmpty)
        #expect(try names("solidaire") == ["GEM Entraide Solidaire"])
        #expect(try names("phare") == ["GEM Le Phare"])
        for _ in 0..<3 { _ = try importBatch([draft("1", "GEM Entraide Solidaire"), draft("3", "GEM La Boussole")]) }
        #expect(try names("phare").isEmpty)
        let boussole = try #require(try store.search(SearchQuery(text: "boussole")).listings.first)
        try store.remove(serviceID: boussole.id, author: "test", at: Date())
        #expect(try names("boussole").isEmpty)
        #expect(try store.integrityProblems() == [])
        // An index out of step with the listings is reported, and rebuilt from them.
        try store.rebuildFullTextIndex()
        #expect(try store.integrityProblems() == [])
        #expect(try names("solidaire") == ["GEM Entraide Solidaire"])
    }

    @Test func aFeedIsTakenInChunkOrderWhateverTheArrivalOrder() throws {
        let reg = SourceRegistration(id: "feed", title: "feed", url: "file:///x", format: "csv")
        let feed = DraftFeed()
        // Chunk 1 arrives first; the duplicate key "a" of chunk 1 must lose to chunk 0's.
        let producer = Thread {
            feed.add([draft("a", "GEM Second"), draft("c", "GEM Trois")], chunk: 1)
            Thread.sleep(forTimeInterval: 0.05)
            feed.add([draft("a", "GEM Premier"), draft("b", "GEM Deux")], chunk: 0)
            feed.finish(chunks: 2, verdict: .apply(issues: []))
        }
        producer.start()
        let id = try store.beginRun(source: reg, trigger: "test", at: Date())
        let run = try store.applyRun(id, source: reg, feed: feed, expectedRecords: 4, httpStatus: nil, etag: nil, lastModified: nil, at: Date())
        #expect(run.added == 3 && run.records == 3)
        #expect(try store.search(SearchQuery(text: "premier")).totalItems == 1)
        #expect(try store.search(SearchQuery(text: "second")).totalItems == 0)

        // A refusal decided after the drafts were written rolls every one of them back.
        let before = try store.listingCount()
        let refused = DraftFeed()
        refused.add([draft("d", "GEM Quatre")], chunk: 0)
        refused.finish(chunks: 1, verdict: .refuse(message: "trop de lignes rejetées", issues: []))
        let id2 = try store.beginRun(source: reg, trigger: "test", at: Date())
        #expect(throws: RunNotApplied.self) {
            try store.applyRun(id2, source: reg, feed: refused, expectedRecords: 1, httpStatus: nil, etag: nil, lastModified: nil, at: Date())
        }
        #expect(try store.listingCount() == before)
        #expect(try store.search(SearchQuery(text: "quatre")).totalItems == 0)
    }

    @Test func filtersAndPagesLikeHSDS() throws {
        _ = try importBatch((1...25).map { draft("k\($0)", "GEM numéro \($0)") } + [draft("f", "Unafam 21", kind: .association_familles)])
        let p1 = try store.search(SearchQuery(kind: .gem, page: 1, perPage: 10))
        #expect(p1.totalItems == 25 && p1.totalPages == 3 && p1.listings.count == 10)
        let p3 = try store.search(SearchQuery(kind: .gem, page: 3, perPage: 10))
        #expect(p3.listings.count == 5)
        #expect(try store.search(SearchQuery(departement: "21")).totalItems == 26)
        #expect(try store.search(SearchQuery(departement: "75")).totalItems == 0)
    }

    @Test func migrationsAreNamedAndIdempotent() throws {
        _ = try importBatch([draft("1", "GEM Un")])
        // Reopening the same file runs no migration twice and keeps the data.
        let again = try SQLiteStore(path: path)
        #expect(try again.listingCount() == 1)
    }

    @Test func aFailedRunIsRecordedAndChangesNothing() throws {
        _ = try importBatch([draft("1", "GEM Un")])
        let reg = SourceRegistration(id: "test", title: "test", url: "file:///x", format: "csv")
        let id = try store.beginRun(source: reg, trigger: "test", at: Date())
        let run = try store.finishRun(id, status: .failed, message: "HTTP status 500", httpStatus: 500, issues: [], at: Date())
        #expect(run.status == .failed && run.httpStatus == 500)
        #expect(try store.listingCount() == 1)
        let state = try #require(try store.source(id: "test"))
        #expect(state.consecutiveFailures == 1 && state.lastError == "HTTP status 500")
        #expect(state.lastRun?.id == id)
    }
}
