import Foundation
import Testing
@testable import RelaisServer

/// gzip for clients that accept it, decoded by libcurl (another implementation) in these tests.
@Suite struct CompressionTests {
    @Test func readsAcceptEncodingAsRFC9110Says() {
        let yes = ["gzip", "GZIP", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8, *;q=0.1", "x-gzip", "*", "deflate, *;q=0.5", " gzip ; q=1 ", "br, gzip;Q=0.2"]
        let no = ["", "identity", "br", "gzip;q=0", "gzip; q=0.0", "*;q=0", "br, *;q=0", "gzip;q=0, *;q=1", "gzipx", "deflate", ";gzip", "g,zip", "gzip;q=abc"]
        for v in yes { #expect(ContentCoding.acceptsGzip([v]), "« \(v) »") }
        for v in no { #expect(!ContentCoding.acceptsGzip([v]), "« \(v) »") }
        // Several header lines are one list.
        #expect(ContentCoding.acceptsGzip(["br", "gzip"]))
    }

    /// The byte-level reader against a plain one written from RFC 9110's grammar, on random
    /// headers made of the pieces real and hostile clients send: same answer every time, no trap.
    @Test func readsAcceptEncodingAsAPlainReferenceDoes() {
        func reference(_ values: [String]) -> Bool {
            var gzip: Double?
            var any: Double?
            for value in values {
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let parts = item.split(separator: ";", omittingEmptySubsequences: false)
                    let coding = String(parts[0].filter { $0 != " " && $0 != "\t" }).lowercased()
                    guard !coding.isEmpty else { continue }
                    var q = 1.0
                    for p in parts.dropFirst() {
                        let param = p.filter { $0 != " " && $0 != "\t" }
                        if param.count >= 2, param.first?.lowercased() == "q", param.dropFirst().first == "=" {
                            q = Double(String(param.dropFirst(2))) ?? 0
                        }
                    }
                    if coding == "gzip" || coding == "x-gzip" { gzip = max(gzip ?? 0, q) } else if coding == "*" { any = q }
                }
            }
            return (gzip ?? any ?? 0) > 0
        }
        let pieces = ["gzip", "GZip", "x-gzip", "*", "br", "deflate", "identity", "gzipx", "g", ",", ",", ";", ";q=0", ";q=1", ";Q=0.5", "; q = 0",
                      ";q=", ";q=abc", ";level=1", " ", "\t", "é", "zstd", ";q=0.001", ";q=1e-9", ";q=-1", ";q=nan"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let lines = (0..<Int.random(in: 1...2, using: &generator)).map { _ in
                (0..<Int.random(in: 0...7, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            }
            #expect(ContentCoding.acceptsGzip(lines) == reference(lines), "« \(lines) »")
        }
    }

    @Test func compressesTextualTypesOnly() {
        let yes = ["application/json; charset=utf-8", "Application/JSON", "text/html; charset=utf-8", "text/css", "text/csv", "application/geo+json",
                   "application/x-ndjson", "image/svg+xml", "application/javascript", "application/xml", "text/calendar; charset=utf-8"]
        let no = ["image/png", "application/octet-stream", "application/zip", "application/gzip", "font/woff2", "application/jsonp"]
        for t in yes { #expect(ContentCoding.compressible(type: t), "« \(t) »") }
        for t in no { #expect(!ContentCoding.compressible(type: t), "« \(t) »") }
    }

    @Test func answersInGzipOnlyWhenAsked() async throws {
        let h = try await ServerHarness.make(fixtures: true)
        try await h.with { server in
            let path = "/api/referrals?needs=famille&audience=proche&near=75011&radius_km=30"
            let (s0, plain, h0) = try await h.send(server, "GET", path, headers: [("Accept-Encoding", "identity")])
            #expect(s0 == 200 && h0["content-encoding"] == nil && h0["vary"]?.contains("Accept-Encoding") == true)
            #expect(plain.utf8.count > 1024)
            let (s1, decoded, h1) = try await h.send(server, "GET", path, headers: [("Accept-Encoding", "gzip")])
            #expect(s1 == 200 && h1["content-encoding"] == "gzip")
            #expect(Int(h1["content-length"] ?? "") ?? .max < plain.utf8.count / 2)
            #expect(decoded == plain)
            let (_, refused, h2) = try await h.send(server, "GET", path, headers: [("Accept-Encoding", "gzip;q=0, br")])
            #expect(h2["content-encoding"] == nil && refused == plain)
            // Pages too.
            let (_, page, h3) = try await h.send(server, "GET", "/", headers: [("Accept-Encoding", "gzip")])
            #expect(h3["content-encoding"] == "gzip" && page.contains("<html"))
        }
    }
}
