import Foundation
import RelaisApp
import RelaisModel
import RelaisSources
import RelaisStoreSQLite
import RelaisTestSupport
import Testing

/// The HSDS 3.0 API (`/hsds`), checked against the official schemas of the specification
/// (`../shared/reference/hsds-3.0`) by jsonschema, and by what a partner directory relies on.
@Suite struct HSDSTests {
    /// The server over the demonstration data and every public fixture source: the harness's
    /// three, then the MDU page, the peer platform, the partner's HSDS API and data·inclusion
    /// (those two paged, served on 127.0.0.1).
    static func everyFixture() async throws -> ServerHarness {
        let h = try await ServerHarness.make(fixtures: true)
        guard SharedData.available else { return h }
        let f = SharedData.url("fixtures")
        for (id, file, format, kind) in [("mdu", "mdu-permanences.html", SourceFormat.html, Kind?.some(.mdu_permanence)), ("peers", "peer-platform.html", .jsonld, .plateforme_pairs)] {
            _ = await h.context.importer.run(Manifest(id: id, title: id, url: f.appendingPathComponent(file).absoluteString, format: format, kind: kind))
        }
        // The conformance and fields fixtures: Outlook's calendar, overseas listings (their own
        // zones), languages and accessibility from HSDS and from a CSV.
        _ = await h.context.importer.run(Manifest(
            id: "outlook", title: "outlook", url: f.appendingPathComponent("conformance/agenda-outlook.ics").absoluteString, format: .ics, kind: .groupe_parole))
        _ = await h.context.importer.run(Manifest(
            id: "outre-mer", title: "outre-mer", url: f.appendingPathComponent("conformance/outre-mer.csv").absoluteString, format: .csv,
            options: ["encoding": "utf-8", "delimiter": ";"],
            fields: ["id": "Identifiant", "name": "Nom", "kind": "Type", "street": "Adresse", "postal_code": "Code postal", "commune": "Commune",
                     "phones": "Téléphone", "email": "Courriel", "hours": "Horaires", "audience": "Public", "needs": "Besoins", "description": "Description"]))
        _ = await h.context.importer.run(Manifest(
            id: "langues-hsds", title: "langues", url: f.appendingPathComponent("fields/hsds-langues.json").absoluteString, format: .hsds))
        _ = await h.context.importer.run(Manifest(
            id: "langues-csv", title: "langues", url: f.appendingPathComponent("fields/langues-accessibilite.csv").absoluteString, format: .csv,
            options: ["encoding": "utf-8", "delimiter": ";"],
            fields: ["id": "Identifiant", "name": "Nom", "kind": "Type", "street": "Adresse", "postal_code": "Code postal", "commune": "Commune",
                     "phones": "Téléphone", "hours": "Horaires", "languages": "Langues parlées", "accessibility": "Accessibilité"]))
        let server = try await TestHTTPServer.start(FixtureRoutes.router(serving: f))
        _ = await h.context.importer.run(Manifest(id: "di", title: "di", url: "\(server.baseURL)/di", format: .dataInclusion))
        _ = await h.context.importer.run(Manifest(id: "partner", title: "partner", url: "\(server.baseURL)/hsds/services", format: .hsds))
        await server.stop()
        return h
    }

    @Test func uuidsAreVersion5AsPythonMakesThem() {
        // uuid.uuid5 of Python's standard library (RFC 9562 §5.5).
        #expect(UUID5.make(namespace: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", name: "python.org") == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
        #expect(UUID5.make(namespace: HSDS.namespace, name: "service/r123") == "074ebf5f-2ab9-54fd-9060-9f1d61123f31")
        #expect(UUID5.make(namespace: "6ba7b811-9dad-11d1-80b4-00c04fd430c8", name: String(repeating: "é", count: 100)) == "a0117772-3f65-5000-8229-6803b8fe27df")
        #expect(UUID5.make(namespace: "pas-un-uuid", name: "x") == nil)
        #expect(HSDS.uuid("service", "r123") == "074ebf5f-2ab9-54fd-9060-9f1d61123f31")
    }

    /// Every object of every HSDS route, over the demonstration data and every public fixture
    /// source, valid against the official schemas (and the same again by its id).
    @Test func everyObjectIsValidHSDS() async throws {
        guard let python = Oracle.python() else { return }
        let schemas = SharedData.root.appendingPathComponent("reference/hsds-3.0/schema").path
        guard FileManager.default.fileExists(atPath: schemas) else {
            print("◇ skipped: \(schemas) is absent (CI has ../shared)")
            return
        }
        let h = try await Self.everyFixture()
        try await h.with { server in
            // The official schemas, then the same patched by Relais's profile (profile/schema/).
            let profile = SharedData.projectRoot.appendingPathComponent("profile").path
            for extra in [[], ["--profile", profile]] {
                let output: Result<String, any Error> = await withCheckedContinuation { done in
                    Thread { done.resume(returning: Result { try Oracle.run(python, script: Oracle.script("hsds-validate.py"), arguments: [server.baseURL, schemas] + extra) }) }.start()
                }
                switch output {
                case .success(let text):
                    #expect(text.contains("ok   /hsds/services") && text.contains("ok   /hsds/organizations"), "\(extra): \(text)")
                case .failure(let error):
                    Issue.record("\(extra): \(error)")
                }
            }
        }
    }

    @Test func servicesKeepTheirFieldsZonesAndPlaces() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { server in
            let (status, body, headers) = try await h.get(server, "/hsds/services?per_page=200")
            #expect(status == 200 && headers["access-control-allow-origin"] == "*")
            let page = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
            let services = page["contents"] as? [[String: Any]] ?? []
            #expect(services.count == page["total_items"] as? Int)
            let listings = try h.store.allListings(includeHidden: false)
            #expect(services.count == listings.count)
            for l in listings {
                guard let s = services.first(where: { $0["id"] as? String == HSDS.uuid("service", l.id) }) else {
                    Issue.record("\(l.id) missing")
                    continue
                }
                #expect(s["name"] as? String == l.content.name)
                let schedules = s["schedules"] as? [[String: Any]] ?? []
                for sch in schedules {
                    // Times carry their offset; the zone's name is an attribute.
                    if let opens = sch["opens_at"] as? String { #expect(opens.contains("+") || opens.contains("-"), "\(l.id) \(opens)") }
                    let zone = (sch["attributes"] as? [[String: Any]])?.first?["value"] as? String
                    #expect(zone == l.content.zone.identifier)
                }
                let sal = (s["service_at_locations"] as? [[String: Any]])?.first
                let address = ((sal?["location"] as? [String: Any])?["addresses"] as? [[String: Any]])?.first
                if let a = address, let dep = l.content.address?.departement {
                    // The département in state_province, by name; the région beside it.
                    #expect(a["state_province"] as? String == h.context.data.gazetteer.departement(code: dep)?.name, "\(l.id)")
                    #expect(a["region"] as? String != nil)
                }
                let kinds = (s["attributes"] as? [[String: Any]] ?? []).filter { $0["link_type"] as? String == "type" }
                #expect(kinds.count == 1 && (kinds.first?["taxonomy_term"] as? [String: Any])?["code"] as? String == l.content.kind.rawValue)
                if l.demo { #expect(body.contains(HSDS.uuid("attribute", "\(HSDS.uuid("service", l.id))/relais:etat/demonstration"))) }
            }
            // A service by its UUID and by its Relais id; a service at a location by its UUID.
            let l = try #require(listings.first)
            #expect(try await h.get(server, "/hsds/services/\(HSDS.uuid("service", l.id))").0 == 200)
            #expect(try await h.get(server, "/hsds/services/\(l.id)").0 == 200)
            #expect(try await h.get(server, "/hsds/service_at_locations/\(HSDS.uuid("service_at_location", l.id))").0 == 200)
            #expect(try await h.get(server, "/hsds/services/\(HSDS.uuid("service", "inconnu"))").0 == 404)
        }
    }

    @Test func parametersFilterOrAreRefusedInFrench() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { server in
            func total(_ query: String) async throws -> Int? {
                let (status, body, _) = try await h.get(server, "/hsds/services?\(query)")
                guard status == 200 else { return nil }
                return (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["total_items"] as? Int
            }
            let all = try #require(try await total("per_page=1"))
            let gem = HSDS.uuid("taxonomy_term", "relais:type/gem")
            let gems = try #require(try await total("taxonomy_term_id=\(gem)"))
            #expect(gems > 0 && gems < all)
            #expect(try await total("modified_after=2999-01-01") == 0)
            #expect(try await total("modified_after=2000-01-01T00:00:00Z") == all)
            let searched = try #require(try await total("search=entraide"))
            #expect(searched > 0 && searched < all)
            for bad in ["tri=nom", "per_page=0", "modified_after=hier", "postcode=75", "format=xml", "taxonomy_term_id=\(HSDS.uuid("taxonomy_term", "x/y"))", "proximity=1"] {
                let (status, body, headers) = try await h.get(server, "/hsds/services?\(bad)")
                #expect(status == 400, "\(bad)")
                #expect(headers["content-type"]?.hasPrefix("application/json") == true && body.contains("Paramètre"), "\(bad): \(body)")
            }
            #expect(try await h.get(server, "/hsds/inconnu").0 == 404)
        }
    }

    /// The partner directory's seven HSDS services (the public fixture), read by Relais and served
    /// again: the same names, texts, contacts, places, opening times and languages.
    @Test func partnerServicesComeBackWithTheirFields() async throws {
        guard SharedData.requireShared() else { return }
        var partner: [[String: Any]] = []
        for page in ["fixtures/hsds-services-p1.json", "fixtures/hsds-services-p2.json"] {
            let object = try JSONSerialization.jsonObject(with: try SharedData.data(page)) as? [String: Any]
            partner += object?["contents"] as? [[String: Any]] ?? []
        }
        #expect(partner.count == 7)
        let h = try await Self.everyFixture()
        try await h.with { server in
            let (_, body, _) = try await h.get(server, "/hsds/services?per_page=200")
            let ours = (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["contents"] as? [[String: Any]] ?? []
            // A number as dialled in France (+33 5…, 0033 5… and a stray trunk 0 after +33: 05…).
            func digits(_ s: Any?) -> String {
                var d = (s as? String ?? "").filter(\.isNumber)
                if d.hasPrefix("0033") { d = String(d.dropFirst(2)) }
                if d.hasPrefix("330") { d = String(d.dropFirst(2)) } else if d.hasPrefix("33") { d = "0" + d.dropFirst(2) }
                return d
            }
            func location(_ s: [String: Any]) -> [String: Any]? { ((s["service_at_locations"] as? [[String: Any]])?.first?["location"] as? [String: Any]) }
            func address(_ s: [String: Any]) -> [String: Any]? { (location(s)?["addresses"] as? [[String: Any]])?.first }
            func times(_ s: [String: Any]) -> Set<String> {
                Set((s["schedules"] as? [[String: Any]] ?? []).compactMap { sch -> String? in
                    guard let opens = sch["opens_at"] as? String else { return nil }
                    return "\(opens.prefix(5))-\((sch["closes_at"] as? String ?? "").prefix(5))"
                })
            }
            for theirs in partner {
                let name = theirs["name"] as? String ?? ""
                guard let mine = ours.first(where: { $0["name"] as? String == name }) else {
                    Issue.record("« \(name) » is not served")
                    continue
                }
                for field in ["description", "email", "url", "status", "alternate_name", "eligibility_description", "fees_description", "application_process"] {
                    if let value = theirs[field] as? String { #expect(mine[field] as? String == value, "\(name): \(field)") }
                }
                let phones = Set((theirs["phones"] as? [[String: Any]] ?? []).map { digits($0["number"]) })
                #expect(Set((mine["phones"] as? [[String: Any]] ?? []).map { digits($0["number"]) }) == phones, "\(name): phones")
                let expectedTimes = times(theirs)
                if !expectedTimes.isEmpty { #expect(times(mine).isSuperset(of: expectedTimes), "\(name): \(times(mine)) ⊉ \(expectedTimes)") }
                // Open-ended recurrences keep their days as iCalendar writes them; a bounded series
                // (`count`) comes back as its dated occurrences, one schedule each.
                let theirSchedules = theirs["schedules"] as? [[String: Any]] ?? []
                let mySchedules = mine["schedules"] as? [[String: Any]] ?? []
                let days = Set(theirSchedules.filter { $0["count"] == nil && $0["until"] == nil }.compactMap { $0["byday"] as? String })
                #expect(Set(mySchedules.compactMap { $0["byday"] as? String }).isSuperset(of: days), "\(name): days")
                let occurrences = theirSchedules.compactMap { $0["count"] as? Int }.reduce(0, +)
                #expect(mySchedules.filter { $0["freq"] == nil && $0["valid_from"] != nil }.count >= occurrences, "\(name): dated occurrences")
                if let a = address(theirs) {
                    for field in ["address_1", "city", "postal_code", "state_province"] {
                        #expect(address(mine)?[field] as? String == a[field] as? String, "\(name): address \(field)")
                    }
                }
                let languages = Set((theirs["languages"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
                #expect(Set((mine["languages"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }).isSuperset(of: languages.subtracting(["fr"])), "\(name): languages")
            }
        }
    }

    /// The exports of the demonstration data and every public fixture source, checked by the
    /// official schemas: the HSDS tabular package by frictionless against HSDS's own table
    /// schemas, the data·inclusion files by data-inclusion-schema's v1 models.
    @Test func exportsAreValidOpenData() async throws {
        guard let python = Oracle.python() else { return }
        let reference = SharedData.root.appendingPathComponent("reference/hsds-3.0/datapackage.json").path
        guard FileManager.default.fileExists(atPath: reference) else { return }
        let h = try await Self.everyFixture()
        let listings = Export.selected(try h.store.allListings(includeHidden: false), includeDemo: true)
        #expect(listings.count > 70)
        #expect(listings.contains { $0.content.zone.identifier != "Europe/Paris" })
        #expect(Export.selected(listings, includeDemo: false).allSatisfy { !$0.demo })
        let dir = SharedData.temporaryDirectory("export")
        let sources = [Export.Attribution(id: "demo-annuaire", title: "Annuaire de démonstration", licence: "Licence Ouverte 2.0", attribution: nil, url: "file:///demo")]
        _ = try Export.hsds(listings, context: HSDS.Context(taxonomy: h.context.taxonomy, gazetteer: h.context.data.gazetteer, now: ServerHarness.referenceDate),
                            sources: sources, to: dir.appendingPathComponent("hsds"))
        _ = try Export.dataInclusion(listings, taxonomy: h.context.taxonomy, vocabulary: h.context.data.dataInclusion, sources: sources,
                                     to: dir.appendingPathComponent("di"))
        let hsds = try Oracle.run(python, script: Oracle.script("export-validate.py"), arguments: ["hsds", dir.appendingPathComponent("hsds").path, reference])
        #expect(hsds.contains("ok   service:") && !hsds.contains("FAIL"), "\(hsds)")
        let di = try Oracle.run(python, script: Oracle.script("export-validate.py"), arguments: ["datainclusion", dir.appendingPathComponent("di").path])
        #expect(di.contains("ok   services.json") && !di.contains("FAIL"), "\(di)")
        let credits = try String(contentsOf: dir.appendingPathComponent("di/SOURCES.md"), encoding: .utf8)
        #expect(credits.contains("Licence Ouverte 2.0"))
    }
}

/// The change feed: `modified_after` in the order of changes, page after page by cursor,
/// removals as defunct services.
@Suite struct ChangeFeedTests {
    @Test func aMirrorReadsEveryChangeOnceAndSeesRemovals() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { server in
            func page(_ query: String) async throws -> (items: [[String: Any]], next: String?, link: String?, total: Int) {
                let (status, body, headers) = try await h.get(server, "/hsds/services?\(query)")
                #expect(status == 200, "\(query): \(body)")
                let o = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
                return (o["contents"] as? [[String: Any]] ?? [], o["next_cursor"] as? String, headers["link"], o["total_items"] as? Int ?? -1)
            }
            let listings = try h.store.allListings(includeHidden: false)
            var seen: [String] = []
            var stamps: [String] = []
            var query = "modified_after=2000-01-01&per_page=7"
            var first = true
            while true {
                let p = try await page(query)
                if first { #expect(p.total == listings.count) }
                first = false
                seen += p.items.compactMap { $0["id"] as? String }
                stamps += p.items.compactMap { $0["last_modified"] as? String }
                guard let next = p.next else { #expect(p.link == nil); break }
                #expect(p.link?.contains("cursor=\(next)") == true)
                query = "modified_after=2000-01-01&per_page=7&cursor=\(next)"
            }
            #expect(seen.count == listings.count && Set(seen).count == seen.count)
            #expect(stamps == stamps.sorted())

            // A removal shows as a defunct service after the time it happened; nothing before it.
            let gone = try #require(listings.first { !$0.demo } ?? listings.first)
            h.clock.advance(3600)
            try await h.store.remove(serviceID: gone.id, author: "test", at: h.clock.now)
            let since = Timestamp.string(h.clock.now.addingTimeInterval(-60))
            let after = try await page("modified_after=\(since)")
            #expect(after.items.count == 1)
            #expect(after.items.first?["id"] as? String == HSDS.uuid("service", gone.id) && after.items.first?["status"] as? String == "defunct")
            #expect(try await h.get(server, "/hsds/services?modified_after=\(since)&search=gem").0 == 400)
            #expect(try await h.get(server, "/hsds/services?modified_after=\(since)&cursor=pas-un-curseur").0 == 400)
        }
    }
}

/// One Relais reads another's `/hsds` as an HSDS source (a regional instance federating a
/// national one): kinds, needs, audiences, contacts and places come through; demonstration
/// listings stay behind.
@Suite struct FederationTests {
    @Test func anotherRelaisReadsThisOne() async throws {
        let upstream = try await ServerHarness.make(fixtures: true)
        let sent = try upstream.store.allListings(includeHidden: false)
        try await upstream.with { server in
            let dir = SharedData.temporaryDirectory("federation")
            let store = try SQLiteStore(path: dir.appendingPathComponent("aval.sqlite").path)
            let ctx = try await RelaisContext.open(store: store, home: RelaisHome(root: SharedData.projectRoot), clock: { ServerHarness.referenceDate })
            let run = await ctx.importer.run(Manifest(id: "amont", title: "Relais amont", url: "\(server.baseURL)/hsds/services", format: .hsds, options: ["max_pages": "20"]))
            #expect(run.status == .success, "\(run.message ?? "")")
            let received = try store.allListings(includeHidden: false).filter { $0.sources.contains("amont") }
            let real = sent.filter { !$0.demo }
            #expect(received.count == real.count && received.allSatisfy { !$0.demo })
            for l in real {
                guard let r = received.first(where: { $0.content.name == l.content.name }) else {
                    Issue.record("« \(l.content.name) » did not come through")
                    continue
                }
                #expect(r.content.kind == l.content.kind, "\(l.content.name)")
                #expect(Set(ctx.taxonomy.needs(of: r.content)) == Set(upstream.context.taxonomy.needs(of: l.content)), "\(l.content.name): needs")
                #expect(Set(r.content.audiences) == Set(l.content.audiences), "\(l.content.name): audiences")
                #expect(Set(r.content.phones.map(\.number)) == Set(l.content.phones.map(\.number)), "\(l.content.name): phones")
                #expect(r.content.address?.postalCode == l.content.address?.postalCode, "\(l.content.name): postal code")
            }
        }
    }
}
