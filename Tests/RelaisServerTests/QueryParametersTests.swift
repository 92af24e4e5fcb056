import Foundation
import Testing
@testable import RelaisApp

/// The query string is decoded by hand (it is read on every request); Foundation's
/// `replacingOccurrences(of: "+", with: " ").removingPercentEncoding`, with the part as sent
/// when that fails, is the reference.
@Suite struct QueryParametersTests {
    static func reference(_ s: String) -> String {
        guard let decoded = s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else { return s }
        // One quirk left out: swift-corelibs-foundation turns a lone %A9 into U+FFFD where every
        // other invalid byte (%80, %BF, %FF, %C3 alone…) makes it fail. Relais keeps the part as
        // sent for all of them.
        if decoded.contains("\u{FFFD}") && !s.contains("\u{FFFD}") { return s }
        return decoded
    }

    @Test func decodesWhatFoundationDecodes() {
        let samples = [
            "", "famille", "a+b", "a%20b", "%C3%A9changer", "caf%C3%A9+%26+th%C3%A9", "%2B", "100%", "%", "%2", "%zz", "%C3", "%C3%28",
            "%FF%FE", "%A9", "a%a9b", "%00", "a%2", "%E2%80%99", "%e2%80%99", "+%+", "émoji🙂", "%F0%9F%99%82", "a=b", "%3D%26",
        ]
        for s in samples {
            #expect(QueryParameters.decode(Substring(s)) == Self.reference(s), "« \(s) »")
        }
        // Random strings over the characters that matter.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        let alphabet = Array("%+aZ09fF éC3A8()=&🙂-_.~") + ["%C3%A9", "%E2%80%99", "%F0%9F", "%2B", "%20"].flatMap { Array($0) }
        for _ in 0..<3000 {
            let s = String((0..<Int(next() % 12)).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] })
            #expect(QueryParameters.decode(Substring(s)) == Self.reference(s), "« \(s) »")
        }
    }

    @Test func trimsWhatFoundationTrims() {
        let samples = ["", " ", "a", " a", "a ", "\ta\n", "\u{A0}famille\u{202F}", "a b", " \u{301}", "\u{301} ", "\n", "x\u{2028}", "\u{85}y", "é "]
        for s in samples {
            #expect(QueryParameters.trimmed(s, .whitespacesAndNewlines) == s.trimmingCharacters(in: .whitespacesAndNewlines), "« \(s) »")
            #expect(QueryParameters.trimmed(s, .whitespaces) == s.trimmingCharacters(in: .whitespaces), "« \(s) »")
        }
    }

    @Test func readsPairs() {
        let p = QueryParameters(urlEncoded: "needs=isolement&near=21000+Dijon&needs=famille&empty=&x=%C3%A9")
        #expect(p["needs"] == "isolement,famille")
        #expect(p["near"] == "21000 Dijon")
        #expect(p["empty"] == "")
        #expect(p["x"] == "é")
    }
}
