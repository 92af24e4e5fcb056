import Foundation
import Hummingbird
@testable import RelaisFetch
import RelaisTestSupport
import Testing

/// The fetch policy: schemes follow the source's URL, and the local network is
/// refused when the connection opens — real libcurl against real servers on 127.0.0.1.
@Suite struct FetchPolicyTests {
    let dir: URL

    init() throws {
        dir = SharedData.temporaryDirectory("fetch-policy")
        try Data("Nom;Commune\nGEM Test;Dijon\n".utf8).write(to: dir.appendingPathComponent("list.csv"))
        try Data("SECRET\n".utf8).write(to: dir.appendingPathComponent("secret.txt"))
    }

    func fetcher() -> Fetcher {
        Fetcher(configuration: .init(timeouts: .init(connect: 2, total: 5), retry: .init(maxAttempts: 3, baseDelay: 0.05, maxDelay: 0.2)))
    }

    /// A server whose only routes redirect: `/hop?to=URL` answers 302 to URL.
    static func redirector(_ hits: Hits) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/hop") { request, _ in
            await hits.add(request.uri.path)
            let target = request.uri.queryParameters.get("to") ?? "/"
            return Response(status: .found, headers: [.location: target, .contentLength: "0"])
        }
        return router
    }

    static func query(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }

    // MARK: - The classifier

    @Test func classifiesAddressesLikeTheConnectTimeCheck() {
        let local = [
            "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.0.1",
            "192.168.255.255", "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3",
            "::1", "::", "fc00::1", "fd12:3456:789a::1", "fdff:ffff::", "fe80::1", "febf:ffff::1",
            "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::ffff:192.168.1.1", "::ffff:0.0.0.0", "::127.0.0.1",
        ]
        let public_ = [
            "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "192.167.255.255", "192.169.0.1", "169.253.255.255",
            "169.255.0.1", "100.63.255.255", "100.128.0.1", "11.0.0.1", "126.255.255.255", "128.0.0.1", "9.255.255.255",
            "2001:4860:4860::8888", "2606:4700::1111", "fbff::1", "fec0::1", "::ffff:8.8.8.8", "::ffff:172.32.0.1", "2001:db8::1",
        ]
        for a in local { #expect(FetchPolicy.isPrivateAddress(a) == true, "\(a)") }
        for a in public_ { #expect(FetchPolicy.isPrivateAddress(a) == false, "\(a)") }
        for a in ["example.org", "localhost", "", "127.1", "[::1]", "1.2.3.4.5", "::ffff:1.2.3", "fe80::1%lo", "256.0.0.1"] {
            #expect(FetchPolicy.isPrivateAddress(a) == nil, "\(a)")
        }
    }

    @Test func schemesAndPrivateNetworkFollowTheOrigin() {
        #expect(FetchPolicy(origin: "file:///srv/relais/gems.csv").allowedSchemes == ["file"])
        #expect(FetchPolicy(origin: "https://example.org/api").allowedSchemes == ["https"])
        #expect(FetchPolicy(origin: "HTTP://example.org/api").allowedSchemes == ["http", "https"])
        #expect(FetchPolicy(origin: "ftp://example.org/x").allowedSchemes.isEmpty)
        #expect(FetchPolicy(origin: "not a url").allowedSchemes.isEmpty)

        for origin in ["http://127.0.0.1:8080/x.json", "http://localhost/", "http://LOCALHOST./", "http://api.localhost/", "http://[::1]:80/",
                       "https://192.168.1.10/", "http://10.0.0.5/", "http://169.254.169.254/", "http://[fd00::2]/", "http://[::ffff:127.0.0.1]/"] {
            #expect(FetchPolicy(origin: origin).allowsPrivateNetwork, "\(origin)")
        }
        for origin in ["http://example.org/", "https://127.0.0.1.example.org/", "http://localhost.example/", "http://8.8.8.8/",
                       "file:///tmp/x.csv", "http://[2001:db8::1]/", "garbage"] {
            #expect(!FetchPolicy(origin: origin).allowsPrivateNetwork, "\(origin)")
        }
        #expect(FetchPolicy(origin: "https://example.org/", allowPrivateNetwork: true).allowsPrivateNetwork)
    }

    // MARK: - Schemes

    @Test func aFileURLUnderAnHTTPPolicyFailsBeforeCurlRuns() async throws {
        let file = dir.appendingPathComponent("secret.txt").absoluteString
        let error = await #expect(throws: FetchError.self) {
            try await fetcher().fetch(FetchRequest(url: file, policy: FetchPolicy(origin: "http://127.0.0.1:8080/list.json")))
        }
        #expect(error?.reason == .forbiddenScheme("file", origin: "http"))
        #expect(error?.attempts == 1)
        #expect(error?.policyExplanation == "lien refusé : file:// depuis une source http:// (seuls les liens http:// et https:// sont suivis)")

        let upper = await #expect(throws: FetchError.self) {
            try await fetcher().fetch(FetchRequest(url: file.replacingOccurrences(of: "file:", with: "FILE:"), policy: FetchPolicy(origin: "https://example.org/")))
        }
        #expect(upper?.reason == .forbiddenScheme("file", origin: "https"))
    }

    @Test func anHTTPSOriginRefusesClearTextAndAnHTTPOriginMayUpgrade() async throws {
        let log = RequestLog()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir, log: log)) { server in
            let down = await #expect(throws: FetchError.self) {
                try await fetcher().fetch(FetchRequest(url: "\(server.baseURL)/list.csv", policy: FetchPolicy(origin: "https://127.0.0.1/api")))
            }
            #expect(down?.reason == .forbiddenScheme("http", origin: "https"))
            #expect(down?.policyExplanation?.contains("seuls les liens https:// sont suivis") == true)
            #expect(await log.lines.isEmpty)
        }
        #expect(FetchPolicy(origin: "http://example.org/").allows(scheme: "https"))
    }

    @Test func aFileOriginFollowsFileLinks() async throws {
        let origin = dir.appendingPathComponent("list.csv").absoluteString
        let r = try await fetcher().fetch(FetchRequest(url: dir.appendingPathComponent("secret.txt").absoluteString, policy: FetchPolicy(origin: origin)))
        #expect(r.status == 200)
        #expect(String(decoding: r.body, as: UTF8.self) == "SECRET\n")
        // …but not the web.
        let web = await #expect(throws: FetchError.self) {
            try await fetcher().fetch(FetchRequest(url: "http://127.0.0.1:9/x.json", policy: FetchPolicy(origin: origin)))
        }
        #expect(web?.reason == .forbiddenScheme("http", origin: "file"))
    }

    @Test func aRedirectToAFileIsRefused() async throws {
        let hits = Hits()
        let secret = dir.appendingPathComponent("secret.txt").absoluteString
        try await TestHTTPServer.with(Self.redirector(hits)) { server in
            let url = "\(server.baseURL)/hop?to=\(Self.query(secret))"
            let error = await #expect(throws: FetchError.self) {
                try await fetcher().fetch(FetchRequest(url: url, policy: FetchPolicy(origin: server.baseURL + "/feed.json")))
            }
            #expect(error?.reason == .forbiddenScheme("file", origin: "http"))
            #expect(error?.attempts == 1)
            #expect(await hits.paths == ["/hop"])
            // Without a policy the redirect is refused too, as before.
            await #expect(throws: FetchError.self) { try await fetcher().fetch(url) }
        }
    }

    // MARK: - Addresses

    @Test func aPrivateAddressIsRefusedWhenTheOriginIsPublic() async throws {
        let log = RequestLog()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir, log: log)) { server in
            let publicSite = FetchPolicy(origin: "http://example.org/feed.json")
            let error = await #expect(throws: FetchError.self) {
                try await fetcher().fetch(FetchRequest(url: "\(server.baseURL)/list.csv", policy: publicSite))
            }
            #expect(error?.reason == .forbiddenAddress("127.0.0.1"))
            #expect(error?.attempts == 1)  // not retried
            #expect(error?.policyExplanation
                == "adresse interdite : le lien mène au réseau local (127.0.0.1) ; ajoutez allow_private_network: true aux options du manifeste si c’est voulu")
            #expect(error?.description.contains("refused") == true)

            // A name that resolves to loopback is caught when the connection opens.
            let named = await #expect(throws: FetchError.self) {
                try await fetcher().fetch(FetchRequest(url: "http://localhost:\(server.port)/list.csv", policy: publicSite))
            }
            #expect(named?.reason == .forbiddenAddress("127.0.0.1") || named?.reason == .forbiddenAddress("::1"))
            // IPv6 loopback and the IPv4-mapped form of 127.0.0.1.
            for (host, address) in [("[::1]", "::1"), ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1")] {
                let v6 = await #expect(throws: FetchError.self) {
                    try await fetcher().fetch(FetchRequest(url: "http://\(host):\(server.port)/list.csv", policy: publicSite))
                }
                #expect(v6?.reason == .forbiddenAddress(address), "\(host)")
            }
            #expect(await log.lines.isEmpty)

            // Allowed by the manifest option.
            let allowed = FetchPolicy(origin: "http://example.org/feed.json", allowPrivateNetwork: true)
            let r = try await fetcher().fetch(FetchRequest(url: "\(server.baseURL)/list.csv", policy: allowed))
            #expect(r.status == 200)
            // Allowed when the origin itself is on the local network.
            let local = try await fetcher().fetch(FetchRequest(url: "\(server.baseURL)/list.csv", policy: FetchPolicy(origin: server.baseURL + "/feed.json")))
            #expect(local.status == 200)
            #expect(await log.lines == ["GET /list.csv 200", "GET /list.csv 200"])
        }
    }

    @Test func aRedirectToThePrivateNetworkIsRefusedWhenTheConnectionOpens() async throws {
        let hits = Hits()
        let log = RequestLog()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: dir, log: log)) { inner in
            try await TestHTTPServer.with(Self.redirector(hits)) { site in
                // The redirecting server stands for a public site: only its port is exempted.
                var policy = FetchPolicy(origin: "http://example.org/feed.json")
                policy.publicLoopbackPort = UInt16(site.port)
                for target in ["\(inner.baseURL)/list.csv", "http://localhost:\(inner.port)/list.csv", "http://[::ffff:127.0.0.1]:\(inner.port)/list.csv"] {
                    let error = await #expect(throws: FetchError.self) {
                        try await fetcher().fetch(FetchRequest(url: "\(site.baseURL)/hop?to=\(Self.query(target))", policy: policy))
                    }
                    guard case .forbiddenAddress = error?.reason else {
                        Issue.record("\(target): expected a forbidden address, got \(String(describing: error))")
                        continue
                    }
                }
                #expect(await hits.paths == ["/hop", "/hop", "/hop"])
                #expect(await log.lines.isEmpty)
                // The same redirect is followed when the policy allows the local network.
                policy = FetchPolicy(origin: "http://example.org/feed.json", allowPrivateNetwork: true)
                let r = try await fetcher().fetch(FetchRequest(url: "\(site.baseURL)/hop?to=\(Self.query(inner.baseURL + "/list.csv"))", policy: policy))
                #expect(r.status == 200 && r.url.hasSuffix("/list.csv"))
                #expect(await log.lines == ["GET /list.csv 200"])
            }
        }
    }
}

/// Paths a test server was asked for, in order.
actor Hits {
    var paths: [String] = []
    func add(_ path: String) { paths.append(path) }
}
