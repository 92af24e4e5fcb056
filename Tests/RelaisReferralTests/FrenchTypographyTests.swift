import RelaisNormalize
import RelaisReferral
import Testing

/// French typography, plurals, collation and natural case: the rules, each on its own.
@Suite struct FrenchTypographyTests {
    let nb = "\u{A0}", thin = "\u{202F}"

    @Test func noBreakSpaceBeforeColonNarrowBeforeSemicolonExclamationQuestion() {
        #expect(FrenchTypography.text("Téléphone : 01") == "Téléphone\(nb): 01")
        #expect(FrenchTypography.text("Pour qui ? Vous ! Oui ; non") == "Pour qui\(thin)? Vous\(thin)! Oui\(thin); non")
        // Nothing added where no space was: addresses and URLs are left alone.
        #expect(FrenchTypography.text("https://exemple.fr/?q=1;2") == "https://exemple.fr/?q=1;2")
        #expect(FrenchTypography.text("10:30") == "10:30")
    }

    @Test func guillemetsHoldTheirWords() {
        #expect(FrenchTypography.text("« Soutien aux proches »") == "«\(nb)Soutien aux proches\(nb)»")
        #expect(FrenchTypography.text("«Soutien»") == "«\(nb)Soutien\(nb)»")
    }

    @Test func numbersHoldWhatTheyCountAndTimesHoldTogether() {
        #expect(FrenchTypography.text("(24 h/24, gratuit)") == "(24\(nb)h/24, gratuit)")
        #expect(FrenchTypography.text("7 j/7") == "7\(nb)j/7")
        #expect(FrenchTypography.text("14 h 30 – 17 h") == "14\(nb)h\(nb)30\(nb)– 17\(nb)h")
        #expect(FrenchTypography.text("à 30 km, 3 ateliers, 6 décembre") == "à 30\(nb)km, 3\(nb)ateliers, 6\(nb)décembre")
        // A phone number is not a number and a unit: its groups are left as they are.
        #expect(FrenchTypography.text("01 42 63 03 03") == "01 42 63 03 03")
    }

    @Test func htmlTextOnlyNeverTagsAttributesOrScripts() {
        let html = "<p title=\"a : b\">Horaires : 9 h</p><script>var a = b ? c : d;</script><textarea>x : y</textarea><p>Fin !</p>"
        let out = FrenchTypography.html(html)
        #expect(out == "<p title=\"a : b\">Horaires\(nb): 9\(nb)h</p><script>var a = b ? c : d;</script><textarea>x : y</textarea><p>Fin\(thin)!</p>")
        #expect(FrenchTypography.html("<p>a < b") == "<p>a < b")  // a stray < is kept as is
    }

    @Test func realPlurals() {
        #expect(FrenchFormat.count(0, "ressource") == "0\(nb)ressource")
        #expect(FrenchFormat.count(1, "ressource") == "1\(nb)ressource")
        #expect(FrenchFormat.count(2, "ressource") == "2\(nb)ressources")
        #expect(FrenchFormat.count(3, "mise à jour", "mises à jour") == "3\(nb)mises à jour")
        #expect(FrenchFormat.word(1, "fiche") == "fiche" && FrenchFormat.word(5, "fiche") == "fiches")
    }

    @Test func frenchCollationIgnoresAccentsCaseLigaturesAndApostrophes() {
        let names = ["Voix d’usagers", "Écoute-Famille", "entraide Dijon", "Œuvre Falret", "GEM Arc-en-ciel", "élan", "Oasis"]
        #expect(names.sorted(by: Text.frenchLess) == ["Écoute-Famille", "élan", "entraide Dijon", "GEM Arc-en-ciel", "Oasis", "Œuvre Falret", "Voix d’usagers"])
        // Byte order would put every accented capital after z.
        #expect(names.sorted() != names.sorted(by: Text.frenchLess))
        #expect(Text.frenchLess("Ecoute", "Écoute") && !Text.frenchLess("Écoute", "Ecoute"))  // total: ties break on the text
    }

    @Test func shoutedNamesInNaturalCaseOthersKept() {
        #expect(Text.naturalCase("GEM LES AMIS DU JARDIN") == "GEM Les Amis du Jardin")  // after GEM, an article begins a name
        #expect(Text.naturalCase("GEM DE NICE LE GRAND LARGE") == "GEM de Nice le Grand Large")
        #expect(Text.naturalCase("MAISON DES USAGERS DE L'HOPITAL SAINTE-ANNE") == "Maison des Usagers de l'Hôpital Sainte-Anne")
        #expect(Text.naturalCase("ASSOCIATION ECOUTE ET SOUTIEN A LA FAMILLE") == "Association Écoute et Soutien à la Famille")
        #expect(Text.naturalCase("UNAFAM DELEGATION DE LA COTE D'OR") == "UNAFAM Délégation de la Côte d'Or")
        // Written by their owners: kept.
        for kept in ["GEM La Boussole", "UNAFAM", "ESPER PRO", "Club ARGOS 2001", "GEM <img src=x onerror=alert(1)> DE VENCE"] {
            #expect(Text.naturalCase(kept) == kept)
        }
    }

    @Test func totalAndIdempotentOnArbitraryText() {
        // Seeded: the same 5,000 strings every run, of the characters the rules look at.
        var rng = SplitMix(seed: 0x5EED)
        let palette = Array("«» :;!?–-h/0123456789aAéÉœŒ'’<>\"\u{A0}\u{202F}\nGEMDELA")
        for _ in 0..<5_000 {
            let n = Int(rng.next() % 40)
            let s = String((0..<n).map { _ in palette[Int(rng.next() % UInt64(palette.count))] })
            let once = FrenchTypography.text(s)
            #expect(FrenchTypography.text(once) == once, "not idempotent on \(s.debugDescription)")
            _ = FrenchTypography.html(s)
            let natural = Text.naturalCase(s)
            #expect(Text.naturalCase(natural) == natural)
        }
    }
}

/// A small seeded generator (SplitMix64), so that property tests replay.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
