import Foundation
@testable import RelaisNormalize
import RelaisTestSupport
import Testing

@Suite struct PhoneTests {
    @Test(arguments: [
        ("01.23.45.67.89", "+33123456789"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("0123456789", "+33123456789"),
        ("03 80 20 68 45", "+33380206845"),
        ("+33 (0)5 36 49 34 00", "+33536493400"),
        ("0033 4 65 71 69 07", "+33465716907"),
        ("0262 99 41 27", "+262262994127"),
        ("0696 12 34 56", "+596696123456"),
        ("3114", "3114"),
        ("15", "15"),
    ])
    func toE164(raw: String, expected: String) {
        #expect(PhoneNumber.e164(raw) == expected)
    }

    @Test(arguments: ["03 86 95 14", "+33 0 12 34 56 78", "12345", "01 23 45 67 89 00"])
    func rejectsMalformed(raw: String) {
        #expect(PhoneNumber.e164(raw) == nil)
    }

    @Test func extractsSeveralNumbersFromOneField() {
        #expect(PhoneNumber.extract("03 80 20 68 45 et 07 66 32 10 56").numbers == ["+33380206845", "+33766321056"])
        #expect(PhoneNumber.extract("+33 3 80 41 78 31 / +33 7 77 70 16 58").numbers == ["+33380417831", "+33777701658"])
        #expect(PhoneNumber.extract("03\u{A0}53\u{A0}01\u{A0}89\u{A0}12").numbers == ["+33353018912"])
        #expect(PhoneNumber.extract("Tél. 04 65 71 20 10 et 06 39 98 41 20 - x@y.fr").numbers == ["+33465712010", "+33639984120"])
        let bad = PhoneNumber.extract("03 86 95 14")
        #expect(bad.numbers.isEmpty)
        #expect(bad.invalid == ["03 86 95 14"])
        // Postal codes and dates in prose are not phones.
        #expect(PhoneNumber.extract("14 rue Trachel - 06000 Nice, le 2026-11-23").numbers.isEmpty)
        #expect(PhoneNumber.extract("14 rue Trachel - 06000 Nice, le 2026-11-23").invalid.isEmpty)
    }
}

@Suite struct EmailTests {
    @Test func deobfuscatesAndValidates() {
        #expect(EmailAddress.normalize("gem.motspassants [at] orange [dot] fr") == "gem.motspassants@orange.fr")
        #expect(EmailAddress.normalize("GEM.Ancre@Orange.FR") == "gem.ancre@orange.fr")
        #expect(EmailAddress.normalize("06 [at] unafam [dot] org") == "06@unafam.org")
        #expect(EmailAddress.normalize("gem.lequai@orange") == nil)
        #expect(EmailAddress.normalize("not an email") == nil)
    }

    @Test func extractsFromText() {
        let r = EmailAddress.extract("Tél. 06 39 98 41 21 - gemgrandlarge [at] gmail [dot] com")
        #expect(r.emails == ["gemgrandlarge@gmail.com"])
        // A lost "@" before a known mail provider is recovered, never stored as a domain.
        #expect(EmailAddress.extract("gemgrandlargegmail [dot] com").emails == ["gemgrandlarge@gmail.com"])
        #expect(EmailAddress.extract("voir www.unafam.org").emails.isEmpty)
        let bad = EmailAddress.extract("gem.lequai@orange")
        #expect(bad.emails.isEmpty)
        #expect(bad.invalid == ["gem.lequai@orange"])
    }

    @Test func webAddresses() {
        #expect(WebAddress.normalize("www.gem-pasdecote.fr") == "https://www.gem-pasdecote.fr")
        #expect(WebAddress.normalize("https://www.unafam.org") == "https://www.unafam.org")
        #expect(WebAddress.normalize("javascript:alert(1)") == nil)
        #expect(WebAddress.normalize("pas de site") == nil)
    }
}

@Suite struct TextTests {
    @Test func foldsAccentsCaseAndPunctuation() {
        #expect(Text.fold("Sainte-Anne") == "sainte anne")
        #expect(Text.fold("GEM L’Étincelle") == "gem l etincelle")
        #expect(Text.fold("Œuvre  Côte-d’Or") == "oeuvre cote d or")
        #expect(Text.fold("Entraide") == Text.fold("ENTRAIDE"))
    }

    /// The byte-level fold against the scalar-by-scalar one it replaced: every line of the
    /// shared fixtures and scenarios, and random texts drawn from the ranges it treats apart.
    @Test func byteFoldIsTheScalarFold() throws {
        func reference(_ s: String) -> String {
            var out = ""
            var lastSpace = true
            func put(_ t: String) {
                for c in t.unicodeScalars {
                    if c == " " {
                        if !lastSpace { out.unicodeScalars.append(c); lastSpace = true }
                    } else {
                        out.unicodeScalars.append(c)
                        lastSpace = false
                    }
                }
            }
            for c in s.unicodeScalars {
                switch c.value {
                case 0x30...0x39, 0x61...0x7A: put(String(c))
                case 0x41...0x5A: put(String(Character(Unicode.Scalar(c.value + 32) ?? " ")))
                case 0xC0...0x17F: put(Text.latinFold[Int(c.value - 0xC0)])
                case 0x300...0x36F: continue
                case 0..<0x80, 0xA0, 0x2018, 0x2019, 0x2013, 0x2014, 0x202F, 0xAB, 0xBB: put(" ")
                default:
                    switch c {
                    case "œ", "Œ": put("oe")
                    case "æ", "Æ": put("ae")
                    case "ß": put("ss")
                    default:
                        if c.properties.isAlphabetic || c.properties.numericType != nil {
                            let base = String(c).decomposedStringWithCanonicalMapping.unicodeScalars.first { $0.value < 0x300 || $0.value > 0x36F }
                            if let base, base.value < 0x80 { put(String(base).lowercased()) } else { put(String(c).lowercased()) }
                        } else if c.properties.generalCategory != .nonspacingMark {
                            put(" ")
                        }
                    }
                }
            }
            if out.hasSuffix(" ") { out.removeLast() }
            return out
        }
        var texts: [String] = []
        for dir in ["fixtures", "scenarios"] {
            let files = FileManager.default.enumerator(at: SharedData.url(dir).resolvingSymlinksInPath(), includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
            for f in files where ["csv", "json", "html", "ics", "tsv", "md", "txt"].contains(f.pathExtension) {
                texts += String(decoding: (try? Data(contentsOf: f)) ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
            }
        }
        var rng = SystemRandomNumberGenerator()
        let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0x80...0x17F, 0x300...0x36F, 0x2000...0x206F, 0x370...0x4FF, 0x1F300...0x1F64F, 0xFF00...0xFFEF]
        for _ in 0..<3000 {
            var t = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                let r = ranges.randomElement(using: &rng) ?? ranges[0]
                if let c = Unicode.Scalar(UInt32.random(in: r, using: &rng)) { t.append(c) }
            }
            texts.append(String(t))
        }
        #expect(texts.count > 4000)  // the shared folder's lines are there too
        for t in texts where Text.fold(t) != reference(t) {
            Issue.record("« \(t) »: \(Text.fold(t)) ≠ \(reference(t))")
        }
    }

    @Test func detectsMarkup() {
        #expect(Text.containsMarkup("GEM <img src=x onerror=alert(1)> DE VENCE"))
        #expect(!Text.containsMarkup("GEM 1 < 2 > 0"))
    }
}
