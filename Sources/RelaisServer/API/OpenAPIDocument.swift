import Foundation
import Hummingbird
import RelaisModel

/// The OpenAPI 3.1 document of Relais's public API (`/api/…`, `/hsds/…`, `/health`), served at
/// `/openapi.json` and kept in the repository as `openapi.json` (`relais openapi` writes it).
/// Written here, beside the routes: a test compares it with the router's routes both ways
/// (a route missing from it, or a documented route that does not exist, fails the build),
/// and schemathesis checks the live server against it.
enum OpenAPIDocument {
    typealias Object = [String: Any]

    /// The document, as pretty-printed JSON with sorted keys (stable: the repository's copy).
    static func json(kinds: [String], needs: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: document(kinds: kinds, needs: needs), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Every documented operation: (path as OpenAPI writes it, method in capitals).
    static func operations(kinds: [String] = [], needs: [String] = []) -> [(path: String, method: String)] {
        let paths = document(kinds: kinds, needs: needs)["paths"] as? [String: Object] ?? [:]
        return paths.flatMap { path, item in item.keys.map { (path, $0.uppercased()) } }
    }

    static func document(kinds: [String], needs: [String]) -> Object {
        func parameter(_ name: String, _ description: String, _ schema: Object = ["type": "string"], in place: String = "query", required: Bool = false) -> Object {
            ["name": name, "in": place, "description": description, "required": required, "schema": schema]
        }
        let id = parameter("id", "Identifiant", in: "path", required: true)
        let page = parameter("page", "Page (à partir de 1)", ["type": "integer", "minimum": 1, "maximum": 100_000])
        let error: Object = ["$ref": "#/components/responses/Error"]
        func ok(_ schema: Object, _ description: String) -> Object {
            ["200": ["description": description, "content": ["application/json": ["schema": schema]]], "400": error, "404": error]
        }
        func get(_ summary: String, _ parameters: [Object], _ responses: Object, tags: [String]) -> Object {
            ["get": ["summary": summary, "parameters": parameters, "responses": responses, "tags": tags]]
        }
        let object: Object = ["type": "object"]
        let pageSchema: Object = ["$ref": "#/components/schemas/Page"]
        let hsdsPaging = [page, parameter("per_page", "Éléments par page", ["type": "integer", "minimum": 1, "maximum": 200]),
                          parameter("format", "Seul « json » est servi", ["type": "string", "enum": ["json"]])]
        let common = [parameter("langue", "Langue parlée (code ISO 639, ex. « fr », « en »)"),
                      parameter("accessible", "Accessibilité du lieu (fauteuil, plain_pied, boucle_magnetique…)")]
        func hsdsCollection(_ name: String, _ what: String, extra: [Object] = []) -> [String: Object] {
            ["/hsds/\(name)": get("\(what) (HSDS 3.0, par page)", hsdsPaging + extra, ok(pageSchema, "Une page HSDS"), tags: ["HSDS 3.0"]),
             "/hsds/\(name)/{id}": get("\(what) : un élément par son UUID", [id], ok(object, "Un objet HSDS"), tags: ["HSDS 3.0"])]
        }
        let serviceFilters = [
            parameter("search", "Recherche plein texte (nom, organisme, lieu, description)"),
            parameter("modified_after", "Fil des modifications : fiches modifiées ou retirées (status « defunct ») après cet instant (ISO 8601 : 2026-12-01 ou 2026-12-01T08:00:00Z), dans l’ordre des modifications ; seuls cursor et per_page s’y ajoutent"),
            parameter("cursor", "Fil des modifications : la page qui suit celle dont la réponse donnait ce next_cursor (ou l’en-tête Link)"),
            parameter("taxonomy_term_id", "UUID d’un terme des taxonomies relais:type ou relais:besoin", ["type": "string", "format": "uuid"]),
            parameter("taxonomy_id", "UUID d’une taxonomie (voir /hsds/taxonomies)", ["type": "string", "format": "uuid"]),
            parameter("organization_id", "UUID d’un organisme (voir /hsds/organizations)", ["type": "string", "format": "uuid"]),
            parameter("postcode", "Code postal (cinq chiffres)", ["type": "string", "pattern": "^[0-9]{5}$"]),
            parameter("minimal", "Accepté, sans effet : les services sont toujours complets", ["type": "boolean"]),
            parameter("full", "Accepté, sans effet : les services sont toujours complets", ["type": "boolean"]),
        ]
        var paths: [String: Object] = [
            "/health": get("État du service (pour un répartiteur de charge)", [], ["200": ["description": "En service", "content": ["application/json": ["schema": object]]]], tags: ["Service"]),
            "/openapi.json": get("Ce document", [], ["200": ["description": "OpenAPI 3.1", "content": ["application/json": ["schema": object]]]], tags: ["Service"]),
            "/api/services": get(
                "Fiches de l’annuaire (forme de Relais, identifiants courts)",
                [parameter("q", "Recherche plein texte"), parameter("kind", "Type de ressource", ["type": "string", "enum": kinds]),
                 parameter("need", "Besoin", ["type": "string", "enum": needs]), parameter("departement", "Code de département (21, 2A, 974)"), page,
                 parameter("per_page", "Fiches par page", ["type": "integer", "minimum": 1, "maximum": 100])] + common,
                ok(pageSchema, "Une page de fiches"), tags: ["Relais"]),
            "/api/services/{id}": get("Une fiche par son identifiant Relais", [id], ok(object, "Une fiche"), tags: ["Relais"]),
            "/api/sessions": get(
                "Séances à venir (ateliers, groupes de parole datés)",
                [parameter("near", "Lieu : code postal, commune ou département"), parameter("radius_km", "Rayon en km", ["type": "number", "minimum": 1, "maximum": 1000]),
                 parameter("from", "À partir de cette date (AAAA-MM-JJ)"), parameter("to", "Jusqu’à cette date (AAAA-MM-JJ)"),
                 parameter("kind", "Types de ressources, séparés par des virgules"), parameter("audience", "personne, proche ou professionnel"),
                 parameter("limit", "Nombre de séances", ["type": "integer", "minimum": 1, "maximum": 200])] + common,
                ok(object, "Les séances"), tags: ["Relais"]),
            "/hsds": get("Racine de l’API HSDS 3.0", [], ["200": ["description": "Version et profil", "content": ["application/json": ["schema": object]]]], tags: ["HSDS 3.0"]),
        ]
        let referralParameters = [
            parameter("needs", "Besoins, séparés par des virgules", ["type": "string"]), parameter("need", "Un besoin"),
            parameter("near", "Lieu : code postal, commune ou département"), parameter("radius_km", "Rayon en km", ["type": "number"]),
            parameter("audience", "personne, proche ou professionnel"), parameter("modality", "sur_place, telephone ou en_ligne"),
            parameter("date", "Date de référence (AAAA-MM-JJ)"), parameter("within_days", "Ouvert dans les N jours", ["type": "integer"]),
            parameter("limit", "Nombre de suggestions", ["type": "integer"]),
        ] + common
        var referrals = get("Suggestions de ressources d’entraide selon les besoins (jamais une prescription)", referralParameters, ok(object, "Les suggestions, chacune expliquée"), tags: ["Relais"])
        referrals["post"] = [
            "summary": "La même question, paramètres dans le corps (pour « situation », qui ne doit pas voyager dans une adresse)",
            "requestBody": ["required": false, "content": [
                "application/json": ["schema": ["type": "object", "additionalProperties": ["type": ["string", "number", "boolean", "array"]]]],
                "application/x-www-form-urlencoded": ["schema": ["type": "object"]],
            ]],
            "responses": ["200": ["description": "Les suggestions", "content": ["application/json": ["schema": object]]], "400": error, "413": error, "415": error],
            "tags": ["Relais"],
        ]
        paths["/api/referrals"] = referrals
        paths.merge(hsdsCollection("services", "Services", extra: serviceFilters)) { a, _ in a }
        paths.merge(hsdsCollection("service_at_locations", "Services en un lieu", extra: serviceFilters)) { a, _ in a }
        paths.merge(hsdsCollection("organizations", "Organismes", extra: [parameter("full", "Accepté, sans effet", ["type": "boolean"])])) { a, _ in a }
        paths.merge(hsdsCollection("taxonomies", "Taxonomies de Relais")) { a, _ in a }
        paths.merge(hsdsCollection("taxonomy_terms", "Termes des taxonomies", extra: [
            parameter("taxonomy_id", "UUID d’une taxonomie", ["type": "string", "format": "uuid"]), parameter("taxonomy", "Nom d’une taxonomie (relais:besoin…)"),
        ])) { a, _ in a }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Relais — annuaire et orientation vers l’entraide en santé mentale",
                "version": "1.0.0",
                "description": "API publique en lecture de Relais : fiches (forme de Relais et HSDS 3.0), orientation selon les besoins, séances à venir. Relais ne conserve aucune donnée de patient ; ses suggestions ne sont pas une prescription médicale.",
                "license": ["name": "Licence Ouverte 2.0 (données : selon chaque source)", "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"],
            ],
            "servers": [["url": "/"]],
            "paths": paths,
            "components": [
                "schemas": [
                    "Page": [
                        "type": "object", "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
                        "properties": [
                            "total_items": ["type": "integer"], "total_pages": ["type": "integer"], "page_number": ["type": "integer"], "size": ["type": "integer"],
                            "first_page": ["type": "boolean"], "last_page": ["type": "boolean"], "empty": ["type": "boolean"], "contents": ["type": "array", "items": ["type": "object"]],
                        ],
                    ],
                    "Error": [
                        "type": "object", "required": ["error"],
                        "properties": ["error": ["type": "object", "required": ["status", "code", "message"], "properties": [
                            "status": ["type": "integer"], "code": ["type": "string"], "message": ["type": "string"], "parameter": ["type": "string"],
                        ]]],
                    ],
                ],
                "responses": [
                    "Error": ["description": "Erreur, expliquée en français", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
                ],
            ],
        ]
    }
}
