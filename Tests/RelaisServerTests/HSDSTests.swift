import Foundation
import RelaisApp
import RelaisModel
import RelaisTestSupport
import Testing

/// The HSDS 3.0 API (`/hsds`), checked against the official schemas of the specification
/// (`../shared/reference/hsds-3.0`) by jsonschema, and by what a partner directory relies on.
@Suite struct HSDSTests {
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
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { server in
            let output: Result<String, any Error> = await withCheckedContinuation { done in
                Thread { done.resume(returning: Result { try Oracle.run(python, script: Oracle.script("hsds-validate.py"), arguments: [server.baseURL, schemas]) }) }.start()
            }
            switch output {
            case .success(let text):
                #expect(text.contains("ok   /hsds/services") && text.contains("ok   /hsds/organizations"), "\(text)")
            case .failure(let error):
                Issue.record("\(error)")
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
}
