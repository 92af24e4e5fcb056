import Foundation
import RelaisApp
import RelaisModel
import RelaisSources
import RelaisStoreSQLite
import RelaisTestSupport
import Testing

/// Languages spoken and accessibility as people meet them: the API's JSON (HSDS shapes),
/// the filters of search and referral, the resource page and the sheet, the admin's edit.
@Suite(.serialized) struct FieldsTests {
    /// The demonstration directory plus the two fields fixtures, served by a real local server.
    static func harness() async throws -> ServerHarness {
        let h = try await ServerHarness.make()
        let fixtures = SharedData.url("fixtures/fields")
        let fields = [
            "id": "Identifiant", "name": "Nom", "kind": "Type", "street": "Adresse", "postal_code": "Code postal", "commune": "Commune",
            "phones": "Téléphone", "hours": "Horaires", "languages": "Langues parlées", "accessibility": "Accessibilité",
        ]
        let csv = Manifest(
            id: "fld-csv", title: "csv", url: fixtures.appendingPathComponent("langues-accessibilite.csv").absoluteString, format: .csv,
            options: ["encoding": "utf-8", "delimiter": ";"], fields: fields)
        #expect(await h.context.importer.run(csv).status == .success)
        try await TestHTTPServer.with(FixtureRoutes.router(serving: fixtures)) { server in
            #expect(await h.context.importer.run(Manifest(id: "fld-hsds", title: "hsds", url: "\(server.baseURL)/hsds-langues.json", format: .hsds)).status == .success)
        }
        return h
    }

    @Test func theAPIShowsAndFiltersThem() async throws {
        guard SharedData.requireShared() else { return }
        let h = try await Self.harness()
        try await h.with { s in
            let (_, page) = try await h.json(s, "/api/services?langue=ar")
            let contents = page["contents"] as? [[String: Any]] ?? []
            #expect(contents.map { $0["name"] as? String } == ["GEM L’Olivier"])
            let languages = contents.first?["languages"] as? [[String: Any]] ?? []
            #expect(languages.map { $0["code"] as? String } == ["fr", "ar"])
            #expect(languages.map { $0["name"] as? String } == ["français", "arabe"])
            let location = ((contents.first?["service_at_locations"] as? [[String: Any]])?.first?["location"] as? [String: Any])
            let access = (location?["accessibility"] as? [[String: Any]])?.first
            #expect(access?["description"] as? String == "Accès de plain-pied, utilisable en fauteuil roulant")
            #expect((access?["features"] as? [String]) == ["fauteuil", "plain_pied", "toilettes_adaptees"])
            // By name too, and every filter names its parameter when wrong.
            let (_, byName) = try await h.json(s, "/api/services?langue=arabe")
            #expect(byName["total_items"] as? Int == 1)
            let (_, lsf) = try await h.json(s, "/api/services?langue=LSF")
            #expect(Set((lsf["contents"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }) == ["GEM Le Passage des Pairs", "Groupe de parole L’Escale des Signes"])
            let (_, wheel) = try await h.json(s, "/api/services?accessible=fauteuil")
            #expect((wheel["contents"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["GEM L’Olivier"])
            let (bad, error) = try await h.json(s, "/api/services?accessible=volant")
            #expect(bad == 400 && (error["error"] as? [String: Any])?["parameter"] as? String == "accessible")
            #expect(((error["error"] as? [String: Any])?["valid"] as? [String])?.contains("fauteuil") == true)
            let (bad2, error2) = try await h.json(s, "/api/services?langue=elfique")
            #expect(bad2 == 400 && (error2["error"] as? [String: Any])?["parameter"] as? String == "langue")
        }
    }

    @Test func referralsFilterAndSayWhy() async throws {
        guard SharedData.requireShared() else { return }
        let h = try await Self.harness()
        try await h.with { s in
            let (status, answer) = try await h.json(s, "/api/referrals?needs=isolement&near=13001&radius_km=20&langue=ar")
            #expect(status == 200)
            let suggestions = answer["suggestions"] as? [[String: Any]] ?? []
            #expect(suggestions.compactMap { $0["name"] as? String } == ["GEM L’Olivier"])
            #expect((suggestions.first?["reasons"] as? [String])?.contains("Accueil en arabe.") == true)
            #expect((suggestions.first?["languages"] as? [String]) == ["fr", "ar"])
            #expect(((answer["question"] as? [String: Any])?["langue"] as? String) == "ar")
            let (_, wheel) = try await h.json(s, "/api/referrals?needs=isolement&near=33000&radius_km=20&accessible=boucle_magnetique")
            #expect((wheel["suggestions"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["GEM Le Passage des Pairs"])
        }
    }

    @Test func theResourcePageAndTheSheetSayThem() async throws {
        guard SharedData.requireShared() else { return }
        let h = try await Self.harness()
        let olivier = try #require(try h.store.search(SearchQuery(text: "Olivier")).listings.first)
        let passage = try #require(try h.store.search(SearchQuery(text: "Passage des Pairs")).listings.first)
        try await h.with { s in
            let (status, html, _) = try await h.get(s, "/ressources/\(olivier.id)")
            #expect(status == 200)
            #expect(html.contains("<dt>Langues parlées</dt><dd>français, arabe</dd>"))
            #expect(html.contains("accessible en fauteuil roulant"))
            let (_, page2, _) = try await h.get(s, "/ressources/\(passage.id)")
            #expect(page2.contains("français, LSF"))
            #expect(page2.contains("boucle magnétique"))
            let (_, sheet, _) = try await h.get(s, "/fiche?ids=\(olivier.id),\(passage.id)")
            #expect(sheet.contains("<strong>Langues&nbsp;:</strong> français, arabe"))
            #expect(sheet.contains("(accessible en fauteuil roulant") || sheet.contains("accessible en fauteuil roulant,"))  // after the address
            // The orientation form offers both filters, and its results follow them.
            let (_, form, _) = try await h.get(s, "/orientation?audience=proche&needs=isolement&near=13001&langue=ar")
            #expect(form.contains("name=\"langue\"") && form.contains("name=\"accessible\""))
            #expect(form.contains("<option value=\"ar\" selected>arabe</option>"))
            #expect(form.contains("GEM L’Olivier") && !form.contains("L’Escale des Signes"))
            let (_, browse, _) = try await h.get(s, "/annuaire?accessible=fauteuil")
            #expect(browse.contains("GEM L’Olivier") && !browse.contains("Passage des Pairs"))
        }
    }

    @Test func anAdminEditsThem() async throws {
        guard SharedData.requireShared() else { return }
        let h = try await Self.harness()
        let token = try h.addAdmin("alice")
        let passage = try #require(try h.store.search(SearchQuery(text: "Passage des Pairs")).listings.first)
        try await h.with { s in
            let (status, body, _) = try await h.send(
                s, "PATCH", "/api/admin/listings/\(passage.id)", headers: [("Authorization", "Bearer " + token)],
                json: #"{"fields": {"languages": "français, LSF, anglais", "accessibility": "plain-pied, ascenseur, documents en FALC"}}"#)
            #expect(status == 200, "\(body)")
            let after = try #require(try h.store.listing(id: passage.id))
            #expect(after.content.languages == ["fr", "fsl", "en"])
            #expect(after.content.accessibility?.features == [.plain_pied, .ascenseur, .falc])
            let (bad, message, _) = try await h.send(
                s, "PATCH", "/api/admin/listings/\(passage.id)", headers: [("Authorization", "Bearer " + token)], json: #"{"fields": {"languages": "français, elfique"}}"#)
            #expect(bad == 400 && message.contains("elfique"))
        }
    }
}
