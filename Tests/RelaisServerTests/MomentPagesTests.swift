import Foundation
import RelaisModel
import RelaisNormalize
import RelaisSources
import RelaisTestSupport
import Testing

/// The pages at the moment they are used: crisis first, answer first, a one-page sheet,
/// nothing near, families and their feed, verification that means something, French typography.
@Suite(.serialized) struct MomentPagesTests {
    /// The HTML of `<main>` only (the layout's banner and footer aside).
    static func main(_ html: String) -> String {
        guard let a = html.range(of: "<main"), let b = html.range(of: "</main>") else { return "" }
        return String(html[a.lowerBound..<b.lowerBound])
    }

    static func offset(_ s: String, _ needle: String) -> Int? {
        s.range(of: needle).map { s.distance(from: s.startIndex, to: $0.lowerBound) }
    }

    @Test func crisisIsTheFirstThingInMainAndTheAnswerComesBeforeTheForm() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            let (_, crisis, _) = try await h.get(s, "/orientation?audience=personne&needs=crise&near=75014")
            let main = Self.main(crisis)
            let emergency = try #require(Self.offset(main, "class=\"emergency\""))
            #expect(emergency < (Self.offset(main, "<h1") ?? 0))
            #expect(emergency < (Self.offset(main, "<form") ?? 0))
            let (_, answer, _) = try await h.get(s, "/orientation?audience=proche&needs=famille&near=75010")
            let m = Self.main(answer)
            // The question in one line with « Modifier »; the form folded away below the results.
            #expect(m.contains("class=\"question\"") && m.contains("Modifier"))
            let firstResult = try #require(Self.offset(m, "href=\"/ressources/"))
            let form = try #require(Self.offset(m, "class=\"orientation"))
            #expect(firstResult < form)
            #expect(m.contains("<details class=\"ask\" id=\"question\">"))  // closed
            // The name comes before the box that puts it on the sheet, and only three are ticked.
            #expect((Self.offset(m, "<h3>") ?? .max) < (Self.offset(m, "Mettre sur la fiche") ?? 0))
            #expect(m.components(separatedBy: "name=\"ids\"").count - 1 > 3)
            #expect(m.components(separatedBy: " checked> Mettre sur la fiche").count - 1 == 3)
            // Without a question, the form is open.
            let (_, form0, _) = try await h.get(s, "/orientation?audience=proche")
            #expect(form0.contains("<details class=\"ask\" id=\"question\" open>"))
        }
    }

    @Test func nothingNearSaysSoNamesTheNearestAndOffersAWayForward() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            let (_, page, _) = try await h.get(s, "/orientation?audience=proche&needs=famille&near=21000")
            let text = page.replacingOccurrences(of: "&nbsp;", with: " ")
            #expect(text.contains("Aucun lieu d’entraide à moins de 30 km de 21000 Dijon"))
            #expect(text.contains("Le plus proche"))
            #expect(page.contains("radius_km=200") || page.contains("radius_km=100") || page.contains("radius_km=300"))
            #expect(page.contains("modalite=telephone"))
            #expect(!page.contains("ressource(s)"))
            let (_, api) = try await h.json(s, "/api/referrals?needs=famille&audience=proche&near=21000")
            let beyond = try #require(api["nearest_beyond"] as? [[String: Any]])
            #expect(!beyond.isEmpty && beyond.allSatisfy { ($0["distance_km"] as? Double ?? 0) > 30 })
            #expect((api["nothing_near"] as? [String: Any])?["message"] is String)
            // A need mistyped or named by its wording: the nearest need, said and given.
            let (bad, unknown) = try await h.json(s, "/api/referrals?needs=soutien&audience=proche&near=75010")
            let e = unknown["error"] as? [String: Any]
            #expect(bad == 400 && (e?["suggestion"] as? [String]) == ["famille"])
            #expect((e?["message"] as? String)?.contains("Vouliez-vous dire « famille » (Soutien aux proches)") == true)
            // Something near: no such block.
            let (_, paris) = try await h.json(s, "/api/referrals?needs=famille&audience=proche&near=75010")
            #expect(paris["nearest_beyond"] == nil)
        }
    }

    @Test func theSheetSaysWhyWhenWhereAndHowAndCanBeShared() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            let (_, api) = try await h.json(s, "/api/referrals?needs=famille,isolement&audience=proche&near=75010&limit=5")
            let ids = ((api["suggestions"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            #expect(ids.count == 5)
            let (status, sheet, _) = try await h.get(s, "/fiche?ids=\(ids.joined(separator: ","))&needs=famille,isolement&audience=proche&near=75010")
            #expect(status == 200)
            let text = sheet.replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "&#8239;", with: " ")
            #expect(text.contains("Pourquoi :") && text.contains("Où :") && text.contains("Contact :"))
            #expect(text.contains("Quand :"))  // a regular schedule in plain French
            #expect(!sheet.contains("· </p>") && !sheet.contains("·</p>"))  // no stray separator at the end of a contact line
            #expect(sheet.contains("href=\"sms:?&amp;body=") && sheet.contains("href=\"mailto:?subject="))
            #expect(text.contains("En cas d’urgence") && text.contains("pas une prescription médicale"))
            // Without needs: no empty « besoins : ».
            let (_, bare, _) = try await h.get(s, "/fiche?ids=\(ids[0])")
            #expect(!bare.contains("besoins"))
        }
    }

    @Test func familiesAndTheirFeedGiveFullAddressesAndAbsoluteLinks() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            let (_, page, _) = try await h.get(s, "/proches?near=75010")
            #expect(page.contains("href=\"webcal://127.0.0.1:"))
            let (_, ics, headers) = try await h.get(s, "/calendrier.ics?near=75010")
            #expect(headers["content-type"]?.hasPrefix("text/calendar") == true)
            let unfolded = ics.replacingOccurrences(of: "\r\n ", with: "")
            let lines = unfolded.components(separatedBy: "\r\n")
            let locations = lines.filter { $0.hasPrefix("LOCATION:") }
            let urls = lines.filter { $0.hasPrefix("URL:") }
            #expect(!locations.isEmpty && locations.allSatisfy { $0.range(of: #"\b\d{5}\b"#, options: .regularExpression) != nil })
            #expect(!urls.isEmpty && urls.allSatisfy { $0.hasPrefix("URL:http://127.0.0.1:") })
            #expect(!unfolded.contains("(démo) (données de démonstration)"))
        }
    }

    @Test func aSessionSaysWhereOnceAndAMovedMeetingSaysItsNewPlace() async throws {
        let h = try await ServerHarness.make()
        guard SharedData.requireShared() else { return }
        let outlook = SharedData.url("fixtures").appendingPathComponent("conformance/agenda-outlook.ics")
        _ = await h.context.importer.run(Manifest(id: "outlook", title: "outlook", url: outlook.absoluteString, format: .ics, kind: .groupe_parole))
        try await h.with { s in
            let (_, ics, _) = try await h.get(s, "/calendrier.ics?near=57000&radius_km=100")
            let locations = Set(ics.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter { $0.hasPrefix("LOCATION:") })
            #expect(!locations.isEmpty)
            for l in locations {
                #expect(l.range(of: #"\b\d{5}\b"#, options: .regularExpression) != nil, "\(l): no postal code")
                // One address per place: a moved meeting is not also sent to its usual address,
                // and a place name the address holds is not said twice.
                #expect(l.range(of: #"\d{5}.*\d{5}"#, options: .regularExpression) == nil, "\(l): two addresses")
                let parts = l.dropFirst("LOCATION:".count).components(separatedBy: "\\, ")
                #expect(Set(parts).count == parts.count, "\(l): a part said twice")
            }
        }
    }

    @Test func onlyAnAdminCheckIsCalledAVerificationAndDemoDataClaimsNone() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        guard SharedData.requireShared() else { return }
        try await h.with { s in
            let (_, demo) = try await h.json(s, "/api/services?q=GEM&per_page=50")
            let demoID = try #require(((demo["contents"] as? [[String: Any]]) ?? []).first { $0["demo"] as? Bool == true }?["id"] as? String)
            try await h.setup.actions.verify(demoID, by: "test")
            let (_, demoPage, _) = try await h.get(s, "/ressources/\(demoID)")
            #expect(demoPage.range(of: #"(?i)vérifiée?s?\s+(le|par)|vérification\s*:"#, options: .regularExpression) == nil)
            #expect(demoPage.contains("Mis à jour depuis la source"))
            let (_, real) = try await h.json(s, "/api/services?q=Vence")
            let realID = try #require(((real["contents"] as? [[String: Any]])?.first?["id"]) as? String)
            let (_, before, _) = try await h.get(s, "/ressources/\(realID)")
            #expect(!before.contains("Vérifié par l’équipe"))
            try await h.setup.actions.verify(realID, by: "test")
            let (_, after, _) = try await h.get(s, "/ressources/\(realID)")
            #expect(after.contains("Vérifié par l’équipe le"))
            #expect(!after.contains("Directory/") && !after.contains(".yml"))
        }
    }

    @Test func frenchTypographyPluralsAndOrderOnEveryPage() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            for path in ["/", "/orientation?audience=proche&needs=famille&near=75010", "/proches?near=75010", "/annuaire", "/?q=entraide"] {
                let (_, html, _) = try await h.get(s, path)
                #expect(!html.contains("(s)"), "\(path): a « (s) » plural")
                #expect(!html.contains("24 h/24") && html.contains("24&nbsp;h/24"), "\(path): « 24 h/24 » can break")
                #expect(!html.contains(" :") && !html.contains("« ") && !html.contains(" »"), "\(path): a breakable space in French punctuation")
            }
            let (_, dir, _) = try await h.get(s, "/annuaire?per_page=100")
            let names = dir.components(separatedBy: "<li><a href=\"/ressources/").dropFirst()
                .compactMap { $0.split(separator: ">", maxSplits: 1).last?.split(separator: "<").first.map(String.init) }
                .map { $0.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&nbsp;", with: "\u{A0}").replacingOccurrences(of: "&quot;", with: "\"") }
            #expect(names.count > 5)
            #expect(names == names.sorted(by: Text.frenchLess), "the directory in French order")
        }
    }
}
