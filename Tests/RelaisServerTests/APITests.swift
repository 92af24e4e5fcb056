import Foundation
import RelaisTestSupport
import Testing

/// The JSON API over a live server on 127.0.0.1.
@Suite(.serialized) struct APITests {
    @Test func healthAndServicesInHSDSPageShape() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            let (status, health) = try await h.json(s, "/health")
            #expect(status == 200 && health["status"] as? String == "ok")
            let (st, page) = try await h.json(s, "/api/services?q=entraide")
            #expect(st == 200)
            for key in ["total_items", "total_pages", "page_number", "size", "contents"] { #expect(page[key] != nil, "\(key)") }
            let contents = page["contents"] as? [[String: Any]] ?? []
            #expect(!contents.isEmpty)
            #expect(contents.allSatisfy { ($0["demo"] as? Bool) == true && ($0["demo_label"] as? String) == "données de démonstration" })
            let gem = try #require(contents.first { ($0["kind"] as? String) == "gem" })
            let phones = gem["phones"] as? [[String: Any]] ?? []
            #expect((phones.first?["number"] as? String)?.hasPrefix("+33") == true)
            let loc = ((gem["service_at_locations"] as? [[String: Any]])?.first?["location"] as? [String: Any])
            #expect(loc?["latitude"] is Double)
            let (_, paged) = try await h.json(s, "/api/services?kind=gem&per_page=2&page=2")
            #expect(paged["page_number"] as? Int == 2 && (paged["contents"] as? [Any])?.count == 2)
            let (_, byDep) = try await h.json(s, "/api/services?departement=75&need=famille")
            #expect((byDep["contents"] as? [[String: Any]] ?? []).allSatisfy { (($0["needs"] as? [String]) ?? []).contains("famille") })
        }
    }

    @Test func badParametersAnswer400NamingTheParameter() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            for (path, parameter) in [
                ("/api/services?page=-3&per_page=abc", "page"), ("/api/services?per_page=abc", "per_page"), ("/api/services?per_page=1000", "per_page"),
                ("/api/services?kind=hopital", "kind"), ("/api/services?need=medicaments", "need"), ("/api/services?departement=99", "departement"),
                ("/api/referrals?needs=medicaments&near=75014", "needs"), ("/api/referrals?needs=famille&audience=voisin&near=75014", "audience"),
                ("/api/referrals?needs=famille&near=Atlantide", "near"), ("/api/referrals?needs=famille&near=75014&radius_km=-4", "radius_km"),
                ("/api/referrals?needs=famille&near=75014&date=demain", "date"), ("/api/referrals?needs=famille&near=75014&modalite=pigeon", "modalite"),
                ("/api/sessions?kind=hopital", "kind"), ("/api/sessions?from=hier", "from"),
            ] {
                let (status, body) = try await h.json(s, path)
                #expect(status == 400, "\(path)")
                let error = body["error"] as? [String: Any]
                #expect(error?["parameter"] as? String == parameter, "\(path) → \(String(describing: error))")
                #expect((error?["message"] as? String)?.isEmpty == false)
            }
            let (_, unknown) = try await h.json(s, "/api/referrals?needs=medicaments&near=75014")
            #expect(((unknown["error"] as? [String: Any])?["valid"] as? [String])?.contains("isolement") == true)
            let (st, ambiguous) = try await h.json(s, "/api/referrals?needs=isolement&near=Saint-Denis")
            #expect(st == 400)
            let choices = ((ambiguous["error"] as? [String: Any])?["choices"] as? [String]) ?? []
            #expect(choices.contains { $0.contains("(93)") } && choices.contains { $0.contains("(974)") })
        }
    }

    @Test func referralsAnswerWithDisclaimerReasonsAndContacts() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            let (status, body, _) = try await h.get(s, "/api/referrals?needs=famille,isolement&audience=proche&near=75011&radius_km=10&date=2026-11-23")
            #expect(status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect((json["disclaimer"] as? String)?.contains("pas une prescription médicale") == true)
            #expect(json["emergency"] is NSNull)
            let suggestions = json["suggestions"] as? [[String: Any]] ?? []
            #expect(!suggestions.isEmpty)
            for item in suggestions {
                #expect(item["id"] is String && item["name"] is String && item["kind"] is String)
                #expect(!(item["reasons"] as? [String] ?? []).isEmpty)
                #expect(item["contact"] is [String: Any])
                #expect(item["last_verified"] is String)
                // Demonstration data is said to be so; the curated national lines are not demonstration data.
                #expect(item["demo"] as? Bool == true || (item["sources"] as? [String]) == ["relais-national"])
            }
            #expect(suggestions.first { $0["kind"] as? String == "ligne_ecoute" }.map { $0["distance_km"] == nil } ?? true)
            let withoutDisclaimer = body.replacingOccurrences(of: json["disclaimer"] as! String, with: "")
            #expect(withoutDisclaimer.range(of: "prescri|ordonnance|posologie|traitement", options: [.regularExpression, .caseInsensitive]) == nil)
            // Crisis: the emergency block comes before any suggestion, in the text too.
            let (_, crisis, _) = try await h.get(s, "/api/referrals?needs=crise&audience=proche&near=75014")
            let e = try #require(crisis.range(of: "\"emergency\""))
            let sug = try #require(crisis.range(of: "\"suggestions\""))
            #expect(e.lowerBound < sug.lowerBound)
            #expect(["3114", "\"15\"", "112"].allSatisfy { crisis.contains($0) })
        }
    }

    @Test func logsHoldNeitherThePlaceNorTheFreeText() async throws {
        let h = try await ServerHarness.make()
        try await h.with { s in
            let situation = "ma fille ne sort plus de sa chambre depuis trois semaines"
            let q = situation.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            _ = try await h.get(s, "/api/referrals?needs=isolement&audience=proche&near=Chen%C3%B4ve&situation=\(q)")
            _ = try await h.get(s, "/api/referrals?needs=famille&near=21300")
            _ = try await h.get(s, "/?q=groupe+de+parole+Dijon")
        }
        let logs = h.log.all.joined(separator: "\n")
        #expect(logs.contains("/api/referrals"))
        for secret in ["chambre", "semaines", "Chen", "21300", "Dijon", "situation", "near="] {
            #expect(!logs.contains(secret), "\(secret) in logs")
        }
    }

    @Test func sessionsSoonestFirst() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { s in
            let (status, body) = try await h.json(s, "/api/sessions?kind=atelier_prospect&near=06000&radius_km=40&from=2026-12-01")
            #expect(status == 200)
            let sessions = body["sessions"] as? [[String: Any]] ?? []
            guard SharedData.requireShared() else { return }
            let starts = sessions.compactMap { $0["starts_at"] as? String }
            #expect(starts.first == "2027-01-16T09:00:00+01:00")
            #expect(starts == starts.sorted())
            let (_, groups) = try await h.json(s, "/api/sessions?kind=groupe_parole&near=33000&radius_km=20&from=2026-11-23")
            let first = (groups["sessions"] as? [[String: Any]] ?? []).first
            #expect(first?["starts_at"] as? String == "2026-11-26T18:00:00+01:00")
        }
    }
}
