import Testing
@testable import RelaisNormalize

/// `Text.squeeze` returns text that needs nothing as it is (a first pass, no copy): the same as
/// collapsing every run of white space into one space and trimming, over random text.
@Suite struct TextSqueezeTests {
    static let spaces: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{A0}", "\u{202F}", "\u{2028}", "\u{2029}", "\u{2009}", "\u{200A}"]

    static func reference(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var pending = false
        for c in s.unicodeScalars {
            if spaces.contains(c) {
                pending = !out.isEmpty
            } else {
                if pending { out.append(" ") }
                pending = false
                out.append(c)
            }
        }
        return String(out)
    }

    @Test func squeezesAsTheReference() {
        let alphabet: [Unicode.Scalar] = ["a", "é", " ", " ", "\t", "\n", "\u{A0}", "\u{202F}", "\u{2028}", "\u{2009}", "’", "€", "\u{1}", "x", "—"]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        for _ in 0..<5000 {
            var v = String.UnicodeScalarView()
            for _ in 0..<Int(next() % 10) { v.append(alphabet[Int(next() % UInt64(alphabet.count))]) }
            let s = String(v)
            #expect(Text.squeeze(s) == Self.reference(s), "« \(s.debugDescription) »")
        }
        #expect(Text.squeeze("déjà  vu ") == "déjà vu")
        #expect(Text.squeeze("Groupe d’entraide") == "Groupe d’entraide")
    }
}
