import Foundation
import RelaisApp
import RelaisMerge
import RelaisSources
import RelaisStoreSQLite
import RelaisFetch
import RelaisImport
import RelaisModel
import RelaisStore
import RelaisTestSupport
import Testing

/// Links a source sends are fetched under its manifest's policy: a web source
/// cannot make Relais read a local file. Real server on 127.0.0.1, real files.
@Suite(.serialized) struct FetchPolicyImportTests {
    static let fields = ["id": "id", "name": "nom", "kind": "type", "postal_code": "cp", "commune": "ville"]

    /// A page of one listing whose `next` link is `next`.
    static func page(_ id: String, _ name: String, next: String?) -> Data {
        var o: [String: Any] = ["items": [["id": id, "nom": name, "type": "gem", "cp": "41000", "ville": "Blois"]]]
        if let next { o["next"] = next }
        return (try? JSONSerialization.data(withJSONObject: o)) ?? Data()
    }

    /// `site/` is served over HTTP; `secret.json` lies outside it, a valid page a file link could reach.
    func layout() throws -> (env: TestEnvironment, site: URL, secret: URL) {
        let env = try TestEnvironment()
        let site = env.dir.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        let secret = env.dir.appendingPathComponent("secret.json")
        try Self.page("s1", "GEM Fichier Local Secret", next: nil).write(to: secret)
        return (env, site, secret)
    }

    func jsonManifest(_ env: TestEnvironment, url: String, options: [String: String] = [:]) -> Manifest {
        env.manifest("liste", url: url, format: .json, options: ["records": "items", "next": "next"].merging(options) { _, new in new }, fields: Self.fields)
    }

    @Test func aNextLinkToAFileFailsTheRunFromAnHTTPSource() async throws {
        let (env, site, secret) = try layout()
        try Self.page("p1", "GEM Public", next: secret.absoluteString).write(to: site.appendingPathComponent("list.json"))
        let log = RequestLog()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: site, log: log)) { server in
            let run = await env.importer.run(jsonManifest(env, url: "\(server.baseURL)/list.json"))
            #expect(run.status == .failed)
            let message = run.message ?? ""
            #expect(message.contains("lien refusé : file:// depuis une source http:// (seuls les liens http:// et https:// sont suivis)"), "\(message)")
            #expect(message.contains(secret.absoluteString))
            let listings = try env.all()
            #expect(!listings.contains { $0.content.name.contains("Secret") })
            #expect(listings.isEmpty)  // a failed run leaves the store as it was
            #expect(await log.lines == ["GET /list.json 200"])

            // Even with the local network allowed, a file stays out of reach.
            let allowed = await env.importer.run(jsonManifest(env, url: "\(server.baseURL)/list.json", options: ["allow_private_network": "true"]))
            #expect(allowed.status == .failed && allowed.message?.contains("lien refusé") == true)
            let after = try env.all()
            #expect(after.isEmpty)
        }
    }

    @Test func aFileSourceMayFollowFileLinks() async throws {
        let (env, site, secret) = try layout()
        let list = site.appendingPathComponent("list.json")
        try Self.page("p1", "GEM Public", next: secret.absoluteString).write(to: list)
        let run = await env.importer.run(jsonManifest(env, url: list.absoluteString))
        #expect(run.status == .success && run.added == 2)
        #expect(try env.listing(named: "GEM Fichier Local Secret") != nil)

        // …but a file source's links may not reach the web.
        try Self.page("p1", "GEM Public", next: "http://127.0.0.1:9/next.json").write(to: list)
        let web = await env.importer.run(jsonManifest(env, url: list.absoluteString))
        #expect(web.status == .failed)
        #expect(web.message?.contains("lien refusé : http:// depuis une source file:// (seuls les liens file:// sont suivis)") == true)
    }

    @Test func anHSDSDatapackageResourceOnAFileIsRefused() async throws {
        let (env, site, _) = try layout()
        let services = env.dir.appendingPathComponent("services.csv")
        try Data("id,organization_id,name,description,status\nsvc1,org1,GEM Fichier Local Secret,x,active\n".utf8).write(to: services)
        let package: [String: Any] = ["name": "hsds", "resources": [["name": "service", "path": services.absoluteString]]]
        try JSONSerialization.data(withJSONObject: package).write(to: site.appendingPathComponent("datapackage.json"))
        let log = RequestLog()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: site, log: log)) { server in
            let run = await env.importer.run(env.manifest("hsds", url: "\(server.baseURL)/datapackage.json", format: .hsds))
            #expect(run.status == .failed)
            #expect(run.message?.contains("lien refusé : file:// depuis une source http://") == true, "\(run.message ?? "")")
            #expect(run.message?.contains(services.absoluteString) == true)
            let listings = try env.all()
            #expect(listings.isEmpty)
            #expect(await log.lines == ["GET /datapackage.json 200"])
        }
    }

    @Test func theManifestOptionIsKnownAndChecked() throws {
        let base = "id: x\ntitle: X\nurl: https://example.org/x.json\nformat: json\nschedule: every 24h\n"
        let on = try Manifest.parse(base + "options:\n  allow_private_network: true\n", file: "x.yml")
        #expect(on.fetchPolicy.allowsPrivateNetwork)
        #expect(on.fetchPolicy.allowedSchemes == ["https"])
        let off = try Manifest.parse(base, file: "x.yml")
        #expect(!off.fetchPolicy.allowsPrivateNetwork)
        #expect(throws: ManifestError.self) { try Manifest.parse(base + "options:\n  allow_private_network: oui\n", file: "x.yml") }
        let local = try Manifest.parse(base.replacingOccurrences(of: "https://example.org", with: "http://192.168.1.20:8080"), file: "x.yml")
        #expect(local.fetchPolicy.allowsPrivateNetwork)
    }
}
