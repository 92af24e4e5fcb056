import RelaisModel
import RelaisMerge
import RelaisNormalize

/// Maps a flat record (CSV row, JSON object) onto Relais's fields: through the
/// manifest's `fields:` when given, else by recognising usual French and
/// English column names.
struct FieldMapping {
    /// Canonical field → source column/key.
    let columns: [String: String]

    /// Usual column names, folded, per canonical field.
    static let synonyms: [String: [String]] = [
        "id": ["id", "identifiant", "ref", "reference", "uid"],
        "name": ["nom", "nom du gem", "nom de la structure", "nom de l association", "nom du service", "nom de la ressource", "structure", "denomination", "raison sociale", "intitule", "name", "titre", "libelle"],
        "kind": ["type", "type de ressource", "type de structure", "categorie", "typologie", "kind"],
        "description": ["description", "presentation", "descriptif", "activites", "resume"],
        "organization": ["organisme", "organisation", "structure porteuse", "association porteuse", "organization", "porteur"],
        "sponsor": ["parrain", "association marraine", "marraine", "parrainage"],
        "manager": ["gestionnaire", "organisme gestionnaire"],
        "street": ["adresse", "adresse postale", "rue", "voie", "address", "address 1", "adresse 1", "street"],
        "complement": ["complement", "complement d adresse", "adresse 2", "address 2"],
        "postal_code": ["code postal", "cp", "postal code", "code_postal", "postal_code", "zip"],
        "commune": ["commune", "ville", "localite", "city", "nom commune"],
        "insee": ["code insee", "insee", "code commune", "code_insee"],
        "latitude": ["latitude", "lat"],
        "longitude": ["longitude", "lon", "lng", "long"],
        "phones": ["telephone", "telephones", "tel", "tel.", "phone", "phones", "portable", "numero", "numero de telephone"],
        "email": ["courriel", "email", "e mail", "mail", "adresse mail", "adresse electronique", "courriel de contact"],
        "website": ["site", "site web", "site internet", "url", "website", "web", "lien"],
        "hours": ["horaires", "horaires d ouverture", "jours et horaires", "ouverture", "permanences", "hours", "heures d ouverture"],
        "opening_hours": ["opening hours", "opening_hours", "horaires osm", "horaires_accueil"],
        "audience": ["public", "public accueilli", "publics", "public cible", "public vise", "audience"],
        "needs": ["besoins", "besoin", "needs", "thematiques"],
        "modalities": ["modalites", "modalite", "mode d accueil", "modes d accueil"],
        "fees": ["tarif", "tarifs", "cout", "frais", "adhesion"],
        "eligibility": ["conditions", "conditions d acces", "eligibilite"],
        "registration": ["inscription", "contact inscription", "modalites d inscription"],
        "status": ["statut", "etat", "status"],
        "updated": ["date de mise a jour", "mise a jour", "date maj", "date_maj", "updated", "last_modified"],
        "parent": ["parent", "antenne de", "rattachement"],
        "languages": ["langues", "langues parlees", "langue", "langues d accueil", "langues pratiquees", "languages", "language"],
        "accessibility": ["accessibilite", "accessibilite pmr", "acces pmr", "accessibilite du lieu", "accessibility", "handicap"],
    ]

    init(explicit: [String: String], available: [String]) {
        var columns = explicit
        let folded = Dictionary(available.map { (Text.fold($0), $0) }, uniquingKeysWith: { a, _ in a })
        for (field, names) in Self.synonyms where columns[field] == nil {
            if let hit = names.lazy.compactMap({ folded[$0] }).first { columns[field] = hit }
        }
        // "Nom du …" columns not listed above still name the listing.
        if columns["name"] == nil, let nom = available.first(where: { Text.fold($0).hasPrefix("nom") && !Text.fold($0).contains("contact") }) {
            columns["name"] = nom
        }
        self.columns = columns
    }

    var unmapped: [String] { [] }

    /// Builds a raw record from a value lookup.
    func record(item: String, _ value: (String) -> String?) -> RawRecord {
        func v(_ field: String) -> String? {
            guard let col = columns[field], let s = value(col) else { return nil }
            let t = s.trimmed
            return t.isEmpty ? nil : t
        }
        var r = RawRecord(item: item)
        r.id = v("id")
        r.name = v("name")
        if let k = v("kind") {
            r.kind = Kind(loose: k)
            if r.kind == nil { r.kindHint = k }
        }
        r.description = v("description")
        r.organization = v("organization")
        r.sponsor = v("sponsor")
        r.manager = v("manager")
        r.street = v("street")
        r.complement = v("complement")
        r.postalCode = v("postal_code")
        r.commune = v("commune")
        r.insee = v("insee")
        if r.postalCode == nil && r.commune == nil, let street = r.street { r.addressText = street; r.street = nil }
        r.latitude = v("latitude").flatMap { Double($0.replacingOccurrences(of: ",", with: ".")) }
        r.longitude = v("longitude").flatMap { Double($0.replacingOccurrences(of: ",", with: ".")) }
        if let p = v("phones") { r.phones = [p] }
        if let e = v("email") { r.emails = [e] }
        r.website = v("website")
        r.hoursText = v("hours")
        r.openingHours = v("opening_hours")
        r.audienceText = v("audience")
        r.needsText = v("needs")
        if let m = v("modalities") {
            let f = Text.fold(m)
            if f.contains("place") || f.contains("presentiel") { r.modalities.append(.sur_place) }
            if f.contains("telephone") { r.modalities.append(.telephone) }
            if f.contains("ligne") || f.contains("distance") || f.contains("visio") { r.modalities.append(.en_ligne) }
        }
        r.fees = v("fees")
        r.eligibility = v("eligibility")
        r.registration = v("registration")
        if let s = v("status") {
            r.status = ServiceStatus(hsds: s) ?? {
                let f = Text.fold(s)
                if f.contains("ferme") && f.contains("temporaire") { return .temporarily_closed }
                if f.contains("inactif") || f.contains("ferme") { return .inactive }
                return nil
            }()
        }
        r.sourceUpdated = v("updated")
        r.parentKey = v("parent")
        if let l = v("languages") { r.languages = [l] }
        if let a = v("accessibility") {
            let lower = a.lowercased()
            if (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && !a.contains(" ") { r.accessibilityURL = a } else { r.accessibilityText = a }
        }
        return r
    }
}
