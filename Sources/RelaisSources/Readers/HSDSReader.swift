import Foundation
import RelaisFetch
import RelaisModel
import RelaisMerge
import RelaisNormalize

/// Open Referral HSDS 3.0: an API's `/services` endpoint read with `?page=N`
/// until `last_page` (or `total_pages`), or an HSDS CSV datapackage
/// (`datapackage.json` beside `services.csv`, `locations.csv`…).
///
/// `opens_at`/`closes_at` without an offset are Europe/Paris wall-clock times.
/// A schedule with a `count` is a finite series: dated sessions, not a
/// recurring schedule.
struct HSDSReader: FormatReader {
    var format: SourceFormat { .hsds }
    var options: [String] { ["token_env"] }

    func fetch(_ ctx: ReaderContext, fetcher: Fetcher, etag: String?, lastModified: String?) async throws -> Payload {
        let m = ctx.manifest
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let env = m.option("token_env") {
            guard let token = ctx.environment[env], !token.isEmpty else {
                throw ReadError("\(m.file) : la variable d’environnement \(env) (options.token_env) n’est pas définie")
            }
            headers.append(("Authorization", "Bearer \(token)"))
        }
        if m.url.hasSuffix("datapackage.json") {
            let r = try await fetcher.fetch(FetchRequest(url: m.url, headers: headers, policy: m.fetchPolicy))
            var docs = [Document(r)]
            guard let dp = try json(docs[0], ctx) as? [String: Any], let resources = dp["resources"] as? [[String: Any]] else {
                throw ReadError("\(m.url) : datapackage.json sans « resources »")
            }
            let wanted = Set(["organization", "service", "location", "service_at_location", "address", "phone", "schedule", "attribute", "taxonomy_term"])
            for res in resources {
                guard let name = res["name"] as? String, wanted.contains(name), let path = res["path"] as? String,
                    let url = URL(string: path, relativeTo: URL(string: m.url))?.absoluteString
                else { continue }
                do {
                    docs.append(Document(try await fetcher.fetch(FetchRequest(url: url, headers: headers, policy: m.fetchPolicy))))
                } catch let e as FetchError where e.reason == .httpStatus(404) || e.reason == .fileNotFound {
                    continue  // an optional table the package does not ship
                }
            }
            return Payload(documents: docs, httpStatus: r.status)
        }
        if let unchanged = await unchangedPages(etag, fetcher: fetcher, headers: headers, policy: m.fetchPolicy) { return unchanged }
        var docs: [Document] = []
        var page = 1
        var firstStatus: Int?
        let maxPages = m.intOption("max_pages", default: 200)
        let spool = PageSpool(ctx)
        while true {
            let url = JSONReader.url(m.url, setting: "page", to: page)
            let r = try await fetcher.fetch(FetchRequest(url: url, headers: headers, policy: m.fetchPolicy))
            firstStatus = firstStatus ?? r.status
            let doc = Document(r, requested: url)
            // Only the page's own members are read here (not its services): the pages are read
            // once, after the fetch, one at a time.
            let top = try TopLevelJSON(doc)
            guard top.isObject, top.isArray("contents") else {
                throw ReadError("\(url) : réponse inattendue — une page HSDS a « contents », « total_pages » et « last_page »")
            }
            docs.append(try spool.keep(doc))
            if (top.value("last_page") as? Bool) == true { break }
            if let total = top.value("total_pages"), page >= (try JSONPath.pageCount(total, url: url, maxPages: maxPages)) { break }
            if top.isEmptyArray("contents") { break }
            guard page < maxPages else {
                throw ReadError("\(m.url) : plus de \(maxPages) pages (options.max_pages) : rien n’a été importé pour ne pas lire une source incomplète")
            }
            page += 1
        }
        return pagedPayload(docs, httpStatus: firstStatus)
    }

    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult {
        try readWhole(payload, ctx)
    }

    /// An API's pages one at a time (a datapackage's tables are joined: read whole).
    func read(_ payload: Payload, _ ctx: ReaderContext, into sink: (ReadResult) throws -> Void) throws {
        if let first = payload.documents.first, first.url.hasSuffix("datapackage.json") {
            var result = ReadResult()
            for (item, s) in try Self.servicesFromDatapackage(payload, ctx, reader: self) { result.records.append(record(AnyJSON(value: s), item: item, ctx)) }
            try sink(result)
            return
        }
        // Pages a few at a time, one per core (parsing a page's JSON is most of an HSDS import's
        // time); each page's tree lives only while its records are made, and the records go to
        // `sink` in the order of the pages, so a page that cannot be read stops the run where it
        // stopped when pages were read one by one.
        let documents = payload.documents
        let batch = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var start = 0
        while start < documents.count {
            let pages = start..<min(documents.count, start + batch)
            let results = PageResults(pages.count)
            DispatchQueue.concurrentPerform(iterations: pages.count) { k in
                let p = pages.lowerBound + k
                results.set(k, Result { try self.page(documents[p], number: p + 1, ctx) })
            }
            for k in 0..<pages.count { try sink(try results.get(k).get()) }
            start = pages.upperBound
        }
    }

    /// One page of an API's services, read from its tape (the page's bytes, never a tree of them).
    func page(_ doc: Document, number: Int, _ ctx: ReaderContext) throws -> ReadResult {
        var result = ReadResult()
        let contents = try tape(doc).root["contents"]?.elements ?? []
        result.records.reserveCapacity(contents.count)
        for (i, s) in contents.enumerated() {
            let item = "page \(number), élément \(i + 1)"
            guard s.kind == .object else {
                result.issues.append(.notAnObject(item))
                continue
            }
            // Another Relais's demonstration listings are fictional: never imported as real ones.
            if !ctx.manifest.demo, Self.isDemonstration(s) {
                result.skipped += 1
                continue
            }
            result.records.append(record(s, item: item, ctx))
        }
        return result
    }

    /// A service another Relais publishes as demonstration data (attribute `relais:etat` `demonstration`).
    static func isDemonstration<J: JSONView>(_ s: J) -> Bool {
        (s["attributes"]?.elements ?? []).contains { a in
            a["taxonomy_term"]?["taxonomy"]?.string == "relais:etat" && a["taxonomy_term"]?["code"]?.string == "demonstration"
        }
    }

    /// The pages of one batch, each written once by its own worker.
    final class PageResults: @unchecked Sendable {
        private var slots: [Result<ReadResult, any Error>]
        private let lock = NSLock()
        init(_ n: Int) { slots = Array(repeating: .success(ReadResult()), count: n) }
        func set(_ k: Int, _ r: Result<ReadResult, any Error>) { lock.withLock { slots[k] = r } }
        func get(_ k: Int) -> Result<ReadResult, any Error> { lock.withLock { slots[k] } }
    }

    func record<J: JSONView>(_ s: J, item: String, _ ctx: ReaderContext) -> RawRecord {
        var r = RawRecord(item: item)
        r.id = s["id"]?.string
        r.name = s["name"]?.string
        r.alternateName = s["alternate_name"]?.string
        r.description = s["description"]?.string
        r.organization = s["organization"]?["name"]?.string
        r.website = s["url"]?.string
        if let e = s["email"]?.string { r.emails = [e] }
        if let e = s["organization"]?["email"]?.string, !r.emails.contains(e) { r.emails.append(e) }
        r.status = s["status"]?.string.flatMap(ServiceStatus.init(hsds:))
        r.fees = s["fees_description"]?.string
        r.eligibility = s["eligibility_description"]?.string
        r.registration = s["application_process"]?.string
        r.sourceUpdated = s["last_modified"]?.string
        for p in s["phones"]?.elements ?? [] {
            guard let n = p["number"]?.string else { continue }
            r.phones.append(n)
            if let d = p["description"]?.string { r.phoneNotes[n] = d }
        }
        // Languages: the code (ISO 639-1 or -3), else the name.
        for l in s["languages"]?.elements ?? [] {
            if let text = l["code"]?.string ?? l["name"]?.string { r.languages.append(text) }
        }
        // Taxonomy terms: kinds, needs and audiences, under Relais's taxonomies (`relais:kind`,
        // `relais:need`, `relais:audience`, and those another Relais publishes: `relais:type`,
        // `relais:besoin`, `relais:public`, `relais:modalite`), the attribute's link type, or the
        // taxonomies the manifest names (options `kind_taxonomy`, `need_taxonomy`, `audience_taxonomy`).
        var kindTerms: [String] = [], otherTerms: [String] = []
        var needTexts: [String] = [], audienceTexts: [String] = []
        let m = ctx.manifest
        let needTaxonomy = m.option("need_taxonomy"), audienceTaxonomy = m.option("audience_taxonomy"), kindTaxonomy = m.option("kind_taxonomy")
        for a in s["attributes"]?.elements ?? [] {
            let term = a["taxonomy_term"]
            let taxonomy = term?["taxonomy"]?.string ?? term?["taxonomy_detail"]?["name"]?.string ?? ""
            let link = (a["link_type"]?.string ?? "").lowercased()
            let texts = [term?["code"]?.string, a["value"]?.string, term?["name"]?.string].compactMap { $0 }
            if taxonomy == "relais:need" || taxonomy == needTaxonomy || taxonomy == "relais:besoin" || link == "need" || link == "besoin" {
                needTexts += texts
            } else if taxonomy == "relais:audience" || taxonomy == audienceTaxonomy || taxonomy == "relais:public" || link == "audience" || link == "public" {
                audienceTexts += texts
            } else if taxonomy == "relais:kind" || taxonomy == kindTaxonomy || taxonomy == "relais:type" || link == "kind" || link == "type" {
                kindTerms += texts
            } else if taxonomy == "relais:modalite" || link == "modalite" {
                for t in texts { if let m = Modality(rawValue: t), !r.modalities.contains(m) { r.modalities.append(m) } }
            } else if taxonomy == "relais:etat" {
                continue
            } else {
                otherTerms += texts
            }
        }
        r.kind = (kindTerms + otherTerms).lazy.compactMap { Kind(rawValue: $0) ?? ctx.normalizer.classify($0.replacingOccurrences(of: "-", with: " ")) ?? Self.termKinds[$0] }.first
            ?? ctx.normalizer.classify(r.name) ?? ctx.manifest.kind
        // Need terms go through the same reading as a spreadsheet's needs column (id or label).
        if !needTexts.isEmpty { r.needsText = needTexts.joined(separator: ", ") }
        for t in audienceTexts {
            for a in RecordNormalizer.audienceWords(t) ?? RecordNormalizer.audiences(in: t) where !r.audiences.contains(a) { r.audiences.append(a) }
        }
        // Location.
        let locations = (s["service_at_locations"]?.elements ?? []).compactMap { $0["location"] }
        if let loc = locations.first(where: { $0["location_type"]?.string != "virtual" }) ?? locations.first {
            if loc["location_type"]?.string == "virtual" {
                r.virtual = true
                if r.modalities.isEmpty { r.modalities = r.kind == .ligne_ecoute || !r.phones.isEmpty ? [.telephone, .en_ligne] : [.en_ligne] }
            } else {
                r.placeName = loc["name"]?.string
                r.latitude = loc["latitude"]?.double
                r.longitude = loc["longitude"]?.double
                // Accessibility of the place: HSDS's descriptions, details and links, every entry.
                let access = loc["accessibility"]?.elements ?? []
                let descriptions = access.compactMap { $0["description"]?.string }.filter { !$0.isEmpty }
                let details = access.compactMap { $0["details"]?.string }.filter { !$0.isEmpty }
                if !descriptions.isEmpty { r.accessibilityText = descriptions.joined(separator: " ; ") }
                if !details.isEmpty { r.accessibilityDetails = details.joined(separator: " ; ") }
                r.accessibilityURL = access.lazy.compactMap { $0["url"]?.string }.first
                for l in loc["languages"]?.elements ?? [] {
                    if let text = l["code"]?.string ?? l["name"]?.string, !r.languages.contains(text) { r.languages.append(text) }
                }
                let addresses = loc["addresses"]?.elements ?? []
                if let a = addresses.first(where: { $0["address_type"]?.string != "postal" }) ?? addresses.first {
                    r.street = a["address_1"]?.string
                    r.complement = a["address_2"]?.string
                    r.postalCode = a["postal_code"]?.string
                    r.commune = a["city"]?.string
                }
            }
        }
        // Schedules: recurring rules, or a finite series as sessions.
        var rules: [ScheduleRule] = []
        var occurrences: [Occurrence] = []
        var link: String?
        for row in s["schedules"]?.elements ?? [] {
            guard let rule = Self.rule(row) else {
                if let d = row["description"]?.string { r.hoursText = d }
                continue
            }
            link = link ?? row["schedule_link"]?.string
            if rule.count != nil {
                let e = ScheduleEvaluator(Schedule(rules: [rule]))
                occurrences += e.occurrences(from: rule.anchor ?? ctx.today, days: 3700)
            } else {
                rules.append(rule)
            }
        }
        // Rows with the same days and season share one rule with several spans.
        var merged: [ScheduleRule] = []
        for rule in rules {
            if let k = merged.firstIndex(where: { $0.days == rule.days && $0.months == rule.months && $0.interval == rule.interval && $0.anchor == rule.anchor && $0.validFrom == rule.validFrom && $0.validUntil == rule.validUntil }) {
                merged[k].times = (merged[k].times + rule.times).sorted()
            } else {
                merged.append(rule)
            }
        }
        if !merged.isEmpty { r.schedule = Schedule(rules: merged) }
        if !occurrences.isEmpty {
            r.sessions = [Session(
                key: r.id ?? (r.name ?? "session"), title: r.name ?? "Session", occurrences: occurrences, onsite: !r.virtual,
                registration: link ?? r.registration, price: r.fees)]
        }
        if r.kind == .atelier_prospect || r.kind == .groupe_parole, r.audiences.isEmpty {
            r.audiences = RecordNormalizer.audiences(in: [r.name, r.description].compactMap { $0 }.joined(separator: " "))
        }
        return r
    }

    static let termKinds: [String: Kind] = [
        "ecoute": .ligne_ecoute, "asso-usagers": .association_usagers, "asso-familles": .association_familles,
        "pair-aidance": .pair_aidant, "mdu": .mdu_permanence, "groupe-parole": .groupe_parole,
    ]

    /// One HSDS schedule row → a rule (nil when it has no weekday to recur on).
    static func rule<J: JSONView>(_ row: J) -> ScheduleRule? {
        guard let byday = row["byday"]?.string, !byday.isEmpty else { return nil }
        let freq = row["freq"]?.string?.uppercased() ?? "WEEKLY"
        guard freq == "WEEKLY" || freq == "MONTHLY" else { return nil }
        var days: [WeekdaySelector] = []
        for part in byday.split(separator: ",") {
            let t = part.trimmed.uppercased()
            guard t.count >= 2, let wd = WeekdaySelector.icalNames.firstIndex(of: String(t.suffix(2))) else { return nil }
            let prefix = t.dropLast(2)
            if prefix.isEmpty {
                days.append(WeekdaySelector(weekday: wd + 1))
            } else if let n = Int(prefix), n != 0, (-5...5).contains(n) {
                if let k = days.firstIndex(where: { $0.weekday == wd + 1 && !$0.nth.isEmpty }) { days[k].nth.append(n) } else { days.append(WeekdaySelector(weekday: wd + 1, nth: [n])) }
            } else {
                return nil
            }
        }
        func minutes(_ v: J?) -> Int? {
            guard let s = v?.string else { return nil }
            let p = s.split(separator: ":")
            guard p.count >= 2, let h = Int(p[0]), let m = Int(p[1].prefix(2)), (0...24).contains(h), (0..<60).contains(m) else { return nil }
            return h * 60 + m
        }
        guard let open = minutes(row["opens_at"]) else { return nil }
        let date = { (k: String) in row[k]?.string.flatMap { LocalDate(iso: $0.prefix(10)) } }
        // Numbers from the source are checked, never converted blindly (`"interval": "inf"`).
        var interval = 1
        if let v = row["interval"]?.double {
            guard let n = Int(checked: v, in: 1...53) else { return nil }
            interval = n
        }
        var count: Int?
        if let v = row["count"]?.double {
            guard let n = Int(checked: v, in: 1...1000) else { return nil }
            count = n
        }
        return ScheduleRule(
            days: days, times: [TimeSpan(open: open, close: minutes(row["closes_at"]))],
            interval: interval, anchor: date("dtstart"), validFrom: date("valid_from"),
            validUntil: date("valid_to") ?? date("until"), count: count)
    }

    /// Rebuilds nested service objects from the CSV tables of a datapackage.
    static func servicesFromDatapackage(_ payload: Payload, _ ctx: ReaderContext, reader: HSDSReader) throws -> [(item: String, service: [String: Any])] {
        var tables: [String: [[String: String]]] = [:]
        for doc in payload.documents.dropFirst() {
            let name = URL(string: doc.url)?.deletingPathExtension().lastPathComponent ?? doc.url
            let text = try reader.text(doc, ctx)
            var rows = CSVReader.parse(text, delimiter: UInt8(ascii: ","))
            guard !rows.isEmpty else { continue }
            let header = rows.removeFirst().fields
            tables[name] = rows.filter { $0.fields.count == header.count }.map { Dictionary(zip(header, $0.fields), uniquingKeysWith: { a, _ in a }) }
        }
        func table(_ names: String...) -> [[String: String]] { names.lazy.compactMap { tables[$0] }.first ?? [] }
        let orgs = Dictionary(table("organizations", "organization").map { ($0["id"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let locations = Dictionary(table("locations", "location").map { ($0["id"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let addresses = Dictionary(grouping: table("addresses", "address"), by: { $0["location_id"] ?? "" })
        let sals = Dictionary(grouping: table("service_at_location", "service_at_locations"), by: { $0["service_id"] ?? "" })
        let phones = Dictionary(grouping: table("phones", "phone"), by: { $0["service_id"] ?? "" })
        let schedules = Dictionary(grouping: table("schedules", "schedule"), by: { $0["service_id"] ?? "" })
        let languages = Dictionary(grouping: table("languages", "language"), by: { $0["service_id"] ?? "" })
        let accessibility = Dictionary(grouping: table("accessibility", "accessibility_for_disabilities"), by: { $0["location_id"] ?? "" })
        let terms = Dictionary(table("taxonomy_terms", "taxonomy_term").map { ($0["id"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let attributes = Dictionary(grouping: table("attributes", "attribute"), by: { $0["link_id"] ?? "" })
        func clean(_ d: [String: String]) -> [String: Any] { d.filter { !$0.value.isEmpty }.mapValues { $0 as Any } }
        return table("services", "service").enumerated().map { i, s in
            let id = s["id"] ?? ""
            var o = clean(s)
            if let org = s["organization_id"].flatMap({ orgs[$0] }) { o["organization"] = clean(org) }
            o["phones"] = (phones[id] ?? []).map(clean)
            o["schedules"] = (schedules[id] ?? []).map(clean)
            o["languages"] = (languages[id] ?? []).map(clean)
            o["service_at_locations"] = (sals[id] ?? []).compactMap { sal -> [String: Any]? in
                guard let lid = sal["location_id"], let loc = locations[lid] else { return nil }
                var l = clean(loc)
                l["addresses"] = (addresses[lid] ?? []).map(clean)
                l["accessibility"] = (accessibility[lid] ?? []).map(clean)
                return ["location": l]
            }
            o["attributes"] = (attributes[id] ?? []).map { a -> [String: Any] in
                var x = clean(a)
                if let t = a["taxonomy_term_id"].flatMap({ terms[$0] }) { x["taxonomy_term"] = clean(t) }
                return x
            }
            return ("services.csv ligne \(i + 2)", o)
        }
    }
}

extension SourceFormat {
    public static let hsds = SourceFormat("hsds")
}
