import Foundation
import RelaisApp
import RelaisSources
import RelaisStoreSQLite
import RelaisFetch
import RelaisImport
import RelaisModel
import RelaisStore
import RelaisTestSupport
import Testing

/// The admin pages and API over a live server: credentials on every route,
/// sessions, CSRF, rate limiting, curation that survives re-imports, the stale
/// queue, reports, the audit log.
@Suite(.serialized) struct AdminTests {
    /// A listing id and a run id of the demonstration data, for routes that need one.
    func ids(_ h: ServerHarness) throws -> (listing: String, run: Int64) {
        let listing = try #require(try h.store.search(SearchQuery(text: "entraide", page: 1, perPage: 1)).listings.first?.id)
        let run = try #require(try h.store.runs(sourceID: nil, limit: 1).first?.id)
        return (listing, run)
    }

    @Test func everyAdminRouteNeedsACredential() async throws {
        let h = try await ServerHarness.make()
        let token = try h.addAdmin("alice")
        let (listing, run) = try ids(h)
        let api: [(String, String)] = [
            ("GET", "/api/admin/sources"), ("GET", "/api/admin/sources/demo-agenda"), ("POST", "/api/admin/sources/demo-agenda/run"),
            ("GET", "/api/admin/runs"), ("GET", "/api/admin/runs/\(run)"), ("GET", "/api/admin/changes"), ("GET", "/api/admin/stale"),
            ("POST", "/api/admin/stale/\(listing)/keep"), ("POST", "/api/admin/stale/\(listing)/remove"), ("GET", "/api/admin/listings/\(listing)"),
            ("PATCH", "/api/admin/listings/\(listing)"), ("DELETE", "/api/admin/listings/\(listing)"), ("GET", "/api/admin/reports"),
            ("POST", "/api/admin/reports/1/accept"), ("POST", "/api/admin/reports/1/dismiss"), ("GET", "/api/admin/audit"), ("GET", "/api/admin/nope"),
        ]
        let pages: [(String, String)] = [
            ("GET", "/admin"), ("GET", "/admin/sources/demo-agenda"), ("POST", "/admin/sources/demo-agenda/run"), ("GET", "/admin/runs/\(run)"),
            ("GET", "/admin/changes"), ("GET", "/admin/stale"), ("GET", "/admin/listings"), ("GET", "/admin/listings/\(listing)"),
            ("POST", "/admin/listings/\(listing)"), ("POST", "/admin/listings/\(listing)/hide"), ("POST", "/admin/listings/\(listing)/show"),
            ("POST", "/admin/listings/\(listing)/verify"), ("POST", "/admin/listings/\(listing)/keep"), ("POST", "/admin/listings/\(listing)/remove"),
            ("POST", "/admin/listings/\(listing)/reset"), ("GET", "/admin/reports"), ("POST", "/admin/reports/1/accept"),
            ("POST", "/admin/reports/1/dismiss"), ("GET", "/admin/audit"), ("POST", "/admin/logout"), ("GET", "/admin/nope"),
        ]
        let before = try h.store.dataVersion()
        try await h.with { s in
            for (method, path) in api {
                let (status, body, headers) = try await h.send(s, method, path)
                #expect(status == 401, "\(method) \(path)")
                #expect(body.contains("Authorization: Bearer") && headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(method) \(path)")
                for wrong in ["Bearer nope", "Bearer " + String(token.dropLast()) + "x", "Basic YWxpY2U6eA==", "Bearer relais_" + token.dropFirst(7).lowercased()] {
                    let (st, _, _) = try await h.send(s, method, path, headers: [("Authorization", wrong)])
                    #expect(st == 401, "\(method) \(path) with \(wrong)")
                }
            }
            for (method, path) in pages {
                let (status, _, headers) = try await h.send(s, method, path)
                #expect(status == 303, "\(method) \(path)")
                #expect(headers["location"]?.hasPrefix("/admin/login?next=") == true, "\(method) \(path)")
            }
            // A bearer token opens the API, not the pages.
            let (page, _, _) = try await h.send(s, "GET", "/admin", headers: [("Authorization", "Bearer " + token)])
            #expect(page == 303)
            for (method, path) in api where method == "GET" && path != "/api/admin/nope" {
                let (status, body, _) = try await h.send(s, method, path, headers: [("Authorization", "Bearer " + token)])
                #expect(status == 200, "\(method) \(path): \(body.prefix(200))")
                #expect((try? JSONSerialization.jsonObject(with: Data(body.utf8))) != nil)
            }
            let (unknown, _, _) = try await h.send(s, "GET", "/api/admin/nope", headers: [("Authorization", "Bearer " + token)])
            #expect(unknown == 404)
            let (badRun, _, _) = try await h.send(s, "GET", "/api/admin/runs/abc", headers: [("Authorization", "Bearer " + token)])
            #expect(badRun == 400)
            let (badDate, msg, _) = try await h.send(s, "GET", "/api/admin/changes?since=hier", headers: [("Authorization", "Bearer " + token)])
            #expect(badDate == 400 && msg.contains("since"))
        }
        // Nothing was changed by the refused requests.
        #expect(try h.store.dataVersion() == before)
        #expect(try h.store.listing(id: listing) != nil)
    }

    /// Logs in through the form; returns the session cookie.
    func login(_ h: ServerHarness, _ s: TestHTTPServer, _ name: String, _ password: String) async throws -> (Int, String?, [String: String]) {
        let (_, form, headers) = try await h.send(s, "GET", "/admin/login?next=%2Fadmin%2Fstale")
        let csrf = try #require(form.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
        let loginCookie = try #require(headers["set-cookie"]?.firstMatch(of: /relais_login=([^;]+)/)?.1)
        let (status, _, answer) = try await h.send(
            s, "POST", "/admin/login", headers: [("Cookie", "relais_login=\(loginCookie)")],
            form: ["csrf": String(csrf), "name": name, "password": password, "next": "/admin/stale"])
        let session = answer["set-cookie"]?.firstMatch(of: /relais_session=([^;]+)/).map { "relais_session=\($0.1)" }
        return (status, session, answer)
    }

    func csrf(_ page: String) throws -> String {
        String(try #require(page.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1))
    }

    @Test func loginSessionCSRFAndRateLimit() async throws {
        let h = try await ServerHarness.make()
        _ = try h.addAdmin("alice", password: "le bon mot de passe")
        _ = try h.addAdmin("bob", password: "le mot de passe de bob")
        try await h.with { s in
            // A login form without its cookie is refused.
            let (noCookie, _, _) = try await h.send(s, "POST", "/admin/login", form: ["csrf": "x", "name": "alice", "password": "le bon mot de passe"])
            #expect(noCookie == 403)
            let (wrong, none, _) = try await login(h, s, "alice", "pas le bon")
            #expect(wrong == 401 && none == nil)
            let (unknown, _, _) = try await login(h, s, "personne", "pas le bon")
            #expect(unknown == 401)
            let (ok, cookie, headers) = try await login(h, s, "alice", "le bon mot de passe")
            #expect(ok == 303 && headers["location"] == "/admin/stale")
            let setCookie = try #require(headers["set-cookie"])
            for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/admin"] { #expect(setCookie.contains(attribute)) }
            let session = try #require(cookie)
            // Only the hash of the session id is stored.
            let stored = try #require(session.split(separator: "=").last.map(String.init))
            #expect(try h.store.session(idHash: stored, now: ServerHarness.referenceDate) == nil)

            // Every page answers with the session, and carries the CSRF token in its forms.
            let (listing, run) = try ids(h)
            for path in ["/admin", "/admin/sources/demo-agenda", "/admin/runs/\(run)", "/admin/changes?since=2026-01-01&until=2026-12-31", "/admin/stale",
                         "/admin/listings?q=gem", "/admin/listings/\(listing)", "/admin/reports?status=all", "/admin/audit"] {
                let (status, page, _) = try await h.send(s, "GET", path, headers: [("Cookie", session)])
                #expect(status == 200, "\(path)")
                #expect(page.contains("<html lang=\"fr\">") && page.contains("Se déconnecter (alice)"), "\(path)")
            }
            let (sources, page, _) = try await h.send(s, "GET", "/admin", headers: [("Cookie", session)])
            #expect(sources == 200 && page.contains("demo-annuaire") && page.contains("Lancer maintenant"))
            let token = try csrf(page)

            // CSRF: a form without the token, or with another, is refused and changes nothing.
            for form in [[:], ["csrf": "faux"]] as [[String: String]] {
                let (status, _, _) = try await h.send(s, "POST", "/admin/listings/\(listing)/hide", headers: [("Cookie", session)], form: form)
                #expect(status == 403)
            }
            #expect(try h.store.listing(id: listing)?.hidden == false)
            let (hidden, _, _) = try await h.send(s, "POST", "/admin/listings/\(listing)/hide", headers: [("Cookie", session)], form: ["csrf": token])
            #expect(hidden == 303)
            #expect(try h.store.listing(id: listing)?.hidden == true)
            let (shown, _, _) = try await h.send(s, "POST", "/admin/listings/\(listing)/show", headers: [("Cookie", session)], form: ["csrf": token])
            #expect(shown == 303)
            #expect(try h.store.listing(id: listing)?.hidden == false)
            // Run now: starts a run of the source, recorded with who asked.
            let (started, _, location) = try await h.send(s, "POST", "/admin/sources/demo-agenda/run", headers: [("Cookie", session)], form: ["csrf": token])
            #expect(started == 303 && location["location"]?.contains("notice=run-") == true)
            await h.setup.scheduler.waitForIdle()
            #expect(try h.store.runs(sourceID: "demo-agenda", limit: 1).first?.trigger == "admin:alice")

            // Logout closes the session.
            let (out, _, _) = try await h.send(s, "POST", "/admin/logout", headers: [("Cookie", session)], form: ["csrf": token])
            #expect(out == 303)
            let (after, _, _) = try await h.send(s, "GET", "/admin", headers: [("Cookie", session)])
            #expect(after == 303)

            // Five failures for an account: even the right password is refused for a while.
            for _ in 0..<5 { _ = try await login(h, s, "bob", "mauvais") }
            let (limited, noSession, _) = try await login(h, s, "bob", "le mot de passe de bob")
            #expect(limited == 429 && noSession == nil)
            let actions = try h.store.auditLog(limit: 100).map(\.action)
            for a in ["login", "login.failed", "login.limited", "logout", "listing.hide", "listing.show", "source.run"] { #expect(actions.contains(a), "\(a)") }
        }
    }

    @Test func editsSurviveReimportsAndStaleListingsWaitForAnAdmin() async throws {
        let h = try await ServerHarness.make()
        let token = try h.addAdmin("alice")
        let auth = [("Authorization", "Bearer " + token)]
        let file = SharedData.temporaryDirectory("admin-csv").appendingPathComponent("gems.csv")
        func write(_ rows: [String]) throws {
            try Data(("Nom;Adresse;Code postal;Commune;Téléphone;Description\n" + rows.joined(separator: "\n") + "\n").utf8).write(to: file)
        }
        try write(["GEM Alpha;1 rue A;21000;Dijon;03 53 01 00 01;Jeux.", "GEM Beta;2 rue B;21000;Dijon;03 53 01 00 02;Sorties."])
        let m = Manifest(id: "gems", title: "GEM", url: file.absoluteString, format: .csv, kind: .gem, staleAfterRuns: 3)
        #expect(await h.context.importer.run(m).status == .success)
        let alpha = try #require(try h.store.search(SearchQuery(text: "Alpha", page: 1, perPage: 1)).listings.first)
        let beta = try #require(try h.store.search(SearchQuery(text: "Beta", page: 1, perPage: 1)).listings.first)
        try await h.with { s in
            // An admin corrects the phone (typed as people write it) and the opening hours.
            let (status, body, _) = try await h.send(
                s, "PATCH", "/api/admin/listings/\(alpha.id)", headers: auth, json: #"{"fields": {"phones": "03.53.01.99.99", "schedule": "le mardi de 14h à 17h"}}"#)
            #expect(status == 200, "\(body)")
            #expect(body.contains("+33353019999"))
            let (bad, message, _) = try await h.send(s, "PATCH", "/api/admin/listings/\(alpha.id)", headers: auth, json: #"{"fields": {"phones": "12"}}"#)
            #expect(bad == 400 && message.contains("téléphone"))
            let (badField, _, _) = try await h.send(s, "PATCH", "/api/admin/listings/\(alpha.id)", headers: auth, json: #"{"fields": {"patient": "x"}}"#)
            #expect(badField == 400)

            // The source changes its phone and description: the edit wins, the rest comes in.
            try write(["GEM Alpha;1 rue A;21000;Dijon;03 53 01 00 11;Jeux et théâtre.", "GEM Beta;2 rue B;21000;Dijon;03 53 01 00 02;Sorties."])
            #expect(await h.context.importer.run(m).status == .success)
            let after = try #require(try h.store.listing(id: alpha.id))
            #expect(after.content.phones.map(\.number) == ["+33353019999"])
            #expect(after.content.description == "Jeux et théâtre.")
            #expect(after.content.schedule.rules.count == 1)
            let (_, detail, _) = try await h.send(s, "GET", "/api/admin/listings/\(alpha.id)", headers: auth)
            #expect(detail.contains("\"author\":\"alice\""))
            // Back to the source's value.
            let (reset, _, _) = try await h.send(s, "PATCH", "/api/admin/listings/\(alpha.id)", headers: auth, json: #"{"fields": {"phones": null}}"#)
            #expect(reset == 200)
            #expect(try h.store.listing(id: alpha.id)?.content.phones.map(\.number) == ["+33353010011"])

            // Beta vanishes from the source: stale, still listed, waiting for a decision.
            try write(["GEM Alpha;1 rue A;21000;Dijon;03 53 01 00 11;Jeux et théâtre."])
            _ = await h.context.importer.run(m)
            let (_, stale, _) = try await h.send(s, "GET", "/api/admin/stale", headers: auth)
            #expect(stale.contains(beta.id))
            _ = await h.context.importer.run(m)  // another run, below stale_after_runs
            #expect(try h.store.listing(id: beta.id)?.stale == true)
            // Removing a listing its source still publishes is refused: it would come back.
            let (conflict, why, _) = try await h.send(s, "DELETE", "/api/admin/listings/\(alpha.id)", headers: auth)
            #expect(conflict == 409 && why.contains("masquez"))
            let (removed, _, _) = try await h.send(s, "POST", "/api/admin/stale/\(beta.id)/remove", headers: auth)
            #expect(removed == 200)
            #expect(try h.store.listing(id: beta.id) == nil)
            let (_, changes, _) = try await h.send(s, "GET", "/api/admin/changes?source=gems&since=2026-11-01&until=2026-11-30", headers: auth)
            #expect(changes.contains("\"action\":\"stale\""))
            let (_, all, _) = try await h.send(s, "GET", "/api/admin/changes?listing=\(beta.id)", headers: auth)
            #expect(all.contains("\"action\":\"removed\"") && all.contains("\"actor\":\"alice\""))
            let (_, audit, _) = try await h.send(s, "GET", "/api/admin/audit", headers: auth)
            #expect(audit.contains("stale.remove") && audit.contains("listing.edit"))

            // Updated fields show before and after.
            let (_, run, _) = try await h.send(s, "GET", "/api/admin/changes?listing=\(alpha.id)", headers: auth)
            #expect(run.contains("Jeux.") && run.contains("Jeux et théâtre."))
        }
    }

    @Test func reportsAreAcceptedIntoEditsOrDismissed() async throws {
        let h = try await ServerHarness.make()
        let token = try h.addAdmin("alice")
        let auth = [("Authorization", "Bearer " + token)]
        let (listing, _) = try ids(h)
        try await h.with { s in
            let (sent, _, _) = try await h.send(
                s, "POST", "/ressources/\(listing)/signaler",
                form: ["field": "phones", "message": "Le numéro a changé.", "suggested": "04 78 12 34 56", "contact_email": ""])
            #expect(sent == 200)
            let (other, _, _) = try await h.send(s, "POST", "/ressources/\(listing)/signaler", form: ["message": "Fermé ?"])
            #expect(other == 200)
            let (_, inbox, _) = try await h.send(s, "GET", "/api/admin/reports", headers: auth)
            let reports = try #require((try JSONSerialization.jsonObject(with: Data(inbox.utf8)) as? [String: Any])?["reports"] as? [[String: Any]])
            #expect(reports.count == 2)
            let first = try #require(reports.first { $0["field"] as? String == "phones" }?["id"] as? Int)
            let second = try #require(reports.first { $0["field"] == nil }?["id"] as? Int)
            let (accepted, body, _) = try await h.send(s, "POST", "/api/admin/reports/\(first)/accept", headers: auth)
            #expect(accepted == 200 && body.contains("phones"))
            #expect(try h.store.listing(id: listing)?.content.phones.map(\.number) == ["+33478123456"])
            let (again, _, _) = try await h.send(s, "POST", "/api/admin/reports/\(first)/accept", headers: auth)
            #expect(again == 409)
            let (dismissed, _, _) = try await h.send(s, "POST", "/api/admin/reports/\(second)/dismiss", headers: auth)
            #expect(dismissed == 200)
            let (_, open, _) = try await h.send(s, "GET", "/api/admin/reports", headers: auth)
            #expect(open.contains("\"reports\":[]"))
            let (_, everything, _) = try await h.send(s, "GET", "/api/admin/reports?status=all", headers: auth)
            #expect(everything.contains("\"status\":\"accepted\"") && everything.contains("\"status\":\"dismissed\""))
            let (badStatus, _, _) = try await h.send(s, "GET", "/api/admin/reports?status=tout", headers: auth)
            #expect(badStatus == 400)
        }
    }
}
