import Foundation
import Testing
@testable import RelaisServer

/// What HTTP clients expect of every route, checked through libcurl against the server as
/// `relais serve` assembles it.
@Suite struct HTTPSemanticsTests {
    @Test func headAnswersWhatGetAnswersWithoutTheBody() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { server in
            for path in ["/api/services?per_page=3", "/api/referrals?needs=isolement&near=75011", "/", "/static/relais.css", "/adresse-inconnue"] {
                let (gs, gbody, gh) = try await h.send(server, "GET", path, headers: [("Accept-Encoding", "identity")])
                let (hs, hbody, hh) = try await h.send(server, "HEAD", path, headers: [("Accept-Encoding", "identity")])
                #expect(hs == gs, "\(path)")
                #expect(hbody.isEmpty, "\(path)")
                #expect(hh["content-type"] == gh["content-type"] && hh["cache-control"] == gh["cache-control"], "\(path)")
                #expect(Int(hh["content-length"] ?? "") == gbody.utf8.count, "\(path)")
            }
        }
    }

    @Test func otherMethodsOnReadOnlyAddressesAre405WithAllow() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { server in
            for (method, path) in [("POST", "/api/services"), ("DELETE", "/"), ("PUT", "/api/sessions"), ("PATCH", "/static/relais.css")] {
                let (status, body, headers) = try await h.send(server, method, path)
                #expect(status == 405, "\(method) \(path)")
                #expect(headers["allow"] == "GET, HEAD, OPTIONS", "\(method) \(path)")
                #expect(body.contains(#""code":"method_not_allowed""#) && body.contains(#""status":405"#), "\(method) \(path)")
            }
            // An address that also takes a POST says so.
            let (s405, _, h405) = try await h.send(server, "PUT", "/api/referrals")
            #expect(s405 == 405 && h405["allow"] == "GET, HEAD, OPTIONS, POST")
            // Unknown addresses stay 404, and routes of other methods keep their answers.
            #expect(try await h.send(server, "POST", "/adresse-inconnue").0 == 404)
            #expect(try await h.send(server, "DELETE", "/api/services/inconnu").0 == 404)
            #expect(try await h.send(server, "POST", "/admin/login").0 != 405)
        }
    }

    @Test func theReadAPIIsOpenToOtherSitesAndTheAdminIsNot() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { server in
            let (s0, _, h0) = try await h.send(server, "GET", "/api/services", headers: [("Origin", "https://partenaire.example")])
            #expect(s0 == 200 && h0["access-control-allow-origin"] == "*")
            let (s1, _, h1) = try await h.send(server, "OPTIONS", "/api/referrals", headers: [("Origin", "https://partenaire.example"), ("Access-Control-Request-Method", "GET")])
            #expect(s1 == 204 && h1["access-control-allow-origin"] == "*" && h1["access-control-allow-methods"]?.contains("GET") == true)
            #expect(h1["allow"] == "GET, HEAD, OPTIONS, POST")
            let (_, _, h2) = try await h.send(server, "GET", "/api/admin/sources", headers: [("Origin", "https://partenaire.example")])
            #expect(h2["access-control-allow-origin"] == nil)
            let (_, _, h3) = try await h.send(server, "GET", "/", headers: [("Origin", "https://partenaire.example")])
            #expect(h3["access-control-allow-origin"] == nil)
            #expect(try await h.send(server, "OPTIONS", "/adresse-inconnue").0 == 404)
        }
    }

    @Test func listingsAndAssetsAnswer304ToTheirTag() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { server in
            for path in ["/api/services?per_page=5", "/static/relais.css"] {
                let plain = [("Accept-Encoding", "identity")]
                let (s0, body, h0) = try await h.send(server, "GET", path, headers: plain)
                let tag = try #require(h0["etag"], "\(path)")
                #expect(s0 == 200 && !body.isEmpty && !tag.hasPrefix("W/"))
                let (s1, again, h1) = try await h.send(server, "GET", path, headers: plain + [("If-None-Match", tag)])
                #expect(s1 == 304 && again.isEmpty && h1["etag"] == tag, "\(path)")
                // Weak comparison: the gzipped answer's W/ tag matches too; a list and `*` as well.
                #expect(try await h.send(server, "GET", path, headers: [("If-None-Match", "W/" + tag), ("Accept-Encoding", "gzip")]).0 == 304)
                #expect(try await h.send(server, "GET", path, headers: plain + [("If-None-Match", "\"autre\", " + tag)]).0 == 304)
                #expect(try await h.send(server, "GET", path, headers: plain + [("If-None-Match", "\"autre\"")]).0 == 200)
            }
            // Another page of services, another tag.
            let a = try await h.send(server, "GET", "/api/services?per_page=5").2["etag"]
            let b = try await h.send(server, "GET", "/api/services?per_page=5&page=2").2["etag"]
            #expect(a != nil && a != b)
            // A referral says a need and a place: never kept, never tagged.
            let (_, _, r) = try await h.send(server, "GET", "/api/referrals?needs=isolement&near=75011")
            #expect(r["cache-control"] == "no-store" && r["etag"] == nil)
        }
    }

    @Test func tagsAreComparedAsRFC9110Says() {
        typealias C = ConditionalGET<RelaisRequestContext>
        #expect(C.matches(["\"a\""], "\"a\"") && C.matches(["W/\"a\""], "\"a\"") && C.matches(["\"a\""], "W/\"a\""))
        #expect(C.matches(["\"x\", \"a\""], "\"a\"") && C.matches(["\"x\"", "\"a\""], "\"a\"") && C.matches(["*"], "\"a\""))
        #expect(!C.matches(["\"ab\""], "\"a\"") && !C.matches([], "\"a\"") && !C.matches([""], "\"a\""))
    }
}
