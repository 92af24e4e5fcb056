import Foundation
import RelaisModel
import RelaisTestSupport
import Testing
@testable import RelaisServer

/// The OpenAPI document says what the router serves, no more, no less; the repository's
/// `openapi.json` is the document the server serves.
@Suite struct OpenAPITests {
    /// The router's public routes (`/api/…` but the admin's, `/hsds…`, `/health`, `/openapi.json`), as OpenAPI writes paths.
    static func publicRoutes(_ h: ServerHarness) async -> Set<String> {
        let router = await RelaisServer.router(h.setup)
        var out: Set<String> = []
        for route in router.routes {
            let path = "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            let full = "/" + path
            guard (full.hasPrefix("/api/") && !full.hasPrefix("/api/admin")) || full == "/hsds" || full.hasPrefix("/hsds/") || full == "/health" || full == "/openapi.json" else { continue }
            out.insert("\(route.method.rawValue) \(full)")
        }
        return out
    }

    @Test func everyPublicRouteIsDocumentedAndNothingElse() async throws {
        let h = try await ServerHarness.make()
        let routes = await Self.publicRoutes(h)
        let documented = Set(OpenAPIDocument.operations().map { "\($0.method) \($0.path)" })
        #expect(routes.subtracting(documented).isEmpty, "routes missing from the document: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented routes that do not exist: \(documented.subtracting(routes).sorted())")
        #expect(routes.contains("GET /hsds/services/{id}") && routes.contains("POST /api/referrals"))
    }

    /// `openapi.json` at the root of the repository is what `/openapi.json` serves.
    /// `RELAIS_WRITE_OPENAPI=1 swift test --filter OpenAPITests` writes it again.
    @Test func theRepositoryCopyIsTheServedDocument() async throws {
        let h = try await ServerHarness.make()
        let served = try await h.with { server in try await h.get(server, "/openapi.json") }
        #expect(served.0 == 200 && served.2["content-type"]?.hasPrefix("application/json") == true)
        let file = SharedData.projectRoot.appendingPathComponent("openapi.json")
        if ProcessInfo.processInfo.environment["RELAIS_WRITE_OPENAPI"] == "1" { try Data(served.1.utf8).write(to: file) }
        let kept = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        #expect(kept == served.1, "openapi.json differs from what the server serves: RELAIS_WRITE_OPENAPI=1 swift test --filter OpenAPITests")
        let object = try JSONSerialization.jsonObject(with: Data(served.1.utf8)) as? [String: Any]
        #expect(object?["openapi"] as? String == "3.1.0")
    }
}
