import Foundation
import RelaisFetch
import RelaisTestSupport
import Testing

/// The French pages, over a live server: content, status codes, escaping.
@Suite(.serialized) struct PageTests {
    @Test func homeHasDoorsSearchAndCrisisLines() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            let (status, html, headers) = try await h.get(s, "/")
            #expect(status == 200)
            #expect(headers["content-type"]?.contains("text/html") == true)
            #expect(html.contains("<html lang=\"fr\">"))
            for door in ["Je suis un·e professionnel·le", "Je suis un proche", "Je suis concerné·e"] { #expect(html.contains(door)) }
            for n in ["tel:3114", "tel:15", "tel:112"] { #expect(html.contains(n)) }
            #expect(html.contains("<label for=\"q\">"))
            let (_, results, _) = try await h.get(s, "/?q=entraide")
            #expect(results.contains("données de démonstration"))
            let (css, body, cssHeaders) = try await h.get(s, "/static/relais.css")
            #expect(css == 200 && body.contains("@media print") && cssHeaders["cache-control"]?.contains("max-age") == true)
        }
    }

    @Test func orientationFormAndResults() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            let (st, form, _) = try await h.get(s, "/orientation?audience=proche")
            #expect(st == 200)
            #expect(form.contains("value=\"proche\" checked"))
            #expect(form.contains("Soutien aux proches"))
            let (status, html, _) = try await h.get(s, "/orientation?audience=proche&needs=famille&needs=isolement&near=75011&radius_km=20")
            #expect(status == 200)
            #expect(html.contains("pas une prescription médicale"))
            #expect(html.contains("class=\"reasons\""))
            #expect(html.contains("données de démonstration"))
            #expect(html.contains("href=\"tel:+33"))
            #expect(html.contains("action=\"/fiche\""))
            #expect(!html.contains(">nil<") && !html.contains(" nil "))
            let (amb, choices, _) = try await h.get(s, "/orientation?audience=personne&needs=isolement&near=Saint-Denis")
            #expect(amb == 400 && choices.contains("(974)") && choices.contains("(93)"))
            let (crisis, block, _) = try await h.get(s, "/orientation?audience=proche&needs=crise&near=75014")
            #expect(crisis == 200 && block.contains("class=\"emergency\"") && block.contains("tel:3114"))
            let (bad, page, _) = try await h.get(s, "/orientation?audience=proche&near=75014&needs=medicaments")
            #expect(bad == 400 && page.contains("Besoin inconnu") && page.contains("lang=\"fr\""))
        }
    }

    @Test func resourcePageEscapesAndReports() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        guard SharedData.requireShared() else { return }
        try await h.with { s in
            let (_, page) = try await h.json(s, "/api/services?q=Vence")
            let id = try #require(((page["contents"] as? [[String: Any]])?.first?["id"]) as? String)
            let (status, html, _) = try await h.get(s, "/ressources/\(id)")
            #expect(status == 200)
            #expect(html.contains("GEM &lt;img src=x onerror=alert(1)&gt; DE VENCE"))
            #expect(!html.contains("<img src=x"))
            #expect(html.contains("Signaler une erreur"))
            #expect(!html.lowercased().contains("patient") || html.contains("personne suivie"))
            let (_, arc) = try await h.json(s, "/api/services?q=Arcachon")
            let arcID = try #require(((arc["contents"] as? [[String: Any]])?.first?["id"]) as? String)
            let (_, arcPage, _) = try await h.get(s, "/ressources/\(arcID)")
            let arcHTML = arcPage.replacingOccurrences(of: "&nbsp;", with: " ")
            #expect(arcHTML.contains("Le 1er et le 3e mardi du mois, de 14 h à 16 h."))
            #expect(arcHTML.contains("mardi 1er décembre 2026, 14 h – 16 h"))
            #expect(arcHTML.contains("openstreetmap.org"))
            // Report a correction: stored for admins, with no personal data asked.
            let body = Array("field=phones&message=Le+num%C3%A9ro+a+chang%C3%A9&suggested=04+65+71+00+00&contact_email=".utf8)
            let r = try await h.fetcher.fetch(FetchRequest(url: "\(s.baseURL)/ressources/\(arcID)/signaler", headers: [("Content-Type", "application/x-www-form-urlencoded")], acceptErrorStatus: true, method: "POST", body: body))
            #expect(r.status == 200)
            let reports = try h.store.reports(status: "open")
            #expect(reports.count == 1 && reports[0].serviceID == arcID && reports[0].field == "phones" && reports[0].contactEmail == nil)
            let (missing, notFound, _) = try await h.get(s, "/ressources/rnope")
            #expect(missing == 404 && notFound.contains("Fiche introuvable"))
        }
    }

    @Test func sheetFamiliesBrowseAndCalendar() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { s in
            let (_, found) = try await h.json(s, "/api/referrals?needs=famille&audience=proche&near=75011")
            let ids = (found["suggestions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }.prefix(3)
            #expect(!ids.isEmpty)
            let (st, sheet, _) = try await h.get(s, "/fiche?needs=famille&audience=proche&near=75011&" + ids.map { "ids=\($0)" }.joined(separator: "&"))
            #expect(st == 200)
            #expect(sheet.contains("Fiche d’orientation") && sheet.contains("pas une prescription médicale") && sheet.contains("Pourquoi"))
            #expect(!sheet.contains("name=\"patient") && !sheet.contains("name=\"nom"))
            let (fam, families, _) = try await h.get(s, "/proches?near=33000")
            #expect(fam == 200 && families.contains("Vous accompagnez un proche") && families.contains("/calendrier.ics?near=33000"))
            let (br, browse, _) = try await h.get(s, "/annuaire?departement=75&kind=gem")
            #expect(br == 200 && browse.contains("GEM Les Lucioles"))
            let (bad, _, _) = try await h.get(s, "/annuaire?departement=99")
            #expect(bad == 400)
            let (cal, ics, headers) = try await h.get(s, "/calendrier.ics?near=75014")
            #expect(cal == 200 && ics.hasPrefix("BEGIN:VCALENDAR") && headers["content-type"]?.contains("text/calendar") == true)
            #expect(ics.contains("BEGIN:VEVENT") && ics.contains("DTSTART:"))
            #expect(ics.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
            let (nope, _, _) = try await h.get(s, "/nulle-part")
            #expect(nope == 404)
        }
    }
}
