import RelaisNormalize
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

    @Test func detectsMarkup() {
        #expect(Text.containsMarkup("GEM <img src=x onerror=alert(1)> DE VENCE"))
        #expect(!Text.containsMarkup("GEM 1 < 2 > 0"))
    }
}
