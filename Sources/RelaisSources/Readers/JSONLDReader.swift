import Foundation
import RelaisModel
import RelaisMerge
import RelaisNormalize

/// schema.org JSON-LD in `<script type="application/ld+json">` blocks
/// (including `@graph`): `Organization` (and its subtypes) and `Place` become
/// listings; `Event`s become dated sessions of their organiser (or listings of
/// their own when they have none). Cancelled and past events are left out.
/// When the organisation gives no hours, the page's "Accueil : …" sentence is read.
struct JSONLDReader: FormatReader {
    var format: SourceFormat { .jsonld }
    var options: [String] { ["events"] }

    static let organizationTypes: Set<String> = [
        "Organization", "NGO", "LocalBusiness", "MedicalOrganization", "GovernmentOrganization", "Place", "CivicStructure",
        "MedicalClinic", "Library", "CommunityHealth", "Corporation",
    ]

    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult {
        guard let d = payload.documents.first else { return ReadResult() }
        let text = try self.text(d, ctx)
        guard let doc = HTMLDocument(bytes: Array(text.utf8), url: d.url) else { throw ReadError("\(d.url) : page HTML illisible") }
        var nodes: [[String: Any]] = []
        for (i, script) in doc.select("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]").enumerated() {
            let body = script.text
            guard let data = body.data(using: .utf8), let json = try? JSONSerialization.jsonObject(with: data) else {
                throw ReadError("\(d.url) : bloc JSON-LD n° \(i + 1) illisible")
            }
            nodes += Self.flatten(json)
        }
        var result = ReadResult()
        let byID = Dictionary(nodes.compactMap { n in (n["@id"] as? String).map { ($0, n) } }, uniquingKeysWith: { a, _ in a })
        var orgRecords: [String: Int] = [:]
        var firstOrg: Int?
        for (i, n) in nodes.enumerated() where Self.types(n).contains(where: Self.organizationTypes.contains) {
            var r = organization(n, item: "objet \(i + 1)", ctx: ctx)
            if r.openingHours == nil && r.hoursText == nil { r.hoursText = Self.proseHours(doc) }
            result.records.append(r)
            if let id = n["@id"] as? String { orgRecords[id] = result.records.count - 1 }
            firstOrg = firstOrg ?? result.records.count - 1
        }
        for (i, n) in nodes.enumerated() where Self.types(n).contains(where: { $0.hasSuffix("Event") }) {
            let status = (n["eventStatus"] as? String) ?? ""
            if status.hasSuffix("EventCancelled") || status.hasSuffix("EventPostponed") {
                result.skipped += 1
                continue
            }
            guard let session = session(n, ctx: ctx, result: &result, item: "objet \(i + 1)") else { continue }
            // Times with an offset were read as Paris time: the normaliser puts them in the listing's zone.
            let withOffset = session.note == nil
            let organizerID = (n["organizer"] as? [String: Any])?["@id"] as? String
            if let oid = organizerID, let idx = orgRecords[oid] {
                result.records[idx].sessions.append(session)
                if withOffset { result.records[idx].timesZone = .paris }
            } else if let idx = firstOrg, organizerID.map({ byID[$0] == nil }) ?? true {
                result.records[idx].sessions.append(session)
                if withOffset { result.records[idx].timesZone = .paris }
            } else {
                var r = RawRecord(item: "objet \(i + 1)")
                r.id = n["@id"] as? String ?? session.key
                r.name = session.title
                r.description = JSONPath.string(n["description"])
                r.sessions = [session]
                if withOffset { r.timesZone = .paris }
                r.kind = ctx.normalizer.classify(session.title) ?? ctx.manifest.kind
                if let a = session.place {
                    r.street = a.street
                    r.postalCode = a.postalCode
                    r.commune = a.commune
                } else {
                    r.virtual = true
                }
                result.records.append(r)
            }
        }
        return result
    }

    static func flatten(_ json: Any) -> [[String: Any]] {
        if let a = json as? [Any] { return a.flatMap(flatten) }
        guard let o = json as? [String: Any] else { return [] }
        if let g = o["@graph"] as? [Any] { return g.flatMap(flatten) }
        return [o]
    }

    /// schema.org's `availableLanguage` (texts, or `Language` objects with `name` and
    /// `alternateName`, its code) and `amenityFeature` (`LocationFeatureSpecification`:
    /// a `name`, and a `value` that is not false), on the node or its `location`.
    static func readAccess(_ n: [String: Any], into r: inout RawRecord) {
        let place = n["location"] as? [String: Any]
        for v in [n["availableLanguage"], place?["availableLanguage"]].compactMap({ $0 }) {
            let items = (v as? [Any]) ?? [v]
            for item in items {
                if let text = item as? String {
                    r.languages.append(text)
                } else if let o = item as? [String: Any], let text = JSONPath.string(o["alternateName"]) ?? JSONPath.string(o["name"]) {
                    r.languages.append(text)
                }
            }
        }
        var features: [String] = []
        for v in [n["amenityFeature"], place?["amenityFeature"]].compactMap({ $0 }) {
            let items = (v as? [Any]) ?? [v]
            for case let o as [String: Any] in items {
                guard let name = JSONPath.string(o["name"]) else { continue }
                if let b = o["value"] as? Bool, !b { continue }
                if let t = JSONPath.string(o["value"]), ["false", "non", "no", "0"].contains(t.lowercased()) { continue }
                features.append(name)
            }
        }
        if !features.isEmpty { r.accessibilityText = features.joined(separator: ", ") }
        if let url = JSONPath.string(n["accessibilitySummary"]) ?? JSONPath.string(place?["accessibilitySummary"]) {
            r.accessibilityDetails = url
        }
    }

    static func types(_ n: [String: Any]) -> [String] {
        JSONPath.strings(n["@type"]).map { $0.replacingOccurrences(of: "https://schema.org/", with: "").replacingOccurrences(of: "http://schema.org/", with: "") }
    }

    func organization(_ n: [String: Any], item: String, ctx: ReaderContext) -> RawRecord {
        var r = RawRecord(item: item)
        r.id = n["@id"] as? String ?? JSONPath.string(n["url"])
        r.name = JSONPath.string(n["name"])
        r.alternateName = JSONPath.string(n["alternateName"])
        r.description = JSONPath.string(n["description"])
        r.website = JSONPath.string(n["url"])
        r.phones = JSONPath.strings(n["telephone"])
        r.emails = JSONPath.strings(n["email"]).map { $0.replacingOccurrences(of: "mailto:", with: "") }
        Self.readAccess(n, into: &r)
        if let a = Self.postalAddress(n["address"]) ?? Self.postalAddress((n["location"] as? [String: Any])?["address"]) {
            r.street = a.street
            r.postalCode = a.postalCode
            r.commune = a.commune
        }
        if let geo = n["geo"] as? [String: Any] {
            r.latitude = JSONPath.double(geo["latitude"])
            r.longitude = JSONPath.double(geo["longitude"])
        }
        if let oh = n["openingHours"] {
            r.openingHours = JSONPath.strings(oh).joined(separator: "; ")
        } else if let specs = n["openingHoursSpecification"] as? [[String: Any]] {
            var rules: [ScheduleRule] = []
            for s in specs {
                let days = JSONPath.strings(s["dayOfWeek"]).compactMap { d -> WeekdaySelector? in
                    let name = d.split(separator: "/").last.map(String.init) ?? d
                    let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
                    return names.firstIndex(of: name).map { WeekdaySelector(weekday: $0 + 1) }
                }
                func minutes(_ v: Any?) -> Int? {
                    guard let t = JSONPath.string(v)?.split(separator: ":"), t.count >= 2, let h = Int(t[0]), let m = Int(t[1]),
                        (0...24).contains(h), (0..<60).contains(m)
                    else { return nil }
                    return h * 60 + m
                }
                if let o = minutes(s["opens"]), !days.isEmpty { rules.append(ScheduleRule(days: days, times: [TimeSpan(open: o, close: minutes(s["closes"]))])) }
            }
            if !rules.isEmpty { r.schedule = Schedule(rules: rules) }
        }
        r.kind = ctx.manifest.kind ?? ctx.normalizer.classify(r.name) ?? ctx.normalizer.classify(r.description)
        return r
    }

    static func postalAddress(_ v: Any?) -> Address? {
        guard let a = v as? [String: Any] else {
            if let s = v as? String {
                let p = AddressText.split(s)
                return Address(street: p.street, postalCode: p.postalCode, commune: p.commune)
            }
            return nil
        }
        return Address(street: JSONPath.string(a["streetAddress"]), postalCode: JSONPath.string(a["postalCode"]), commune: JSONPath.string(a["addressLocality"]))
    }

    /// schema.org dates: with an offset (converted to Paris time), or without
    /// (read as Paris wall-clock time, flagged).
    static func localDateTime(_ s: String) -> (LocalDateTime, hadOffset: Bool)? {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard let date = LocalDate(iso: t.prefix(10)) else { return nil }
        guard t.count >= 16 else { return (LocalDateTime(date: date, minutes: 0), true) }
        let timePart = t.dropFirst(11)
        let hm = timePart.prefix(5).split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]) else { return nil }
        let wall = LocalDateTime(date: date, hour: h, minute: m)
        let rest = timePart.dropFirst(5).drop { $0 == ":" || $0.isNumber || $0 == "." }
        if rest.isEmpty { return (wall, false) }
        var offset = 0
        if rest.first == "Z" { offset = 0 } else if let sign = rest.first, sign == "+" || sign == "-" {
            let digits = rest.dropFirst().split(separator: ":").joined()
            guard digits.count >= 2, let oh = Int(digits.prefix(2)), let om = Int(digits.dropFirst(2).prefix(2).isEmpty ? "0" : digits.dropFirst(2).prefix(2)) else { return (wall, false) }
            offset = (oh * 60 + om) * (sign == "-" ? -1 : 1)
        }
        let epoch = (wall.date.dayNumber * 1440 + wall.minutes - offset) * 60
        return (ParisTime.local(atEpoch: epoch), true)
    }

    func session(_ n: [String: Any], ctx: ReaderContext, result: inout ReadResult, item: String) -> Session? {
        guard let title = JSONPath.string(n["name"]), let startText = JSONPath.string(n["startDate"]), let (start, startOffset) = Self.localDateTime(startText) else {
            result.issues.append(RunIssue(item: item, field: "startDate", reason: "event without name or readable startDate", severity: .warning))
            return nil
        }
        let end = JSONPath.string(n["endDate"]).flatMap { Self.localDateTime($0)?.0 }
        if (end ?? start) < ctx.nowLocal {
            result.skipped += 1
            return nil
        }
        let mode = (n["eventAttendanceMode"] as? String) ?? ""
        let locations = (n["location"] as? [[String: Any]]) ?? ((n["location"] as? [String: Any]).map { [$0] } ?? [])
        let place = locations.first { Self.types($0).contains("Place") || $0["address"] != nil }
        var address = place.flatMap { Self.postalAddress($0["address"]) }
        var point: GeoPoint?
        if var a = address {
            let res = ctx.normalizer.data.gazetteer.resolve(postalCode: a.postalCode, commune: a.commune)
            a.insee = res.commune?.insee
            a.departement = res.departement
            a.postalCode = res.postalCode ?? a.postalCode
            address = a
            point = res.commune?.centroid
        }
        let online = mode.hasSuffix("OnlineEventAttendanceMode") || mode.hasSuffix("MixedEventAttendanceMode") || locations.contains { Self.types($0).contains("VirtualLocation") }
        let onsite = !mode.hasSuffix("OnlineEventAttendanceMode") && address != nil
        var offers = n["offers"] as? [String: Any]
        if offers == nil, let list = n["offers"] as? [[String: Any]] { offers = list.first }
        var price: String?
        if let p = offers.flatMap({ JSONPath.string($0["price"]) }) {
            price = (Double(p) ?? 1) == 0 ? "Gratuit" : "\(p) \(offers.flatMap { JSONPath.string($0["priceCurrency"]) } ?? "EUR")"
        } else if (n["isAccessibleForFree"] as? Bool) == true {
            price = "Gratuit"
        }
        var note: String?
        if !startOffset {
            note = "Heure sans fuseau dans la source : lue comme heure locale du lieu."
            result.issues.append(RunIssue(item: item, field: "startDate", reason: "startDate sans décalage horaire : lue comme heure locale du lieu", severity: .warning))
        }
        return Session(
            key: (n["@id"] as? String) ?? Text.hash(title, startText), title: title,
            occurrences: [Occurrence(start: start, end: end)], place: address,
            placeName: place.flatMap { JSONPath.string($0["name"]) }, point: point, online: online, onsite: onsite,
            registration: offers.flatMap { JSONPath.string($0["url"]) } ?? JSONPath.string(n["url"]), price: price, note: note)
    }

    /// "Accueil sur place : le mardi et le jeudi de 14h à 17h, et sur rendez-vous."
    static func proseHours(_ doc: HTMLDocument) -> String? {
        for p in doc.select("//body//p[not(ancestor::footer) and not(ancestor::article)]") {
            let t = Text.squeeze(p.text)
            let f = " " + Text.fold(t) + " "
            guard [" accueil ", " horaires ", " ouvert ", " ouverte ", " permanence ", " permanences "].contains(where: f.contains) else { continue }
            for sentence in t.components(separatedBy: ". ") where FrenchSchedule.read(sentence).schedule != nil {
                return sentence
            }
        }
        return nil
    }
}

extension SourceFormat {
    public static let jsonld = SourceFormat("jsonld")
}
