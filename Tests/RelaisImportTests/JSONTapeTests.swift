import Foundation
import RelaisModel
@testable import RelaisSources
import RelaisTestSupport
import Testing

/// The tape parser against Foundation's `JSONSerialization` as the oracle: the same texts
/// accepted and refused, the same values read, and the HSDS reader's records the same
/// whether a page is read from its tape or from Foundation's tree.
struct JSONTapeTests {
    /// Whether a tape value and a Foundation value are the same JSON.
    static func same(_ r: JSONRef, _ v: Any) -> Bool {
        switch r.kind {
        case .object:
            guard let d = v as? [String: Any] else { return false }
            // Duplicate names: compared by their first occurrence.
            var first: [String: JSONRef] = [:]
            for m in r.members where first[m.key] == nil { first[m.key] = m.value }
            return first.count == d.count && first.allSatisfy { k, v in d[k].map { same(v, $0) } ?? false }
        case .array:
            guard let a = v as? [Any] else { return false }
            let e = r.elements
            return e.count == a.count && zip(e, a).allSatisfy { same($0, $1) }
        case .string: return (v as? String) == r.scalarText
        case .number:
            guard let n = v as? NSNumber, let d = r.scalarText.flatMap(Double.init) else { return false }
            // Foundation keeps long numbers as decimals: equal to the last bits of a Double.
            return n.doubleValue == d || abs(n.doubleValue - d) <= abs(d) * 1e-12
        case .true, .false: return (v as? NSNumber)?.boolValue == r.bool
        case .null: return v is NSNull
        }
    }

    static func foundation(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// Tape and oracle agree on `bytes`: both refuse it, or both read the same value.
    static func agree(_ bytes: [UInt8]) -> Bool {
        let oracle = foundation(bytes)
        let tape = try? JSONTape(bytes)
        switch (tape, oracle) {
        case (nil, nil): return true
        case (let t?, let o?): return same(t.root, o)
        default: return false
        }
    }

    @Test func everyJSONFileOfTheSharedFolderReadsAsFoundationReadsIt() throws {
        try #require(SharedData.available)
        // `../shared` may be a symbolic link (CI links it beside a fresh clone): its target is walked.
        let files = FileManager.default.enumerator(at: SharedData.root.resolvingSymlinksInPath(), includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" } ?? []
        #expect(files.count > 40)
        for f in files {
            let bytes = [UInt8](try Data(contentsOf: f))
            let agreed = Self.agree(bytes)
            #expect(agreed, "\(f.path)")
        }
    }

    @Test func hostileTextsAreRefusedOrReadLikeTheOracle() {
        let texts = [
            "", " ", "{", "}", "[", "]", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\" 1}", "{a:1}",
            "01", "-", "-0", "1.", ".5", "1e", "1e+", "1E-2", "-12.5e10", "1e400", "-1e400", "1.7976931348623157e308",
            "0.000000000000000000000000000000000001", "123456789012345678901234567890",
            "tru", "true", "truex", "nul", "null", "falsey", "\"", "\"abc", "\"a\\\"", "\"\\u00e9\"", "\"\\u00\"", "\"\\x\"",
            "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"", "\"tab\there\"", "\"nl\nhere\"",
            "\"\u{7F}\"", "[1] [2]", "{\"a\":1}x", "\u{FEFF}[1]", "  [ 1 , 2 ]  ", "[\"é\", \"😀\"]", "{\"a\":1,\"a\":1}",
            "[[[[[[[[[[]]]]]]]]]]", "{\"\":\"\"}", "\"\\/\\b\\f\\n\\r\\t\"",
        ]
        for t in texts {
            let agreed = Self.agree(Array(t.utf8))
            #expect(agreed, "« \(t) »")
        }
        // Bytes that are not UTF-8, in a string and outside one.
        for bad: [UInt8] in [[0x22, 0xC3, 0x22], [0x22, 0xFF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x5B, 0x80, 0x5D]] {
            #expect((try? JSONTape(bad)) == nil, "\(bad)")
        }
    }

    /// Every prefix of a page, and the page with each byte changed, as the oracle reads it.
    @Test func cutAndChangedPagesAgreeWithTheOracle() throws {
        let page = Array(#"{"contents": [{"id": "s-1", "name": "GEM « L’Envol »", "n": [1, -2.5e3, true, false, null], "o": {"k": "\u00e9\n"}}], "total_pages": 3}"#.utf8)
        for n in 0...page.count {
            let agreed = Self.agree(Array(page.prefix(n)))
            #expect(agreed, "prefix \(n)")
        }
        for i in page.indices {
            for b: UInt8 in [0x22, 0x5C, 0x7B, 0x5D, 0x2C, 0x3A, 0x30, 0x65, 0x20, 0x00, 0xC3] {
                var changed = page
                changed[i] = b
                let agreed = Self.agree(changed)
                #expect(agreed, "byte \(i) → \(b)")
            }
        }
    }

    @Test func nestingIsBoundedNeverAStackOverflow() throws {
        let ok = String(repeating: "[", count: JSONTape.maxDepth) + String(repeating: "]", count: JSONTape.maxDepth)
        #expect((try? JSONTape(Array(ok.utf8))) != nil)
        let deep = String(repeating: "[", count: JSONTape.maxDepth + 1) + String(repeating: "]", count: JSONTape.maxDepth + 1)
        #expect((try? JSONTape(Array(deep.utf8))) == nil)
        #expect((try? JSONTape(Array(String(repeating: "{\"a\":", count: 200_000).utf8))) == nil)
    }

    @Test func failuresSayWhereAndWhetherTheTextEndedEarly() {
        func failure(_ t: String) -> JSONTape.Failure? {
            do { _ = try JSONTape(Array(t.utf8)); return nil } catch { return error }
        }
        #expect(failure(#"{"contents": [{"id": 1}"#)?.truncated == true)
        #expect(failure(#"{"a": "sans fin"#)?.truncated == true)
        #expect(failure("")?.truncated == true)
        #expect(failure(#"{"a": 1} {"b": 2}"#) == JSONTape.Failure(offset: 9, truncated: false, reason: "texte après la fin du document"))
        #expect(failure(#"{"a" 1}"#)?.offset == 5)
        #expect(failure(#"{"a" 1}"#)?.truncated == false)
    }

    @Test func membersAreFoundByNameEscapedOrNot() throws {
        let t = try JSONTape(Array(#"{"cl\u00e9": 1, "a": null, "b": [1, "x", {"c": 2}], "n": 2.50}"#.utf8))
        #expect(t.root["clé"]?.double == 1)
        #expect(t.root["a"] == nil && t.root["absent"] == nil && t.root["b"]?["c"] == nil)
        #expect(t.root["b"]?.elements.count == 3)
        #expect(t.root["b"]?.string == "1, x")
        #expect(t.root["n"]?.string == "2.50")
        #expect(t.root["b"]?.elements.last?["c"]?.double == 2)
    }

    /// An element of a page's list that is not an object is a rejected row (counted against the
    /// source's share of rejections), never silently dropped; the page's other records are read.
    @Test func anElementThatIsNotAnObjectIsARejectedRow() throws {
        let manifest = try Manifest.parse("id: t\ntitle: T\nurl: https://exemple.fr/hsds/services\nformat: hsds\nschedule: every 24h\n", file: "t.yml")
        let ctx = ReaderContext(manifest: manifest, normalizer: RecordNormalizer(data: TestEnvironment.data, defaultKind: nil), now: TestEnvironment.referenceDate)
        let page = #"{"contents": [{"id": "a", "name": "GEM A"}, 42, "texte", null, {"id": "b", "name": "GEM B"}], "total_pages": 1}"#
        let result = try HSDSReader().page(Document(url: "https://exemple.fr/hsds/services?page=1", body: Array(page.utf8)), number: 1, ctx)
        #expect(result.records.map(\.id) == ["a", "b"])
        #expect(result.issues.map(\.item) == ["page 1, élément 2", "page 1, élément 3", "page 1, élément 4"])
        #expect(result.issues.allSatisfy { $0.severity == .rejected } && result.skipped == 0)
    }

    /// The HSDS reader reads the same records from a page's tape as from Foundation's tree.
    @Test func hsdsRecordsAreTheSameFromTheTapeAndFromFoundationsTree() throws {
        try #require(SharedData.available)
        let manifest = try Manifest.parse("id: t\ntitle: T\nurl: https://exemple.fr/hsds/services\nformat: hsds\nschedule: every 24h\n", file: "t.yml")
        let ctx = ReaderContext(manifest: manifest, normalizer: RecordNormalizer(data: TestEnvironment.data, defaultKind: nil), now: TestEnvironment.referenceDate)
        let reader = HSDSReader()
        var compared = 0
        for name in ["fixtures/hsds-services-p1.json", "fixtures/hsds-services-p2.json", "fixtures/fields/hsds-langues.json"] {
            let bytes = [UInt8](try Data(contentsOf: SharedData.url(name)))
            let tape = try JSONTape(bytes)
            let tree = try #require(Self.foundation(bytes) as? [String: Any])
            let services = tape.root["contents"]?.elements ?? []
            let trees = (tree["contents"] as? [Any]) ?? []
            #expect(services.count == trees.count && !services.isEmpty, "\(name)")
            for (s, o) in zip(services, trees) {
                let a = reader.record(s, item: "i", ctx), b = reader.record(AnyJSON(value: o), item: "i", ctx)
                #expect(String(describing: a) == String(describing: b), "\(name): \(a.name ?? "?")")
                compared += 1
            }
        }
        #expect(compared >= 8)
    }
}
