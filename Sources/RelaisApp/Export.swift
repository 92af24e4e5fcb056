import Foundation
import RelaisModel
import RelaisNormalize
import RelaisSources

/// Open-data exports of the directory (`relais export`), rendered from the same listings as
/// the API: the HSDS 3.0 tabular data package (CSV and `datapackage.json`) with the same
/// objects as JSON, and the data·inclusion v1 structures and services. Demonstration listings
/// are left out unless asked for; each source's licence and attribution go with the data.
public enum Export {
    /// A source as the export credits it.
    public struct Attribution: Codable, Sendable {
        public var id: String
        public var title: String
        public var licence: String?
        public var attribution: String?
        public var url: String

        public init(id: String, title: String, licence: String?, attribution: String?, url: String) {
            self.id = id
            self.title = title
            self.licence = licence
            self.attribution = attribution
            self.url = url
        }
    }

    public struct Summary: Sendable {
        public var files: [String]
        public var listings: Int
    }

    /// The listings an export holds: visible ones, demonstration data only when asked.
    public static func selected(_ all: [Listing], includeDemo: Bool) -> [Listing] {
        all.filter { !$0.hidden && (includeDemo || !$0.demo) }.sorted { $0.id < $1.id }
    }

    // MARK: HSDS tabular data package

    /// One table of the package: its file, and each column with its Table Schema type (and format).
    struct Table {
        var name: String
        var path: String
        var columns: [(name: String, type: String, format: String?)]
        var rows: [[String: String]] = []
    }

    static func tables() -> [Table] {
        func t(_ name: String, _ path: String, _ cols: [String]) -> Table {
            // `name[:type[:format]]`, written below in this file.
            Table(name: name, path: path, columns: cols.map { c in
                let parts = c.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                return (parts.first ?? c, parts.dropFirst().first ?? "string", parts.dropFirst(2).first)
            })
        }
        return [
            t("organization", "organizations.csv", ["id:string:uuid", "name", "description"]),
            t("service", "services.csv", [
                "id:string:uuid", "organization_id:string:uuid", "name", "alternate_name", "description", "url:string:uri", "email:string:email", "status",
                "application_process", "fees_description", "eligibility_description", "last_modified:datetime",
            ]),
            t("location", "locations.csv", ["id:string:uuid", "location_type", "name", "latitude:number", "longitude:number", "external_identifier", "external_identifier_type"]),
            t("address", "addresses.csv", ["id:string:uuid", "location_id:string:uuid", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type"]),
            t("service_at_location", "service_at_location.csv", ["id:string:uuid", "service_id:string:uuid", "location_id:string:uuid"]),
            t("phone", "phones.csv", ["id:string:uuid", "service_id:string:uuid", "number", "type", "description"]),
            t("schedule", "schedules.csv", [
                "id:string:uuid", "service_id:string:uuid", "valid_from:date", "valid_to:date", "dtstart:date", "timezone:number", "until:date", "count:number",
                "freq", "interval:number", "byday", "description", "opens_at:time", "closes_at:time", "attending_type", "notes",
            ]),
            t("language", "languages.csv", ["id:string:uuid", "service_id:string:uuid", "name", "code"]),
            t("accessibility", "accessibility.csv", ["id:string:uuid", "location_id:string:uuid", "description", "details", "url:string:uri"]),
            t("taxonomy", "taxonomies.csv", ["id:string:uuid", "name", "description", "uri:string:uri", "version"]),
            t("taxonomy_term", "taxonomy_terms.csv", ["id:string:uuid", "code", "name", "description", "taxonomy", "language", "taxonomy_id:string:uuid"]),
            t("attribute", "attributes.csv", ["id:string:uuid", "link_id:string:uuid", "taxonomy_term_id:string:uuid", "link_type", "link_entity", "value"]),
            t("metadata", "metadata.csv", [
                "id:string:uuid", "resource_id:string:uuid", "resource_type", "last_action_date:date", "last_action_type", "field_name", "previous_value",
                "replacement_value", "updated_by",
            ]),
        ]
    }

    /// Writes `services.json` (the HSDS services, as the API serves them), the CSV tables and
    /// `datapackage.json` into `dir`. Tabular HSDS requires every service to have an
    /// organization: a listing whose source names none is its own (as a GEM is its own
    /// structure for data·inclusion).
    public static func hsds(_ listings: [Listing], context: HSDS.Context, sources: [Attribution], to dir: URL) throws -> Summary {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var tables = Dictionary(uniqueKeysWithValues: tables().map { ($0.name, $0) })
        func add(_ table: String, _ row: [String: String?]) { tables[table]?.rows.append(row.compactMapValues { $0 }) }
        func number(_ v: Double?) -> String? { v.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0) } }
        var organizations: [String: (String, String)] = [:]
        var services: [HSDS.Service] = []
        for l in listings {
            let s = HSDS.service(l, updatedAt: l.updatedAt, context)
            services.append(s)
            let org = s.organization ?? HSDS.Organization(
                id: HSDS.uuid("organization", "listing:" + l.id), name: s.name,
                description: "La ressource elle-même : aucune source ne la rattache à un organisme.", services: nil)
            organizations[org.id] = (org.name, org.description)
            add("service", [
                "id": s.id, "organization_id": org.id, "name": s.name, "alternate_name": s.alternate_name, "description": s.description, "url": s.url,
                "email": s.email, "status": s.status, "application_process": s.application_process, "fees_description": s.fees_description,
                "eligibility_description": s.eligibility_description, "last_modified": s.last_modified,
            ])
            for sal in s.service_at_locations {
                add("service_at_location", ["id": sal.id, "service_id": s.id, "location_id": sal.location_id])
                guard let loc = sal.location else { continue }
                add("location", [
                    "id": loc.id, "location_type": loc.location_type, "name": loc.name, "latitude": number(loc.latitude), "longitude": number(loc.longitude),
                    "external_identifier": loc.external_identifier, "external_identifier_type": loc.external_identifier_type,
                ])
                // Tabular HSDS requires a street line: a place known by its commune alone keeps its
                // coordinates and INSEE code on the location, without an address row.
                for a in loc.addresses where !a.address_1.isEmpty {
                    add("address", [
                        "id": a.id, "location_id": a.location_id, "address_1": a.address_1, "address_2": a.address_2, "city": a.city, "region": a.region,
                        "state_province": a.state_province, "postal_code": a.postal_code, "country": a.country, "address_type": a.address_type,
                    ])
                }
                for a in loc.accessibility {
                    add("accessibility", ["id": a.id, "location_id": a.location_id, "description": a.description, "details": a.details, "url": a.url])
                }
            }
            for p in s.phones { add("phone", ["id": p.id, "service_id": s.id, "number": p.number, "type": p.type, "description": p.description]) }
            for sch in s.schedules {
                // Table Schema's `time` is a wall-clock time: the offset is in `timezone`.
                add("schedule", [
                    "id": sch.id, "service_id": s.id, "valid_from": sch.valid_from, "valid_to": sch.valid_to, "dtstart": sch.dtstart,
                    "timezone": number(sch.timezone), "until": sch.until, "count": sch.count.map(String.init), "freq": sch.freq,
                    "interval": sch.interval.map(String.init), "byday": sch.byday, "description": sch.description,
                    "opens_at": sch.opens_at.map { String($0.prefix(8)) }, "closes_at": sch.closes_at.map { String($0.prefix(8)) },
                    "attending_type": sch.attending_type, "notes": sch.notes,
                ])
            }
            for lang in s.languages { add("language", ["id": lang.id, "service_id": s.id, "name": lang.name, "code": lang.code]) }
            for a in s.attributes where a.taxonomy_term_id != nil {
                add("attribute", [
                    "id": a.id, "link_id": a.link_id, "taxonomy_term_id": a.taxonomy_term_id, "link_type": a.link_type, "link_entity": a.link_entity, "value": a.value,
                ])
            }
            for m in s.metadata {
                add("metadata", [
                    "id": m.id, "resource_id": m.resource_id, "resource_type": m.resource_type, "last_action_date": String(m.last_action_date.prefix(10)),
                    "last_action_type": m.last_action_type, "field_name": m.field_name, "previous_value": m.previous_value,
                    "replacement_value": m.replacement_value, "updated_by": m.updated_by,
                ])
            }
        }
        for (id, (name, description)) in organizations.sorted(by: { $0.key < $1.key }) { add("organization", ["id": id, "name": name, "description": description]) }
        for t in context.vocabulary.taxonomies { add("taxonomy", ["id": t.id, "name": t.name, "description": t.description, "uri": t.uri, "version": t.version]) }
        for t in context.vocabulary.terms {
            add("taxonomy_term", [
                "id": t.id, "code": t.code, "name": t.name, "description": t.description, "taxonomy": t.taxonomy, "language": t.language, "taxonomy_id": t.taxonomy_id,
            ])
        }

        var files: [String] = []
        var resources: [[String: Any]] = []
        for table in Self.tables() {
            guard let filled = tables[table.name] else { continue }
            var csv = table.columns.map(\.name).joined(separator: ",") + "\r\n"
            for row in filled.rows { csv += table.columns.map { csvField(row[$0.name] ?? "") }.joined(separator: ",") + "\r\n" }
            try Data(csv.utf8).write(to: dir.appendingPathComponent(table.path))
            files.append(table.path)
            resources.append([
                "name": table.name, "path": table.path, "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "schema": [
                    "primaryKey": "id",
                    "fields": table.columns.map { c -> [String: Any] in
                        var f: [String: Any] = ["name": c.name, "type": c.type]
                        if let format = c.format { f["format"] = format }
                        if c.name == "id" { f["constraints"] = ["required": true, "unique": true] }
                        return f
                    },
                ],
            ])
        }
        try write(services, to: dir.appendingPathComponent("services.json"))
        files.append("services.json")
        try write(sources, to: dir.appendingPathComponent("sources.json"))
        files.append("sources.json")
        try Data(attributionText(sources).utf8).write(to: dir.appendingPathComponent("SOURCES.md"))
        files.append("SOURCES.md")
        let package: [String: Any] = [
            "name": "relais-hsds", "title": "Relais — ressources d’entraide en santé mentale (HSDS 3.0)", "profile": "tabular-data-package", "version": "3.0.0",
            "description": "Export de l’annuaire Relais au format Open Referral HSDS 3.0 (profil français de la pair-aidance, voir profile/ dans le dépôt de Relais). Chaque source garde sa licence : voir sources.json et « sources » ci-dessous.",
            "resources": resources,
            "sources": sources.map { s -> [String: Any] in
                var o: [String: Any] = ["title": s.title, "path": s.url]
                if let l = s.licence { o["licence"] = l }
                if let a = s.attribution { o["attribution"] = a }
                return o
            },
        ]
        try JSONSerialization.data(withJSONObject: package, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]).write(to: dir.appendingPathComponent("datapackage.json"))
        files.append("datapackage.json")
        return Summary(files: files, listings: listings.count)
    }

    /// The sources of the data, their licences and attributions, for a person to read.
    static func attributionText(_ sources: [Attribution]) -> String {
        var out = "# Sources des données\n\nExport de l’annuaire Relais. Chaque source garde sa licence ; citez-la en réutilisant ses fiches.\n\n"
        for s in sources {
            out += "- **\(s.title)** (`\(s.id)`) : \(s.licence ?? "licence non précisée par la source")"
            if let a = s.attribution { out += " — \(a)" }
            out += " — \(s.url)\n"
        }
        if sources.isEmpty { out += "(aucune source)\n" }
        return out
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: data·inclusion v1

    public struct DIStructure: Codable, Sendable {
        var source: String, id: String, nom: String, date_maj: String
        var description: String?, adresse: String?, complement_adresse: String?, code_postal: String?, code_insee: String?, commune: String?
        var latitude: Double?, longitude: Double?, telephone: String?, courriel: String?, site_web: String?, horaires_accueil: String?
    }

    public struct DIService: Codable, Sendable {
        var source: String, structure_id: String, id: String, nom: String, description: String, date_maj: String
        var adresse: String?, complement_adresse: String?, code_postal: String?, code_insee: String?, commune: String?, latitude: Double?, longitude: Double?
        var telephone: String?, courriel: String?, horaires_accueil: String?, thematiques: [String]?, publics: [String]?, modes_accueil: [String]?
        var frais_precisions: String?, conditions_acces: String?, publics_precisions: String?, zone_eligibilite: [String]?
    }

    /// Writes `structures.json` and `services.json` (data·inclusion v1) and `sources.json` into `dir`.
    public static func dataInclusion(_ listings: [Listing], taxonomy: Taxonomy, vocabulary: DataInclusionVocabulary, sources: [Attribution], to dir: URL) throws -> Summary {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var structures: [String: DIStructure] = [:]
        var services: [DIService] = []
        for l in listings {
            let c = l.content
            let a = c.address
            let date = String((l.updatedAt ?? l.lastVerified ?? "1970-01-01").prefix(10))
            let place = c.kind.isRemote && a?.street == nil ? nil : a
            let hours = OpeningHours.published(c)
            let phone = c.phones.first.map { PhoneNumber.national($0.number) }
            let email = c.emails.first
            let structureID: String
            if let org = c.organization {
                structureID = HSDS.organizationKey(org)
                if structures[structureID] == nil {
                    structures[structureID] = DIStructure(
                        source: "relais", id: structureID, nom: name(org), date_maj: date, description: nil, adresse: nil, complement_adresse: nil, code_postal: nil,
                        code_insee: nil, commune: nil, latitude: nil, longitude: nil, telephone: nil, courriel: nil, site_web: nil, horaires_accueil: nil)
                }
            } else {
                // A resource no source attaches to an organization is its own structure (a GEM, an association).
                structureID = "s-" + l.id
                structures[structureID] = DIStructure(
                    source: "relais", id: structureID, nom: name(c.name), date_maj: date, description: c.description.map { String($0.prefix(10_000)) },
                    adresse: place?.street, complement_adresse: place?.complement, code_postal: postal(place?.postalCode), code_insee: insee(place?.insee),
                    commune: place?.commune, latitude: place == nil ? nil : c.point?.latitude, longitude: place == nil ? nil : c.point?.longitude,
                    telephone: phone, courriel: email, site_web: c.website, horaires_accueil: hours)
            }
            var thematiques: [String] = []
            for need in taxonomy.needs(of: c) { thematiques += vocabulary.exportThematiques[need] ?? [] }
            let audiences = Set(c.audiences)
            let publics: [String]? = audiences.contains(.personne) && audiences.contains(.proche)
                ? ["tous-publics"] : audiences.contains(.proche) ? ["familles"] : audiences.contains(.personne) ? ["personnes-en-situation-de-handicap"] : nil
            var modes: [String] = []
            if c.modalities.contains(.sur_place) || (c.modalities.isEmpty && !c.kind.isRemote) { modes.append("en-presentiel") }
            if c.modalities.contains(.telephone) || c.modalities.contains(.en_ligne) { modes.append("a-distance") }
            let description = c.description.map { String($0.prefix(10_000)) }.flatMap { $0.count >= 5 ? $0 : nil }
                ?? [taxonomy.label(of: c.kind), place?.commune.map { "à \($0)" }].compactMap { $0 }.joined(separator: " ") + "."
            services.append(DIService(
                source: "relais", structure_id: structureID, id: l.id, nom: name(c.name), description: description, date_maj: date,
                adresse: place?.street, complement_adresse: place?.complement, code_postal: postal(place?.postalCode), code_insee: insee(place?.insee),
                commune: place?.commune, latitude: place == nil ? nil : c.point?.latitude, longitude: place == nil ? nil : c.point?.longitude,
                telephone: phone, courriel: email, horaires_accueil: hours, thematiques: thematiques.isEmpty ? nil : Array(Set(thematiques)).sorted(),
                publics: publics, modes_accueil: modes.isEmpty ? nil : modes, frais_precisions: c.fees, conditions_acces: c.eligibility,
                publics_precisions: c.audienceNote, zone_eligibilite: c.kind.isRemote ? nil : a?.departement.map { [$0] }))
        }
        try write(structures.values.sorted { $0.id < $1.id }, to: dir.appendingPathComponent("structures.json"))
        try write(services, to: dir.appendingPathComponent("services.json"))
        try Data(attributionText(sources).utf8).write(to: dir.appendingPathComponent("SOURCES.md"))
        return Summary(files: ["structures.json", "services.json", "SOURCES.md"], listings: listings.count)
    }

    /// A name of 3 to 150 characters (data·inclusion's bounds).
    static func name(_ s: String) -> String {
        let n = s.count > 150 ? String(s.prefix(149)) + "…" : s
        return n.count >= 3 ? n : n + " (ressource)"
    }

    static func postal(_ s: String?) -> String? { s.flatMap { $0.count == 5 && $0.allSatisfy(\.isNumber) ? $0 : nil } }
    static func insee(_ s: String?) -> String? { s.flatMap { $0.count == 5 && $0.allSatisfy { $0.isLetter || $0.isNumber } ? $0 : nil } }

    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try e.encode(value).write(to: url)
    }
}
