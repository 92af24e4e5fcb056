import Foundation
import RelaisModel
import RelaisApp
import RelaisSources
import RelaisStoreSQLite
import HTTPTypes
import RelaisAuth
import RelaisServer
import RelaisStore
import RelaisTestSupport
import Testing

/// Unauthenticated writes are bounded: the report form, login attempts and
/// their audit rows; the client's address comes from the socket unless a
/// trusted proxy is configured; the free-text `situation` travels by POST and
/// is repeated nowhere. Delays are checked with a clock moved by hand.
@Suite(.serialized) struct HardeningTests {
    static let localProxy: TrustedProxies = {
        guard case .success(let p) = TrustedProxies.parse("127.0.0.1, ::1") else { return TrustedProxies() }
        return p
    }()

    func listingID(_ h: ServerHarness) throws -> String {
        try #require(try h.store.search(SearchQuery(text: "entraide", page: 1, perPage: 1)).listings.first?.id)
    }

    func report(_ h: ServerHarness, _ s: TestHTTPServer, _ id: String, from client: String? = nil, message: String = "Le numéro a changé.")
        async throws -> (Int, String, [String: String]) {
        try await h.send(s, "POST", "/ressources/\(id)/signaler", headers: client.map { [("X-Forwarded-For", $0)] } ?? [], form: ["message": message])
    }

    // MARK: Reports

    @Test func aReportFloodGets429AndStoresNoMoreThanTheLimit() async throws {
        let limits = ReportLimits(perClient: [.init(3, per: 600), .init(5, per: 86400)], overall: [.init(100, per: 3600)])
        let h = try await ServerHarness.make(admin: AdminSettings(reports: limits))
        let id = try listingID(h)
        try await h.with { s in
            // Twenty at once from one client: three stored, whatever the interleaving.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { try await report(h, s, id).0 } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 3)
            #expect(statuses.filter { $0 == 429 }.count == 17)
            #expect(try h.store.reportCount() == 3)
            let (status, page, headers) = try await report(h, s, id)
            #expect(status == 429)
            #expect(page.contains("Trop de signalements envoyés depuis cette connexion") && page.contains("réessayez plus tard"))
            let retry = try #require(headers["retry-after"].flatMap { Int($0) })
            #expect(retry > 0 && retry <= 600)
            // Refusals are one audit row a minute, not a row each.
            let limited = try h.store.auditLog(limit: 50).filter { $0.action == "report.limited" }
            #expect(limited.count == 1 && limited.first?.count == 18)

            // Ten minutes later, room again — until the daily cap of five.
            h.clock.advance(601)
            #expect(try await report(h, s, id).0 == 200)
            #expect(try await report(h, s, id).0 == 200)
            #expect(try await report(h, s, id).0 == 429)
            h.clock.advance(601)
            #expect(try await report(h, s, id).0 == 429)
            #expect(try h.store.reportCount() == 5)
            // A day after the first ones, the client may write again.
            h.clock.advance(86400)
            #expect(try await report(h, s, id).0 == 200)

            // Too long: refused with a French message, nothing stored.
            let before = try h.store.reportCount()
            let (long, why, _) = try await report(h, s, id, message: String(repeating: "a", count: 2001))
            #expect(long == 400 && why.contains("2000"))
            let (huge, tooLarge, _) = try await report(h, s, id, message: String(repeating: "é", count: 9000))
            #expect(huge == 413 && tooLarge.contains("Signalement trop long"))
            #expect(try h.store.reportCount() == before)
        }
    }

    @Test func theGlobalReportLimitHoldsAcrossClients() async throws {
        let limits = ReportLimits(perClient: [.init(3, per: 600)], overall: [.init(5, per: 3600)])
        let h = try await ServerHarness.make(admin: AdminSettings(reports: limits, trustedProxies: Self.localProxy))
        let id = try listingID(h)
        try await h.with { s in
            var statuses: [Int] = []
            for i in 0..<8 { statuses.append(try await report(h, s, id, from: "198.51.100.\(i)").0) }
            #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429])
            let (_, page, _) = try await report(h, s, id, from: "198.51.100.99")
            #expect(page.contains("Trop de signalements reçus en ce moment"))
            #expect(try h.store.reportCount() == 5)
        }
    }

    // MARK: Login throttling

    /// Logs in through the form, from `client` (sent as X-Forwarded-For when given).
    func login(_ h: ServerHarness, _ s: TestHTTPServer, _ name: String, _ password: String, from client: String? = nil) async throws -> (Int, [String: String], String) {
        let forwarded = client.map { [("X-Forwarded-For", $0)] } ?? []
        let (_, form, headers) = try await h.send(s, "GET", "/admin/login", headers: forwarded)
        let csrf = try #require(form.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
        let cookie = try #require(headers["set-cookie"]?.firstMatch(of: /relais_login=([^;]+)/)?.1)
        let (status, body, answer) = try await h.send(
            s, "POST", "/admin/login", headers: forwarded + [("Cookie", "relais_login=\(cookie)")], form: ["csrf": String(csrf), "name": name, "password": password])
        return (status, answer, body)
    }

    @Test func failuresFromOneClientDoNotLockTheAdminOut() async throws {
        let h = try await ServerHarness.make(admin: AdminSettings(trustedProxies: Self.localProxy))
        _ = try h.addAdmin("alice", password: "le bon mot de passe")
        try await h.with { s in
            // Client A fails five times (the old limit locked the account for everyone).
            for _ in 0..<5 { #expect(try await login(h, s, "alice", "mauvais", from: "203.0.113.1").0 == 401) }
            let (limited, headers, page) = try await login(h, s, "alice", "le bon mot de passe", from: "203.0.113.1")
            #expect(limited == 429 && headers["set-cookie"]?.contains("relais_session") != true)
            #expect(headers["retry-after"] == "1" && page.contains("réessayez dans 1&nbsp;seconde"))
            // The real admin, elsewhere, signs in.
            let (ok, session, _) = try await login(h, s, "alice", "le bon mot de passe", from: "203.0.113.2")
            #expect(ok == 303 && session["set-cookie"]?.contains("relais_session=") == true)
            // A, after its delay, too.
            h.clock.advance(2)
            #expect(try await login(h, s, "alice", "le bon mot de passe", from: "203.0.113.1").0 == 303)

            // The delay doubles with each failure: 1 s, 2 s, 4 s… up to 15 minutes.
            var waits: [Int] = []
            for _ in 0..<30 {
                let (status, answer, _) = try await login(h, s, "alice", "mauvais", from: "203.0.113.3")
                if status == 429, let w = answer["retry-after"].flatMap({ Int($0) }) {
                    waits.append(w)
                    h.clock.advance(TimeInterval(w))
                } else {
                    #expect(status == 401)
                }
            }
            #expect(waits.prefix(11) == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900])
            #expect(waits.last == 900)
        }
    }

    @Test func manyClientsFailingDelayTheAccountBrieflyNotAKnownClient() async throws {
        let h = try await ServerHarness.make(admin: AdminSettings(trustedProxies: Self.localProxy))
        _ = try h.addAdmin("alice", password: "le bon mot de passe")
        try await h.with { s in
            // The admin signed in from home once.
            #expect(try await login(h, s, "alice", "le bon mot de passe", from: "192.0.2.10").0 == 303)
            // Then ten addresses fail once each: the account is delayed, briefly.
            for i in 0..<10 { #expect(try await login(h, s, "alice", "mauvais", from: "198.51.100.\(i)").0 == 401) }
            let (delayed, headers, _) = try await login(h, s, "alice", "le bon mot de passe", from: "192.0.2.77")
            #expect(delayed == 429)
            #expect(try #require(headers["retry-after"].flatMap { Int($0) }) <= 30)
            // From home (a known client) the admin gets in at once.
            #expect(try await login(h, s, "alice", "le bon mot de passe", from: "192.0.2.10").0 == 303)

            // However long the distributed failures go on, the account's delay stays within 30 seconds.
            var waits: [Int] = []
            for i in 0..<40 {
                let (status, answer, _) = try await login(h, s, "alice", "mauvais", from: "198.51.100.\(100 + i)")
                if status == 429, let w = answer["retry-after"].flatMap({ Int($0) }) {
                    waits.append(w)
                    h.clock.advance(TimeInterval(w))
                }
            }
            #expect(!waits.isEmpty && waits.allSatisfy { $0 <= 30 } && waits.last == 30)
            let (again, retry, _) = try await login(h, s, "alice", "le bon mot de passe", from: "192.0.2.77")
            #expect(again == 429)
            // From a new address, after the short delay.
            h.clock.advance(TimeInterval(try #require(retry["retry-after"].flatMap { Int($0) })))
            #expect(try await login(h, s, "alice", "le bon mot de passe", from: "192.0.2.77").0 == 303)
        }
    }

    @Test func parallelAttemptsAreCountedBeforeThePasswordCheck() async throws {
        let h = try await ServerHarness.make()
        _ = try h.addAdmin("alice", password: "le bon mot de passe")
        try await h.with { s in
            let (_, form, headers) = try await h.send(s, "GET", "/admin/login")
            let csrf = String(try #require(form.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1))
            let cookie = String(try #require(headers["set-cookie"]?.firstMatch(of: /relais_login=([^;]+)/)?.1))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        try await h.send(s, "POST", "/admin/login", headers: [("Cookie", "relais_login=\(cookie)")],
                                         form: ["csrf": csrf, "name": "alice", "password": "mauvais"]).0
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let limit = h.setup.admin.login.freeFailuresPerPair
            #expect(statuses.filter { $0 == 401 }.count == limit)
            #expect(statuses.filter { $0 == 429 }.count == 30 - limit)
        }
        // Exactly `limit` passwords were checked: the failures recorded say so.
        let audit = try h.store.auditLog(limit: 50)
        #expect(audit.filter { $0.action == "login.failed" }.map(\.count).reduce(0, +) == h.setup.admin.login.freeFailuresPerPair)
    }

    @Test func theStoreAdmitsNoMoreThanTheLimitUnderConcurrency() async throws {
        let h = try await ServerHarness.make()
        let store = h.store
        let rule = LoginThrottleRule(key: "paire:test", freeFailures: 5, maxDelay: 900)
        let policy = LoginThrottlePolicy(forgetAfter: 3600, knownClientFor: 86400)
        let now = ServerHarness.referenceDate
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<30 { group.addTask { try store.admitLoginAttempt([rule], policy: policy, actor: "alice", at: now) == .admitted } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 5)
    }

    @Test func aLoginFloodWritesABoundedNumberOfAuditRows() async throws {
        // Every attempt evaluated (distinct clients, no account delay): the worst case for the audit log.
        let settings = AdminSettings(login: LoginThrottleSettings(freeFailuresPerAccount: 100_000), trustedProxies: Self.localProxy)
        let h = try await ServerHarness.make(admin: settings)
        _ = try h.addAdmin("alice", password: "le bon mot de passe")
        let rowsBefore = try h.store.auditRowCount()
        try await h.with { s in
            let (_, form, headers) = try await h.send(s, "GET", "/admin/login")
            let csrf = String(try #require(form.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1))
            let cookie = String(try #require(headers["set-cookie"]?.firstMatch(of: /relais_login=([^;]+)/)?.1))
            for batch in 0..<25 {
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for i in 0..<40 {
                        group.addTask {
                            try await h.send(s, "POST", "/admin/login", headers: [("Cookie", "relais_login=\(cookie)"), ("X-Forwarded-For", "10.\(batch).\(i / 8).\(i)")],
                                             form: ["csrf": csrf, "name": "alice", "password": "mauvais"]).0
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == 401 })
                h.clock.advance(4)  // the flood spans 100 seconds
            }
            // A name that is no account (an unknown name costs a full-cost scrypt check: one is enough here).
            #expect(try await login(h, s, "personne-inconnue", "mauvais", from: "192.0.2.1").0 == 401)
        }
        let audit = try h.store.auditLog(limit: 5000)
        #expect(audit.filter { $0.actor == "alice" && $0.action == "login.failed" }.map(\.count).reduce(0, +) == 1000)
        // One row a minute: the flood spans two minutes; one more for the unknown name.
        #expect(try h.store.auditRowCount() - rowsBefore <= 3)
        // What an attacker typed as a name is not kept.
        #expect(!audit.contains { $0.actor.hasPrefix("personne-") })
        #expect(audit.contains { $0.actor == "(compte inconnu)" && $0.action == "login.failed" })
    }

    // MARK: Client address

    @Test func aSpoofedForwardedForChangesNothingWithoutATrustedProxy() async throws {
        let h = try await ServerHarness.make(admin: AdminSettings(reports: ReportLimits(perClient: [.init(2, per: 600)])))
        _ = try h.addAdmin("alice", password: "le bon mot de passe")
        let id = try listingID(h)
        try await h.with { s in
            for i in 0..<5 { #expect(try await login(h, s, "alice", "mauvais", from: "203.0.113.\(i)").0 == 401) }
            // A sixth "client" is the same socket: still throttled.
            #expect(try await login(h, s, "alice", "le bon mot de passe", from: "203.0.113.200").0 == 429)
            var statuses: [Int] = []
            for i in 0..<4 { statuses.append(try await report(h, s, id, from: "198.51.100.\(i)").0) }
            #expect(statuses == [200, 200, 429, 429])
        }
    }

    @Test func behindATrustedProxyOnlyTheRightMostUntrustedAddressCounts() async throws {
        let h = try await ServerHarness.make(admin: AdminSettings(trustedProxies: Self.localProxy))
        _ = try h.addAdmin("alice", password: "le bon mot de passe")
        try await h.with { s async throws -> Void in
            // The attacker varies what it writes at the left: the proxy's entry (right-most) stays its own.
            for i in 0..<5 { #expect(try await login(h, s, "alice", "mauvais", from: "192.0.2.\(i), 203.0.113.50").0 == 401) }
            #expect(try await login(h, s, "alice", "mauvais", from: "192.0.2.99, 203.0.113.50").0 == 429)
            // Another client behind the same proxy is not affected.
            #expect(try await login(h, s, "alice", "le bon mot de passe", from: "203.0.113.51").0 == 303)
        }
    }

    @Test func forwardedAddressesAreReadStrictly() throws {
        func fields(_ pairs: [(String, String)]) -> HTTPFields {
            var f = HTTPFields()
            for (k, v) in pairs { f.append(HTTPField(name: HTTPField.Name(k)!, value: v)) }
            return f
        }
        guard case .success(let proxies) = TrustedProxies.parse("127.0.0.1 10.0.0.0/8") else { Issue.record("parse"); return }
        let proxy = IPAddress("10.1.2.3")
        #expect(proxies.client(peer: proxy, headers: fields([("X-Forwarded-For", "1.2.3.4, 198.51.100.7, 10.9.9.9")]))?.description == "198.51.100.7")
        #expect(proxies.client(peer: proxy, headers: fields([("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-For", "198.51.100.8")]))?.description == "198.51.100.8")
        // Not from a trusted proxy: the peer, whatever the header says.
        #expect(proxies.client(peer: IPAddress("192.0.2.1"), headers: fields([("X-Forwarded-For", "1.2.3.4")]))?.description == "192.0.2.1")
        // The header the proxy does not write is not read.
        #expect(proxies.client(peer: proxy, headers: fields([("Forwarded", "for=1.2.3.4")]))?.description == "10.1.2.3")
        let rfc = TrustedProxies(proxies.networks, header: .forwarded)
        #expect(rfc.client(peer: proxy, headers: fields([("Forwarded", "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https")]))?.description == "2001:db8:cafe:0:0:0:0:17")
        #expect(rfc.client(peer: proxy, headers: fields([("Forwarded", "for=192.0.2.60:8080")]))?.description == "192.0.2.60")
        // Garbage stops at the last trusted hop.
        #expect(proxies.client(peer: proxy, headers: fields([("X-Forwarded-For", "1.2.3.4, n'importe quoi")]))?.description == "10.1.2.3")
        // IPv6 clients count per /64; IPv4-mapped addresses are IPv4.
        #expect(ClientAddress(address: IPAddress("2001:db8:1:2:aaaa::1")).key == ClientAddress(address: IPAddress("2001:db8:1:2:bbbb::9")).key)
        #expect(ClientAddress(address: IPAddress("::ffff:192.0.2.1")).key == "192.0.2.1")
        for bad in ["", "1.2.3", "300.1.1.1", "::g", "1.2.3.4/33", "abc/8", String(repeating: "1", count: 500)] { #expect(IPNetwork(bad) == nil, "\(bad)") }
        guard case .failure = TrustedProxies.parse("127.0.0.1, proxy.local") else { Issue.record("a host name is no address"); return }
    }

    // MARK: Situation

    @Test func aPostedSituationIsHonouredAndRepeatedNowhere() async throws {
        let h = try await ServerHarness.make()
        let situation = "Il parle d’en finir depuis quelques jours"
        let secrets = ["finir", "quelques jours", "fini"]
        try await h.with { s in
            // The form posts.
            let (_, empty, _) = try await h.get(s, "/orientation?audience=personne")
            #expect(empty.contains(#"<form class="orientation noprint" action="/orientation" method="post">"#) && empty.contains(#"name="situation""#))

            let (status, page, _) = try await h.send(
                s, "POST", "/orientation", form: ["audience": "personne", "needs": "isolement", "near": "21000", "situation": situation])
            #expect(status == 200)
            let emergency = try #require(page.range(of: "id=\"urgence\""))
            let results = try #require(page.range(of: "id=\"resultats\""))
            #expect(emergency.lowerBound < results.lowerBound)
            for secret in secrets { #expect(!page.contains(secret), "\(secret) in the page") }
            // Links and forms: the permalink and the sheet's form carry the other parameters only.
            let permalink = try #require(page.firstMatch(of: /href="(\/orientation\?[^"]+)" data-permalink/)?.1)
            #expect(permalink.contains("near=21000") && !permalink.contains("situation"))
            #expect(!page.contains("name=\"situation\" value"))
            // Without crisis words: no emergency block.
            let (_, calm, _) = try await h.send(
                s, "POST", "/orientation", form: ["audience": "personne", "needs": "isolement", "near": "21000", "situation": "Elle se sent seule depuis son déménagement"])
            #expect(!calm.contains("id=\"urgence\"") && !calm.contains("déménagement"))
            // An ambiguous place: the choices are links without the situation.
            let (amb, choices, _) = try await h.send(s, "POST", "/orientation", form: ["needs": "isolement", "near": "Saint-Denis", "situation": situation])
            #expect(amb == 400 && choices.contains("/orientation?") && !choices.contains("situation=") && !choices.contains("finir"))
            // The sheet's link back drops it, even when a client put it in a URL.
            let (_, sheet, _) = try await h.get(s, "/fiche?needs=isolement&near=21000&situation=en+finir")
            #expect(!sheet.contains("finir"))

            // The API takes it by POST, as JSON or as a form.
            let (st, json, _) = try await h.send(s, "POST", "/api/referrals", json: #"{"needs": ["isolement"], "audience": "personne", "near": "21000", "radius_km": 30, "situation": "Il parle d’en finir depuis quelques jours"}"#)
            #expect(st == 200)
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(!(answer["emergency"] is NSNull) && answer["emergency"] != nil)
            #expect(try #require(json.range(of: "\"emergency\"")).lowerBound < (try #require(json.range(of: "\"suggestions\""))).lowerBound)
            for secret in secrets { #expect(!json.contains(secret)) }
            let (fst, formAnswer, _) = try await h.send(s, "POST", "/api/referrals", form: ["needs": "isolement", "near": "21000", "situation": situation])
            #expect(fst == 200 && !formAnswer.contains("\"emergency\":null"))
            let (calmStatus, calmJSON, _) = try await h.send(s, "POST", "/api/referrals", json: #"{"needs": "isolement", "near": "21000", "situation": "Elle se sent seule"}"#)
            #expect(calmStatus == 200 && calmJSON.contains("\"emergency\":null"))
            let (bad, badJSON, _) = try await h.send(s, "POST", "/api/referrals", json: #"{"needs": {"a": 1}}"#)
            #expect(bad == 400 && badJSON.contains("\"parameter\":\"needs\""))
            let (tooLong, longJSON, _) = try await h.send(s, "POST", "/api/referrals", form: ["needs": "isolement", "near": "21000", "situation": String(repeating: "en finir ", count: 200)])
            #expect(tooLong == 400 && longJSON.contains("\"parameter\":\"situation\"") && !longJSON.contains("finir"))
        }
        // Logs hold the path, never the text.
        let logs = h.log.all.joined(separator: "\n")
        #expect(logs.contains("POST /orientation 200") && logs.contains("POST /api/referrals 200"))
        for secret in secrets + ["situation", "déménagement", "21000"] { #expect(!logs.contains(secret), "\(secret) in logs") }
        // Nor the store: no table holds it (the file and its write-ahead log, byte for byte).
        for file in [h.store.path, h.store.path + "-wal"] {
            guard let bytes = FileManager.default.contents(atPath: file) else { continue }
            for secret in secrets { #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) in \(file)") }
        }
    }
}
