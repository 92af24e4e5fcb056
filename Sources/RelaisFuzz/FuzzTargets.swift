import Foundation
import RelaisSources
import RelaisApp
import RelaisModel
import RelaisNormalize
import RelaisReferral

/// Fuzz targets: each runs one parser (and what its output reaches) on
/// arbitrary bytes and throws the result away. A thrown error is a correct
/// answer to bad input; a trap, a leak or a hang is a bug.
///
/// Used by the libFuzzer executable `relais-fuzz` (see Package.swift and
/// scripts/fuzz.sh) and by the regression tests, which replay every file of
/// `Fuzz/regressions/<target>/` through `run`.
public enum FuzzTargets {
    /// Every target name, in the order `make fuzz` runs them.
    public static let names: [String] = [
        "osm", "french-schedule", "french-dates", "phone", "text-decoding", "manifest", "display-text",
        "csv", "ics", "html", "json", "jsonld", "hsds", "hsds-tables", "data-inclusion", "page-members", "index-snapshot", "query",
    ]

    /// Targets whose inputs go through a reader and the normaliser (they need `Directory/`).
    public static let readerTargets: [String: SourceFormat] = [
        "csv": .csv, "ics": .ics, "html": .html, "json": .json, "jsonld": .jsonld, "hsds": .hsds, "hsds-tables": .hsds,
        "data-inclusion": .dataInclusion,
    ]

    public static func isKnown(_ target: String) -> Bool { names.contains(target) }

    /// Loads what the reader targets need (the project's `Directory/`), so
    /// that the first input does not pay for it.
    public static func prepare(_ target: String) {
        if readerTargets[target] != nil || target == "index-snapshot" { _ = directoryData }
    }

    /// Runs `target` on `bytes`. Unknown names are a programming error.
    public static func run(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "osm": osm(text(bytes))
        case "french-schedule": frenchSchedule(text(bytes))
        case "french-dates": frenchDates(text(bytes))
        case "phone": phone(text(bytes))
        case "text-decoding": textDecoding(bytes)
        case "manifest": manifest(text(bytes))
        case "display-text": displayText(text(bytes))
        case "hsds-tables": read(.hsds, documents: datapackage(bytes))
        case "page-members": pageMembers(bytes)
        case "index-snapshot": indexSnapshot(bytes)
        case "query": query(bytes)
        default:
            guard let format = readerTargets[target] else {
                fatalError("relais-fuzz: unknown target « \(target) »; targets: \(names.joined(separator: ", "))")
            }
            read(format, documents: documents(format, bytes))
        }
    }

    // MARK: - Pure parsers

    /// A fixed "today" (the fixtures' reference date), so that runs replay.
    static let today = LocalDate(year: 2026, month: 11, day: 23)
    static let now = Date(timeIntervalSince1970: 1_795_431_600)  // 2026-11-23T11:00:00Z

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static func osm(_ s: String) {
        guard let schedule = try? OpeningHours.parse(s) else { return }
        evaluate(schedule)
        // What is parsed is written back and read again.
        if let formatted = OpeningHours.format(schedule) { _ = try? OpeningHours.parse(formatted) }
        for rule in schedule.rules { _ = OpeningHours.rrule(rule) }
    }

    static func frenchSchedule(_ s: String) {
        let reading = FrenchSchedule.read(s)
        _ = reading.openingHours
        if let schedule = reading.schedule { evaluate(schedule) }
        _ = FrenchSchedule.mentionsWeekday(s)
        _ = FrenchSchedule.season(in: s)
    }

    /// What every page and CLI message does to a source's text before showing it: French
    /// typography (as text and as HTML), natural case, French order, counted words.
    static func displayText(_ s: String) {
        _ = FrenchTypography.text(s)
        _ = FrenchTypography.html(s)
        let natural = Text.naturalCase(s)
        _ = Text.frenchLess(natural, s)
        _ = FrenchFormat.count(s.utf8.count % 5, natural)
    }

    static func frenchDates(_ s: String) {
        _ = FrenchDates.dates(in: s, today: today)
        _ = FrenchDates.clauses(in: s, today: today)
    }

    /// When is it open: a fortnight of occurrences and the next opening.
    static func evaluate(_ schedule: Schedule) {
        let e = ScheduleEvaluator(schedule)
        _ = e.occurrences(from: today, days: 14)
        _ = e.next(after: LocalDateTime(date: today, minutes: 600), horizonDays: 60)
    }

    static func phone(_ s: String) {
        _ = PhoneNumber.e164(s)
        _ = PhoneNumber.extract(s)
        _ = EmailAddress.deobfuscate(s)
        _ = EmailAddress.normalize(s)
        _ = EmailAddress.isValid(s)
        _ = EmailAddress.extract(s)
        _ = WebAddress.normalize(s)
    }

    static func textDecoding(_ bytes: [UInt8]) {
        for encoding in ["auto", "utf-8", "windows-1252", "latin-1", "iso-8859-15"] {
            _ = try? TextDecoding.decode(bytes, encoding: encoding)
        }
    }

    static func manifest(_ s: String) {
        guard let m = try? Manifest.parse(s, file: "fuzz.yml", environment: ["RELAIS_HOME": "/relais", "FUZZ": "x"]) else { return }
        _ = m.schedule.next(after: nil, now: now)
        _ = m.schedule.next(after: now, now: now)
        _ = m.registration
    }

    /// What a paged API's fetch reads of each page (its top-level members), then the page parsed
    /// in full as the read does: both must agree on what an object is.
    static func pageMembers(_ bytes: [UInt8]) {
        // The tape a page's records are read from: every value walked, every text decoded.
        if let tape = try? JSONTape(bytes) { walk(tape.root) }
        guard let top = try? TopLevelJSON(bytes: bytes, url: "https://exemple.fr/api?page=1") else { return }
        for key in ["contents", "items", "total_pages", "pages", "last_page", "next"] {
            _ = top.value(key)
            _ = top.isArray(key)
            _ = top.isEmptyArray(key)
        }
    }

    static func walk(_ v: JSONRef) {
        _ = v.scalarText
        for m in v.members { walk(m.value) }
        for e in v.elements { walk(e) }
        _ = v["contents"]
    }

    /// The referral index read back from bytes (a file beside the store), then asked a question
    /// and written again.
    static func indexSnapshot(_ bytes: [UInt8]) {
        guard let tag = IndexSnapshot.tag(of: bytes),
            let index = IndexSnapshot.decode(bytes, taxonomy: directoryData.taxonomy, tag: tag)
        else { return }
        let engine = ReferralEngine(index: index, emergencyLines: directoryData.emergency)
        let dijon = GeoPoint(latitude: 47.322, longitude: 5.041)
        _ = engine.answer(ReferralQuestion(needs: ["isolement"], audience: .personne, origin: dijon, radiusKm: 30, now: LocalDateTime(date: today, minutes: 600)))
        _ = engine.answer(ReferralQuestion(needs: ["famille"], audience: .proche, origin: dijon, radiusKm: 5, now: LocalDateTime(date: today, minutes: 600), withinDays: 7))
        _ = IndexSnapshot.encode(index, tag: tag)
    }

    /// The API's query parsers: a query string (or a form body) decoded, then read as a referral
    /// question (its place found in the gazetteer, its date read), as a sessions query and as a
    /// services search — what every request to /api/referrals, /api/sessions and /api/services does.
    static func query(_ bytes: [UInt8]) {
        let p = QueryParameters(urlEncoded: text(bytes))
        let data = directoryData
        if let ask = try? ReferralAsk.parse(p) {
            _ = try? ReferralRequest.understand(ask, taxonomy: data.taxonomy, gazetteer: data.gazetteer, now: now)
        }
        _ = try? SessionQuery.parse(p, gazetteer: data.gazetteer, now: now)
        _ = try? SearchQuery.parse(p, taxonomy: data.taxonomy, gazetteer: data.gazetteer)
        _ = p.merging(QueryParameters(["near": "75011"])).removing("q")
    }

    // MARK: - Readers, then the normaliser

    /// `Directory/` of the project, loaded once (the gazetteer takes a moment).
    static let directoryData: DirectoryData = {
        do {
            return try DirectoryData.load(from: try home())
        } catch {
            fatalError("relais-fuzz: cannot load Directory/: \(error)")
        }
    }()

    /// The project: RELAIS_HOME, an ancestor of the executable or of the
    /// working folder, or else the checkout this file was compiled from.
    static func home() throws -> RelaisHome {
        if let h = try? RelaisHome.locate() { return h }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return RelaisHome(root: root)
    }

    /// The payload of one fetched page.
    static func documents(_ format: SourceFormat, _ bytes: [UInt8]) -> [Document] {
        switch format {
        case .dataInclusion:
            // The same page as structures and as services: ids link across both.
            return ["structures", "services"].map { Document(url: "https://fuzz.invalid/source/\($0)?page=1", body: bytes, contentType: "application/json") }
        default:
            return [Document(url: "https://fuzz.invalid/source/page", body: bytes)]
        }
    }

    /// An HSDS datapackage: `datapackage.json`, then one CSV table per section of the
    /// input; a line `== NAME` starts the table NAME (services, phones, schedules,
    /// locations, addresses, service_at_locations, organizations, taxonomy_terms, attributes).
    static func datapackage(_ bytes: [UInt8]) -> [Document] {
        var docs = [Document(url: "https://fuzz.invalid/source/datapackage.json", body: Array("{}".utf8))]
        var name = "services"
        var body: [UInt8] = []
        func flush() {
            if !body.isEmpty { docs.append(Document(url: "https://fuzz.invalid/source/\(name).csv", body: body)) }
            body = []
        }
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if line.starts(with: Array("== ".utf8)) {
                flush()
                name = String(decoding: line.dropFirst(3), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                body += line
                body.append(0x0A)
            }
        }
        flush()
        return docs
    }

    static func read(_ format: SourceFormat, documents: [Document]) {
        let manifest = Manifest(id: "fuzz", title: "fuzz", url: "https://fuzz.invalid/source", format: format)
        let ctx = ReaderContext(manifest: manifest, normalizer: RecordNormalizer(data: directoryData, defaultKind: nil), now: now)
        guard let result = try? Readers.reader(for: format)?.read(Payload(documents: documents, httpStatus: 200), ctx) else { return }
        let memo = RecordNormalizer.Memo()
        for record in result.records { _ = ctx.normalizer.normalize(record, memo: memo) }
    }
}
