import RelaisModel
import RelaisNormalize
import Testing

/// Languages and accessibility as sources write them.
@Suite struct AccessTextTests {
    @Test(arguments: [
        ("français, LSF", ["fr", "fsl"], [String]()),
        ("Français et arabe", ["fr", "ar"], []),
        ("anglais / espagnol ; portugais", ["en", "es", "pt"], []),
        ("fr, ar, fsl", ["fr", "ar", "fsl"], []),
        ("Accueil en français et en arabe", ["fr", "ar"], []),
        ("Langues parlées : français, langue des signes française", ["fr", "fsl"], []),
        ("English, Arabic", ["en", "ar"], []),
        ("créole réunionnais", ["rcf"], []),
        ("français, klingon", ["fr"], ["klingon"]),
        ("", [], []),
    ])
    func languages(_ text: String, _ codes: [String], _ unknown: [String]) {
        let parsed = LanguageNames.parse(text)
        #expect(parsed.codes == codes, "\(text)")
        #expect(parsed.unknown == unknown, "\(text)")
    }

    @Test func oneLanguageByCodeOrName() {
        #expect(LanguageNames.code("ar") == "ar")
        #expect(LanguageNames.code("AR") == "ar")
        #expect(LanguageNames.code("Arabe") == "ar")
        #expect(LanguageNames.code("LSF") == "fsl")
        #expect(LanguageNames.code("en") == "en")
        #expect(LanguageNames.code("xx") == nil)
        #expect(LanguageNames.code("quenya") == nil)
    }

    @Test(arguments: [
        ("boucle magnétique à l’accueil, plain-pied", [AccessFeature.plain_pied, .boucle_magnetique]),
        ("Accès de plain-pied, utilisable en fauteuil roulant", [.fauteuil, .plain_pied]),
        ("accès par ascenseur", [.ascenseur]),
        ("pas d’ascenseur, boucle magnétique", [.boucle_magnetique]),
        ("Non accessible en fauteuil roulant", []),
        ("Entrée sans marche, toilettes adaptées", [.plain_pied, .toilettes_adaptees]),
        ("Interprétation LSF à chaque séance", [.lsf]),
        ("documents en FALC", [.falc]),
        ("Accessible PMR", [.fauteuil, .plain_pied]),
        ("1er étage sans ascenseur", []),
    ])
    func accessibility(_ text: String, _ features: [AccessFeature]) {
        #expect(AccessibilityText.parse(text).features == features, "\(text)")
    }

    @Test func anAccesslibreLinkIsALink() {
        let a = AccessibilityText.accessibility("https://acceslibre.beta.gouv.fr/app/21-dijon/a/gem/erp/x/")
        #expect(a?.url == "https://acceslibre.beta.gouv.fr/app/21-dijon/a/gem/erp/x/" && a?.description == nil && a?.features == [])
        #expect(AccessibilityText.accessibility(nil) == nil)
        #expect(AccessibilityText.accessibility("  ") == nil)
    }

    @Test func nearMissesAreSuggested() {
        let needs = ["isolement", "famille", "emploi", "droits", "logement"]
        #expect(Text.closest("famile", among: needs) == "famille")
        #expect(Text.closest("Logement", among: needs) == "logement")
        #expect(Text.closest("logem", among: needs) == "logement")
        #expect(Text.closest("soutien", among: needs) == nil)
    }
}
