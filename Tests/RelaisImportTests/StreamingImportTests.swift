import Foundation
import RelaisApp
import RelaisFetch
import RelaisImport
import RelaisMerge
import RelaisModel
@testable import RelaisSources
import RelaisStore
import RelaisStoreSQLite
import RelaisTestSupport
import Testing

/// A source is read a part at a time: a paged API's pages wait on disk between the fetch and
/// the read, each page is parsed once, and its records go to the run's transaction as they
/// are made. Real server on 127.0.0.1, real files, real SQLite.
@Suite(.serialized) struct StreamingImportTests {
    // MARK: - A page's own members, without its records

    @Test func topLevelMembersAreFoundWithoutParsingTheRecords() throws {
        let page = #"{"contents": [{"name": "}{\"] piège", "n": [1, {"a": []}]}], "total_pages": 3, "last_page": false, "cl\u00e9": "é", "empty": null}"#
        let top = try TopLevelJSON(bytes: Array(page.utf8), url: "u")
        #expect(top.isObject)
        #expect(top.isArray("contents") && !top.isEmptyArray("contents"))
        #expect((top.value("total_pages") as? NSNumber)?.intValue == 3)
        #expect((top.value("last_page") as? Bool) == false)
        #expect((top.value("clé") as? String) == "é")
        #expect(top.value("empty") == nil && top.value("absent") == nil)
        #expect(try TopLevelJSON(bytes: Array("\u{FEFF} { \"contents\" : [ \n ] } ".utf8), url: "u").isEmptyArray("contents"))
        #expect(try !TopLevelJSON(bytes: Array("[1, 2]".utf8), url: "u").isObject)
    }

    @Test func brokenPagesGetTheReadersMessages() {
        func message(_ text: String) -> String {
            do { _ = try TopLevelJSON(bytes: Array(text.utf8), url: "https://exemple.fr/p"); return "" } catch { return "\(error)" }
        }
        #expect(message(#"{"contents": [{"id": 1}"#).contains("JSON tronqué"))
        #expect(message(#"{"contents": "sans fin"#).contains("JSON tronqué"))
        #expect(message(#"{"a": 1} {"b": 2}"#).contains("JSON invalide"))
        #expect(message(#"{"a" 1}"#).contains("JSON invalide"))
        #expect(message("<!DOCTYPE html><html></html>").contains("page HTML"))
        #expect(message("").contains("JSON tronqué"))
    }

    /// Every prefix of a page, and every page with one byte changed, is an answer or an error.
    @Test func theScannerIsTotal() {
        let page = Array(#"{"contents": [{"id": "a\"b", "x": [1, 2, {"y": "}"}]}], "total_pages": 2, "next": "/p?page=2"}"#.utf8)
        for n in 0...page.count { _ = try? TopLevelJSON(bytes: Array(page.prefix(n)), url: "u") }
        for i in page.indices {
            for b: UInt8 in [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x00, 0xFF] {
                var changed = page
                changed[i] = b
                _ = try? TopLevelJSON(bytes: changed, url: "u")
            }
        }
    }

    // MARK: - Pages on disk

    @Test func pagesGoToDiskPastTheThresholdAndLeaveWithTheLastDocument() throws {
        var folder: String?
        do {
            let spool = PageSpool(threshold: 10)
            let small = try spool.keep(Document(url: "p1", body: Array("12345".utf8)))
            #expect(small.spooled == nil && small.body.count == 5)
            let large = try spool.keep(Document(url: "p2", body: Array("0123456789".utf8)))
            let path = try #require(large.spooled?.path)
            #expect(large.body.isEmpty && large.byteCount == 10)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try large.contents() == Array("0123456789".utf8))
            #expect(try small.contents() == Array("12345".utf8))
            #expect(Payload(documents: [small, large]).estimatedRecords == 0)
            folder = (path as NSString).deletingLastPathComponent
        }
        // The documents and the spool are gone: so is the folder.
        #expect(!FileManager.default.fileExists(atPath: try #require(folder)))
    }

    /// A process killed mid-run leaves its spool: the next spool removes it once that process is
    /// gone and the folder is old, never a live process's, never a recent one.
    @Test func spoolsOfKilledProcessesAreSweptAway() throws {
        let temporary = SharedData.temporaryDirectory("spools")
        let fm = FileManager.default
        func folder(_ name: String, hoursAgo: Double) throws -> String {
            let path = temporary.appendingPathComponent(name).path
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data("page".utf8).write(to: URL(fileURLWithPath: path + "/1"))
            try fm.setAttributes([.modificationDate: Date().addingTimeInterval(-hoursAgo * 3600)], ofItemAtPath: path)
            return path
        }
        // A pid that cannot exist (above Linux's largest), one that does (this process), an old and a recent folder.
        let dead = try folder("relais-pages-2147483646-old", hoursAgo: 7)
        let recent = try folder("relais-pages-2147483646-recent", hoursAgo: 1)
        let mine = try folder("relais-pages-\(ProcessInfo.processInfo.processIdentifier)-old", hoursAgo: 7)
        let other = try folder("not-relais-2147483646", hoursAgo: 7)
        PageSpool.sweep(temporary)
        #expect(!fm.fileExists(atPath: dead))
        #expect(fm.fileExists(atPath: recent) && fm.fileExists(atPath: mine) && fm.fileExists(atPath: other))
    }

    // MARK: - A paged API, streamed into one transaction

    static func service(_ id: String, _ name: String) -> [String: Any] {
        ["id": id, "name": name, "service_at_locations": [["location": ["addresses": [["address_1": "2 rue des Écoles", "city": "Blois", "postal_code": "41000"]]]]]]
    }

    static func write(_ pages: [[[String: Any]]], to dir: URL) throws {
        for (i, contents) in pages.enumerated() {
            let o: [String: Any] = ["contents": contents, "total_pages": pages.count, "page_number": i + 1, "last_page": i == pages.count - 1]
            try JSONSerialization.data(withJSONObject: o).write(to: dir.appendingPathComponent("hsds-services-p\(i + 1).json"))
        }
    }

    @Test func aPageThatCannotBeReadFailsTheRunAndTheStoreKeepsWhatItHad() async throws {
        let env = try TestEnvironment(environment: ["RELAIS_SPOOL_BYTES": "0"])
        let site = env.dir.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        let pages = (0..<3).map { p in (1...400).map { n in Self.service("s\(p)-\(n)", "GEM Page \(p) numéro \(n)") } }
        try Self.write(pages, to: site)
        try await TestHTTPServer.with(FixtureRoutes.router(serving: site)) { server in
            let manifest = env.manifest("api", url: "\(server.baseURL)/hsds/services", format: .hsds)
            let first = await env.importer.run(manifest)
            #expect(first.status == .success && first.added == 1200, "\(first.message ?? "")")
            let before = try env.snapshot()
            // Page 2 renames a listing; page 3 is cut off in the middle.
            var changed = pages
            changed[1][0] = Self.service("s1-1", "GEM Renommé")
            try Self.write(changed, to: site)
            let body = try Data(contentsOf: site.appendingPathComponent("hsds-services-p3.json"))
            try body.prefix(body.count / 2).write(to: site.appendingPathComponent("hsds-services-p3.json"))
            let second = await env.importer.run(manifest)
            #expect(second.status == .failed)
            #expect(second.message?.contains("JSON tronqué") == true, "\(second.message ?? "")")
            #expect(try env.snapshot() == before)
            // Whole again: applied, the rename with it.
            try Self.write(changed, to: site)
            let third = await env.importer.run(manifest)
            #expect(third.status == .success && third.updated == 1, "\(third.message ?? "")")
            #expect(try env.listing(named: "GEM Renommé") != nil)
        }
    }

    // MARK: - The feed holds a few chunks, not the source

    @Test func aProducerAheadOfTheWriterWaits() async throws {
        let feed = RunFeed(window: 2)
        let added = Counter()
        Thread.detachNewThread {
            for i in 0..<6 {
                feed.add([], chunk: i)
                added.increment()
            }
            feed.finish(chunks: 6, verdict: .apply(issues: []))
        }
        // Chunks 0 and 1 fit in the window; chunk 2 waits for the writer.
        for _ in 0..<500 where added.value < 2 { try await Task.sleep(nanoseconds: 10_000_000) }
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(added.value == 2)
        var taken = 0
        while feed.nextChunk() != nil { taken += 1 }
        #expect(taken == 6 && added.value == 6)
        guard case .apply = feed.finalVerdict() else { Issue.record("verdict"); return }
    }

    @Test func aStoppedFeedReleasesAWaitingProducer() async throws {
        let feed = RunFeed(window: 1)
        let added = Counter()
        Thread.detachNewThread {
            for i in 0..<3 {
                feed.add([], chunk: i)
                added.increment()
            }
        }
        for _ in 0..<500 where added.value < 1 { try await Task.sleep(nanoseconds: 10_000_000) }
        feed.stop()
        for _ in 0..<500 where added.value < 3 { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(added.value == 3)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
