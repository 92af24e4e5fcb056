import Foundation
import RelaisApp
import RelaisImport
import RelaisMerge
import RelaisModel
import RelaisNormalize
import RelaisSources
import RelaisStore
import RelaisStoreSQLite
import RelaisTestSupport
import Testing

/// Languages spoken and accessibility, read from every format that carries them:
/// CSV and HTML through `fields:`, HSDS `languages` and location `accessibility`,
/// data·inclusion `accessibilite_lieu`, schema.org `availableLanguage` / `amenityFeature`.
@Suite(.serialized) struct FieldsImportTests {
    func withServer(_ body: (TestHTTPServer, TestEnvironment) async throws -> Void) async throws {
        let env = try TestEnvironment()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: SharedData.url("fixtures"), contentTypes: ["csv": "text/csv; charset=utf-8"])) { server in
            try await body(server, env)
        }
    }

    @Test func csvThroughTheManifestsFields() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env in
            let fields = [
                "id": "Identifiant", "name": "Nom", "kind": "Type", "street": "Adresse", "postal_code": "Code postal", "commune": "Commune",
                "phones": "Téléphone", "hours": "Horaires", "languages": "Langues parlées", "accessibility": "Accessibilité",
            ]
            let run = await env.importer.run(env.manifest(
                "fld-csv", url: "\(server.baseURL)/fields/langues-accessibilite.csv", format: .csv, options: ["encoding": "utf-8", "delimiter": ";"], fields: fields))
            #expect(run.status == .success && run.added == 2)
            let passage = try #require(try env.listing(named: "GEM Le Passage des Pairs"))
            #expect(passage.content.languages == ["fr", "fsl"])
            let access = try #require(passage.content.accessibility)
            #expect(access.features == [.plain_pied, .boucle_magnetique, .lsf])
            #expect(access.description == "boucle magnétique à l’accueil, plain-pied")
            let tisserands = try #require(try env.listing(named: "Groupe de parole Les Tisserands"))
            #expect(tisserands.content.languages == ["fr", "es", "pt"])
            #expect(tisserands.content.accessibility?.features == [.ascenseur])
        }
    }

    @Test func hsdsLanguagesAndLocationAccessibility() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env in
            let run = await env.importer.run(env.manifest("fld-hsds", url: "\(server.baseURL)/fields/hsds-langues.json", format: .hsds))
            #expect(run.status == .success && run.added == 2)
            let olivier = try #require(try env.listing(named: "GEM L’Olivier"))
            #expect(olivier.content.languages == ["fr", "ar"])
            #expect(olivier.content.accessibility?.features == [.fauteuil, .plain_pied, .toilettes_adaptees])
            #expect(olivier.content.accessibility?.description == "Accès de plain-pied, utilisable en fauteuil roulant")
            #expect(olivier.content.accessibility?.details == "Entrée sans marche, toilettes adaptées")
            let signes = try #require(try env.listing(named: "Groupe de parole L’Escale des Signes"))
            #expect(signes.content.languages == ["fr", "fsl"])
            #expect(signes.content.accessibility?.features == [.lsf])
        }
    }

    @Test func dataInclusionAccessibiliteLieu() async throws {
        let env = try TestEnvironment()
        let structures = """
            {"items": [{"id": "s1", "source": "test", "nom": "GEM Les Sources", "commune": "Dijon", "code_postal": "21000", "code_insee": "21231",
              "adresse": "2 rue des Forges", "date_maj": "2026-11-02", "accessibilite_lieu": "https://acceslibre.beta.gouv.fr/app/21-dijon/a/association/erp/gem-les-sources/",
              "thematiques": ["sante--sante-mentale"]}], "total": 1, "page": 1, "size": 100, "pages": 1}
            """
        let services = """
            {"items": [], "total": 0, "page": 1, "size": 100, "pages": 1}
            """
        try Data(structures.utf8).write(to: env.dir.appendingPathComponent("data-inclusion-structures-p1.json"))
        try Data(services.utf8).write(to: env.dir.appendingPathComponent("data-inclusion-services-p1.json"))
        try await TestHTTPServer.with(FixtureRoutes.router(serving: env.dir)) { server in
            let run = await env.importer.run(env.manifest("di", url: "\(server.baseURL)/di", format: .dataInclusion, kind: .gem))
            #expect(run.status == .success, "\(run.message ?? "")")
            let gem = try #require(try env.listing(named: "GEM Les Sources"))
            #expect(gem.content.accessibility?.url == "https://acceslibre.beta.gouv.fr/app/21-dijon/a/association/erp/gem-les-sources/")
            #expect(gem.content.accessibility?.features == [])
        }
    }

    @Test func schemaOrgAvailableLanguageAndAmenityFeature() async throws {
        let env = try TestEnvironment()
        let page = """
            <!DOCTYPE html><html lang="fr"><head><title>Pairs</title><script type="application/ld+json">
            {"@context": "https://schema.org", "@type": "Organization", "name": "Pairs Solidaires Lyon", "telephone": "04 65 71 10 10",
             "address": {"@type": "PostalAddress", "streetAddress": "3 rue Mercière", "postalCode": "69002", "addressLocality": "Lyon"},
             "availableLanguage": ["Français", {"@type": "Language", "name": "Anglais", "alternateName": "en"}, "Langue des signes française"],
             "amenityFeature": [{"@type": "LocationFeatureSpecification", "name": "Accès fauteuil roulant", "value": true},
                                {"@type": "LocationFeatureSpecification", "name": "Boucle magnétique", "value": false}]}
            </script></head><body><main><h1>Pairs</h1></main></body></html>
            """
        let file = env.dir.appendingPathComponent("pairs.html")
        try Data(page.utf8).write(to: file)
        let run = await env.importer.run(env.manifest("jsonld", url: file.absoluteString, format: .jsonld, kind: .plateforme_pairs))
        #expect(run.status == .success)
        let pairs = try #require(try env.listing(named: "Pairs Solidaires Lyon"))
        #expect(pairs.content.languages == ["fr", "en", "fsl"])
        // « Boucle magnétique » with `value: false` is not there.
        #expect(pairs.content.accessibility?.features == [.fauteuil, .plain_pied, .lsf])
    }

    @Test func htmlTableColumnsAndLabelledItems() async throws {
        let env = try TestEnvironment()
        let page = """
            <!DOCTYPE html><html lang="fr"><head><title>Groupes</title></head><body><main>
            <h2>Nos groupes de parole</h2>
            <table><tr><th>Groupe</th><th>Jours</th><th>Horaires</th><th>Adresse</th><th>Langues d’accueil</th><th>Accès</th></tr>
            <tr><td>Groupe Les Passeurs</td><td>Le mardi</td><td>18h-20h</td><td>4 rue Pasteur, 21000 Dijon</td><td>français, arabe</td><td>plain-pied, toilettes adaptées</td></tr>
            </table>
            <h2>GEM</h2>
            <ul><li>GEM L’Étoile - 5 rue Monge 21000 Dijon - Tél. 03 80 11 22 33 - Langues parlées : français, anglais - Accessibilité : pas d’ascenseur, boucle magnétique</li></ul>
            </main></body></html>
            """
        let file = env.dir.appendingPathComponent("groupes.html")
        try Data(page.utf8).write(to: file)
        let run = await env.importer.run(env.manifest("html", url: file.absoluteString, format: .html, fields: ["languages": "Langues d’accueil", "accessibility": "Accès"]))
        #expect(run.status == .success, "\(run.message ?? "")")
        let passeurs = try #require(try env.listing(named: "Groupe Les Passeurs"))
        #expect(passeurs.content.languages == ["fr", "ar"])
        #expect(passeurs.content.accessibility?.features == [.plain_pied, .toilettes_adaptees])
        let etoile = try #require(try env.listing(named: "GEM L’Étoile"))
        #expect(etoile.content.languages == ["fr", "en"])
        // « pas d’ascenseur » is no lift.
        #expect(etoile.content.accessibility?.features == [.boucle_magnetique])
    }

    @Test func anUnknownLanguageIsAWarningNotALoss() async throws {
        let env = try TestEnvironment()
        let csv = "Nom;Commune;Code postal;Langues\nGEM Babel;Dijon;21000;français, klingon, arabe\n"
        let file = env.dir.appendingPathComponent("babel.csv")
        try Data(csv.utf8).write(to: file)
        let run = await env.importer.run(env.manifest("babel", url: file.absoluteString, format: .csv, kind: .gem, options: ["encoding": "utf-8"]))
        #expect(run.status == .success)
        #expect(try env.listing(named: "GEM Babel")?.content.languages == ["fr", "ar"])
        #expect(try env.store.issues(runID: run.id).contains { $0.field == "languages" && $0.reason.contains("klingon") })
    }

    /// An admin edits both fields in French; they win over the source and survive re-imports.
    @Test func editableLikeEveryField() async throws {
        let env = try TestEnvironment()
        let editor = ListingEditor(data: TestEnvironment.data)
        let current = ListingContent(name: "GEM Un", kind: .gem)
        #expect(try editor.values(field: "languages", text: "Français, arabe et LSF", current: current) == ["languages": .array([.string("fr"), .string("ar"), .string("fsl")])])
        #expect(throws: ListingEditor.EditError.self) { try editor.values(field: "languages", text: "français, elfique", current: current) }
        let access = try editor.values(field: "accessibility", text: "Plain-pied, boucle magnétique https://acceslibre.beta.gouv.fr/app/x/", current: current)
        let decoded = try JSONDecoder().decode(Accessibility.self, from: Data(try #require(access["accessibility"]).canonical.utf8))
        #expect(decoded.features == [.plain_pied, .boucle_magnetique] && decoded.url == "https://acceslibre.beta.gouv.fr/app/x/")
        _ = env
    }
}
