import Foundation
import RelaisFetch
import RelaisModel
import RelaisMerge
import RelaisNormalize

/// The French data·inclusion API v1: `<url>/structures` and `<url>/services`,
/// page by page (`?page=N`, following `pages`), optionally with a bearer token
/// read from the environment variable named by `options.token_env`.
/// Structures and services both become listings; a service names its structure
/// as organisation and borrows its address and contacts when it has none.
struct DataInclusionReader: FormatReader {
    var format: SourceFormat { .dataInclusion }
    var options: [String] { ["token_env", "size"] }
    func check(options: [String: String]) -> (key: String, message: String)? { positiveIntegers(["size"], in: options) }

    func fetch(_ ctx: ReaderContext, fetcher: Fetcher, etag: String?, lastModified: String?) async throws -> Payload {
        let m = ctx.manifest
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let env = m.option("token_env") {
            guard let token = ctx.environment[env], !token.isEmpty else {
                throw ReadError("\(m.file) : la variable d’environnement \(env) (options.token_env) n’est pas définie")
            }
            headers.append(("Authorization", "Bearer \(token)"))
        }
        if let unchanged = await unchangedPages(etag, fetcher: fetcher, headers: headers, policy: m.fetchPolicy) { return unchanged }
        let base = m.url.hasSuffix("/") ? String(m.url.dropLast()) : m.url
        var docs: [Document] = []
        var firstStatus: Int?
        let maxPages = m.intOption("max_pages", default: 200)
        let spool = PageSpool(ctx)
        for endpoint in ["structures", "services"] {
            var page = 1
            var pages = 1
            repeat {
                var url = JSONReader.url("\(base)/\(endpoint)", setting: "page", to: page)
                if let size = m.option("size") { url = JSONReader.url(url, setting: "size", to: Int(size) ?? 100) }
                let r = try await fetcher.fetch(FetchRequest(url: url, headers: headers, policy: m.fetchPolicy))
                firstStatus = firstStatus ?? r.status
                let doc = Document(r, requested: url)
                let top = try TopLevelJSON(doc)
                guard top.isObject, top.isArray("items") else {
                    throw ReadError("\(url) : réponse inattendue — l’API data·inclusion v1 renvoie un objet avec « items »")
                }
                pages = try JSONPath.pageCount(top.value("pages"), url: url, maxPages: maxPages)
                docs.append(try spool.keep(doc))
                page += 1
            } while page <= pages
        }
        return pagedPayload(docs, httpStatus: firstStatus)
    }

    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult {
        let vocab = ctx.normalizer.data.dataInclusion
        var result = ReadResult()
        // Each page is parsed once and its tree let go: what is kept is records. Structures
        // first (services name theirs), whatever the order of the pages.
        func items(of services: Bool, _ body: (JSONRef, String) -> Void) throws {
            for doc in payload.documents where doc.url.contains("/services") == services {
                // The page's tape: its values read where they lie, never a tree of them.
                let o = try tape(doc).root
                guard let items = o["items"]?.elements else { continue }
                let page = o["page"]?.double.flatMap { Int(checked: $0, in: 1...1_000_000) } ?? 1
                for (i, item) in items.enumerated() {
                    let name = "\(services ? "services" : "structures") page \(page), élément \(i + 1)"
                    guard item.kind == .object else {
                        result.issues.append(.notAnObject(name))
                        continue
                    }
                    body(item, name)
                }
            }
        }
        var byID: [String: RawRecord] = [:]
        var structureIDs: [String?] = []
        try items(of: false) { s, item in
            var r = common(s, item: item, ctx)
            r.kind = ctx.normalizer.classify(r.name) ?? ctx.manifest.kind ?? ctx.normalizer.classify(r.description)
            r.missingRequired = ["source", "id", "nom", "date_maj"].filter { s[$0]?.string?.isEmpty ?? true }
            if let id = r.id { byID[id] = r }
            structureIDs.append(s["id"]?.string)
        }
        var serviceRecords: [(record: RawRecord, structureID: String?)] = []
        try items(of: true) { s, item in
            var r = common(s, item: item, ctx)
            r.missingRequired = ["source", "structure_id", "id", "nom", "date_maj"].filter { s[$0]?.string?.isEmpty ?? true }
            let structureID = s["structure_id"]?.string
            let parent = structureID.flatMap { byID[$0] }
            r.kind = ctx.normalizer.classify(r.name) ?? parent?.kind ?? ctx.manifest.kind ?? ctx.normalizer.classify(r.description)
            var needs: [String] = []
            for t in (s["thematiques"]?.strings ?? []) {
                guard let mapped = vocab.thematiques[t] else {
                    result.issues.append(RunIssue(item: r.item, field: "thematiques", reason: "unknown thematique \(t) dropped (thématique inconnue ignorée)", severity: .warning))
                    continue
                }
                if let n = mapped, !needs.contains(n) { needs.append(n) }
            }
            r.needs = needs
            for p in (s["publics"]?.strings ?? []) {
                for a in vocab.publics[p] ?? [] where !r.audiences.contains(a) { r.audiences.append(a) }
            }
            r.audienceText = s["publics_precisions"]?.string
            var modalities: [Modality] = []
            for mode in (s["modes_accueil"]?.strings ?? []) {
                for m in vocab.modes_accueil[mode] ?? [] where !modalities.contains(m) { modalities.append(m) }
            }
            // A listening line "à distance" is reached by phone.
            if r.kind == .ligne_ecoute && !modalities.contains(.sur_place) { modalities.removeAll { $0 == .en_ligne } }
            r.modalities = modalities
            r.virtual = !modalities.isEmpty && !modalities.contains(.sur_place)
            if r.virtual { r.street = nil; r.postalCode = nil; r.commune = nil; r.insee = nil; r.latitude = nil; r.longitude = nil }
            if let parent {
                r.organization = parent.name
                if r.street == nil && r.postalCode == nil && r.commune == nil && !r.virtual {
                    r.street = parent.street
                    r.complement = parent.complement
                    r.postalCode = parent.postalCode
                    r.commune = parent.commune
                    r.insee = parent.insee
                    r.latitude = parent.latitude
                    r.longitude = parent.longitude
                }
                if r.phones.isEmpty { r.phones = parent.phones }
                if r.emails.isEmpty { r.emails = parent.emails }
                if r.website == nil { r.website = parent.website }
                // Services happen at their structure's place unless they say otherwise: its access too.
                if r.accessibilityURL == nil && r.accessibilityText == nil && !r.virtual {
                    r.accessibilityURL = parent.accessibilityURL
                    r.accessibilityText = parent.accessibilityText
                }
            } else if let structureID {
                r.flags.append(Flag("orphan_service", field: "structure_id", "Service sans structure connue (structure_id « \(structureID) ») : importé sans organisation."))
                result.issues.append(RunIssue(item: r.item, field: "structure_id", reason: "orphan service: structure \(structureID) not found", severity: .warning))
            }
            let frais = s["frais"]?.string
            r.fees = s["frais_precisions"]?.string ?? (frais == "gratuit" ? "Gratuit" : frais)
            r.eligibility = s["conditions_acces"]?.string
            r.registration = s["lien_mobilisation"]?.string
            serviceRecords.append((r, structureID))
        }
        // A structure with exactly one service of its own kind is one resource:
        // one listing, named after the structure, with the service's details.
        var folded = Set<Int>()
        var servicesOf: [String: [Int]] = [:]
        for (i, s) in serviceRecords.enumerated() { if let id = s.structureID { servicesOf[id, default: []].append(i) } }
        for id in structureIDs {
            guard let id, var structure = byID[id] else { continue }
            let same = (servicesOf[id] ?? []).filter { serviceRecords[$0].record.kind == structure.kind }
            if same.count == 1, structure.missingRequired.isEmpty {
                let service = serviceRecords[same[0]].record
                folded.insert(same[0])
                structure = Self.fold(structure, service)
            }
            result.records.append(structure)
        }
        for (i, s) in serviceRecords.enumerated() where !folded.contains(i) { result.records.append(s.record) }
        return result
    }

    static func fold(_ structure: RawRecord, _ service: RawRecord) -> RawRecord {
        var r = structure
        r.alternateName = service.name
        r.description = service.description ?? structure.description
        r.needs = service.needs
        r.audiences = service.audiences
        r.audienceText = service.audienceText
        r.modalities = service.modalities
        r.virtual = service.virtual
        if service.openingHours != nil { r.openingHours = service.openingHours }
        for p in service.phones where !r.phones.contains(p) { r.phones.append(p) }
        for e in service.emails where !r.emails.contains(e) { r.emails.append(e) }
        r.fees = service.fees
        r.eligibility = service.eligibility
        r.registration = service.registration
        r.flags += service.flags
        if r.missingRequired.isEmpty { r.missingRequired = service.missingRequired }
        if let u = service.sourceUpdated, u > (r.sourceUpdated ?? "") { r.sourceUpdated = u }
        return r
    }

    /// Fields structures and services share.
    func common(_ s: JSONRef, item: String, _ ctx: ReaderContext) -> RawRecord {
        var r = RawRecord(item: item)
        r.id = s["id"]?.string
        r.name = s["nom"]?.string
        r.description = s["description"]?.string ?? s["presentation_resume"]?.string
        r.street = s["adresse"]?.string
        r.complement = s["complement_adresse"]?.string
        r.postalCode = s["code_postal"]?.string
        r.commune = s["commune"]?.string
        r.insee = s["code_insee"]?.string
        r.latitude = s["latitude"]?.double
        r.longitude = s["longitude"]?.double
        if let t = s["telephone"]?.string { r.phones = [t] }
        if let e = s["courriel"]?.string { r.emails = [e] }
        r.website = s["site_web"]?.string ?? s["lien_source"]?.string.flatMap { _ in nil }
        // v1: `accessibilite_lieu`, a link to the place's Accèslibre page (v0: `accessibilite`).
        r.accessibilityURL = s["accessibilite_lieu"]?.string ?? s["accessibilite"]?.string
        r.sourceUpdated = s["date_maj"]?.string
        if let h = s["horaires_accueil"]?.string {
            r.openingHours = h
        } else if let legacy = s["horaires_ouverture"]?.string {
            // data·inclusion v0 name of the same field.
            r.openingHours = legacy
            r.flags.append(Flag("legacy_field", field: "horaires_ouverture", "Champ v0 « horaires_ouverture » lu comme horaires d’accueil."))
        }
        return r
    }
}

extension SourceFormat {
    public static let dataInclusion = SourceFormat("data-inclusion")
}
