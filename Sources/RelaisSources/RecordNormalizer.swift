import Foundation
import RelaisModel
import RelaisMerge
import RelaisNormalize

/// Turns a reader's ``RawRecord`` into a ``ListingDraft``: names, phones,
/// e-mails, URLs, addresses, postal code → commune → INSEE → département →
/// région, coordinates, kind, needs, audiences, schedule. Records that cannot
/// be listings (no name, a required field missing) come back as a rejection.
public struct RecordNormalizer: Sendable {
    public let data: DirectoryData
    public let defaultKind: Kind?
    /// Longest text accepted in one field.
    public static let maxFieldLength = 20_000

    /// A need's id and its folded label (spaces as `_`) → the need's id; the first need to
    /// claim a key keeps it. Built once: a needs column is read for every record.
    let needKeys: [String: String]

    public init(data: DirectoryData, defaultKind: Kind?) {
        self.data = data
        self.defaultKind = defaultKind
        var keys: [String: String] = [:]
        for n in data.taxonomy.needs {
            if keys[n.id] == nil { keys[n.id] = n.id }
            let label = Self.needKey(n.label)
            if keys[label] == nil { keys[label] = n.id }
        }
        needKeys = keys
    }

    /// How a need is named in a column: folded, spaces as `_` (« Pair-aidance » → `pair-aidance`).
    static func needKey(_ text: String) -> String {
        String(decoding: Text.fold(text).utf8.map { $0 == 0x20 ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }

    public enum Outcome: Sendable {
        case listing(ListingDraft, warnings: [RunIssue])
        case rejected(RunIssue)
    }

    /// What was already understood in this run: the same schedule text or the
    /// same postal code and commune are read once. One per worker, not shared.
    public final class Memo {
        var readings: [String: ScheduleReading] = [:]
        var osm: [String: Schedule?] = [:]
        var places: [String: AddressResolution] = [:]
        public init() {}
    }

    /// The first kind whose keyword appears in `text` (folded, whole words).
    public func classify(_ text: String?) -> Kind? {
        guard let text, !text.isEmpty else { return nil }
        let folded = " " + Text.fold(text) + " "
        for def in data.taxonomy.kinds {
            for k in def.keywords where Text.has(folded, " " + k + " ") { return def.kind }
        }
        return nil
    }

    /// Audiences a text mentions ("pour les proches", "personnes concernées").
    static func audiences(in text: String?) -> [Audience] {
        guard let text else { return [] }
        let f = " " + Text.fold(text) + " "
        var out: [Audience] = []
        if [" proches ", " proche ", " familles ", " famille ", " parents ", " entourage ", " aidants familiaux ", " proches aidants ", " fratries ", " conjoints "].contains(where: { Text.has(f, $0) }) { out.append(.proche) }
        if [" personnes concernees ", " usagers ", " patients ", " personne concernee ", " adultes ", " jeunes ", " personnes en souffrance ", " personnes vivant "].contains(where: { Text.has(f, $0) }) { out.append(.personne) }
        if [" professionnels ", " soignants "].contains(where: { Text.has(f, $0) }) { out.append(.professionnel) }
        return out
    }

    /// Audiences of a cell that lists them in single words, as spreadsheets and taxonomies do
    /// (`personne`, `proches`, `tous`, `jeunes`, `professionnels`, « Tout public »); nil when the
    /// text is a sentence (read by ``audiences(in:)``).
    static func audienceWords(_ text: String?) -> [Audience]? {
        guard let text else { return nil }
        // Folding turns every separator (`,;/|+&`) into a space.
        let words = Text.fold(text).utf8.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }.filter { !["et", "ou", "les", "des", "aux", "a"].contains($0) }
        guard !words.isEmpty, words.count <= 6 else { return nil }
        var out: [Audience] = []
        func add(_ a: [Audience]) { for x in a where !out.contains(x) { out.append(x) } }
        var i = 0
        while i < words.count {
            let w = words[i]
            switch w {
            case "personne", "personnes", "usager", "usagers", "patient", "patients", "concerne", "concernes", "concernee", "concernees",
                "adulte", "adultes", "jeune", "jeunes", "adolescent", "adolescents", "ados", "etudiant", "etudiants", "pairs":
                add([.personne])
            case "proche", "proches", "famille", "familles", "aidant", "aidants", "parent", "parents", "entourage", "fratrie", "fratries":
                add([.proche])
            case "professionnel", "professionnels", "pro", "pros", "soignant", "soignants", "professionnelle", "professionnelles":
                add([.professionnel])
            case "tous", "toutes", "all":
                add([.personne, .proche, .professionnel])
            case "tout" where i + 1 < words.count && (words[i + 1] == "public" || words[i + 1] == "le"):
                add([.personne, .proche, .professionnel])
                i += words[i + 1] == "le" ? 2 : 1
            case "public", "monde", "publics":
                break
            default:
                return nil  // a word that is not an audience: a sentence, read otherwise
            }
            i += 1
        }
        return out.isEmpty ? nil : out
    }

    public func normalize(_ r: RawRecord, memo: Memo = Memo()) -> Outcome {
        func read(_ text: String) -> ScheduleReading {
            if let hit = memo.readings[text] { return hit }
            let reading = FrenchSchedule.read(text)
            memo.readings[text] = reading
            return reading
        }
        func osm(_ text: String) -> Schedule? {
            if let hit = memo.osm[text] { return hit }
            let parsed = try? OpeningHours.parse(text)
            memo.osm[text] = .some(parsed)
            return parsed
        }
        var flags = r.flags
        var warnings: [RunIssue] = []
        func warn(_ field: String?, _ reason: String) { warnings.append(RunIssue(item: r.item, field: field, reason: reason, severity: .warning)) }

        if let missing = r.missingRequired.first {
            return .rejected(RunIssue(item: r.item, field: missing, reason: "missing required field \(missing) (champ obligatoire absent)", severity: .rejected))
        }
        if let name = r.name, name.utf8.count > Self.maxFieldLength {
            return .rejected(RunIssue(item: r.item, field: "name", reason: "nom trop long (\(name.utf8.count) octets, au plus \(Self.maxFieldLength)) : ce n’est pas un nom", severity: .rejected))
        }
        // An oversized field is dropped with a flag; the rest of the record stays.
        var r = r
        for dropped in r.dropOversizedFields() {
            flags.append(Flag("field_too_long", field: dropped.field, "Champ « \(dropped.field) » trop long dans la source (\(dropped.bytes) octets) : ignoré."))
            warn(dropped.field, "champ trop long (\(dropped.bytes) octets, au plus \(dropped.limit)) : ignoré, le reste de la fiche est importé")
        }
        guard let rawName = r.name.flatMap({ Text.clean($0) }), !rawName.isEmpty else {
            return .rejected(RunIssue(item: r.item, field: "name", reason: "missing name (nom absent)", severity: .rejected))
        }
        let name = Text.name(rawName)
        if Text.containsMarkup(name) {
            flags.append(Flag("markup_in_name", field: "name", "Le nom contient du balisage HTML : affiché comme texte, à vérifier."))
        }

        // Kind: the reader's decision, else the manifest's, else the name's keywords.
        let kind = r.kind ?? defaultKind ?? classify(name) ?? classify(r.kindHint) ?? classify(r.description) ?? .association_usagers
        if r.kind == nil && defaultKind == nil && classify(name) == nil && classify(r.kindHint) == nil && classify(r.description) == nil {
            flags.append(Flag("kind_guessed", field: "kind", "Type de ressource non reconnu : à préciser."))
        }

        // Address.
        var street = r.street.flatMap { Text.clean($0) }
        var complement = r.complement.flatMap { Text.clean($0) }
        var postal = r.postalCode.flatMap { Text.clean($0) }
        var commune = r.commune.flatMap { Text.clean($0) }
        if let text = r.addressText.flatMap({ Text.clean($0) }) {
            let split = AddressText.split(text)
            street = street ?? split.street
            complement = complement ?? split.complement
            postal = postal ?? split.postalCode
            commune = commune ?? split.commune
        }
        var address: Address?
        var point: GeoPoint?
        var precision: GeoPrecision?
        let g = data.gazetteer
        if postal != nil || commune != nil || street != nil {
            let placeKey = (postal ?? "") + "|" + (commune ?? "")
            let res = memo.places[placeKey] ?? g.resolve(postalCode: postal, commune: commune)
            memo.places[placeKey] = res
            for f in res.flags { flags.append(f); warn(f.field, f.message) }
            var insee = res.commune?.insee
            if let given = r.insee.flatMap({ Text.clean($0) }) { insee = given }
            let dep = insee.flatMap { g.departementCode(insee: $0) } ?? res.departement
            let region = dep.flatMap { g.departement(code: $0)?.regionName }
            // Arrondissements display as their city ("Lyon"), the INSEE code stays precise.
            var communeName = commune
            if let c = res.commune, communeName == nil || Text.fold(communeName!) == Text.fold(c.name) { communeName = c.name }
            if let c = res.commune, let parent = g.parent(of: c.insee), let p = g.commune(insee: parent), commune == nil { communeName = p.name }
            address = Address(street: street, complement: complement, postalCode: res.postalCode ?? postal, commune: communeName, insee: insee, departement: dep, region: region)
            // A commune's point judges the source's only when it is the commune's own.
            let own = res.commune.flatMap { g.hasOwnCentroid($0) ? $0 : nil }
            let (checked, flag) = Gazetteer.checkCoordinates(latitude: r.latitude, longitude: r.longitude, near: own?.centroid, territory: dep)
            if let flag { flags.append(flag); warn("coordinates", flag.message) }
            if let checked {
                point = checked
                precision = .source
            } else if let c = own {
                point = c.centroid
                precision = .commune
            } else if let dep, let d = g.departement(code: dep) {
                point = d.centroid
                precision = .departement
            }
        } else if let dep = r.departementHint, let d = g.departement(code: dep) {
            // Only the area is known ("Délégation des Alpes-Maritimes").
            address = Address(departement: dep, region: d.regionName)
            point = d.centroid
            precision = .departement
        } else if !r.virtual {
            let (checked, flag) = Gazetteer.checkCoordinates(latitude: r.latitude, longitude: r.longitude)
            if let flag { flags.append(flag); warn("coordinates", flag.message) }
            if let checked {
                point = checked
                precision = .source
            }
        }

        // Phones and e-mails.
        var phones: [Phone] = []
        for text in r.phones {
            let (numbers, invalid) = PhoneNumber.extract(text)
            for n in numbers where !phones.contains(where: { $0.number == n }) { phones.append(Phone(n, note: r.phoneNotes[text])) }
            for bad in invalid {
                flags.append(Flag("invalid_phone", field: "phones", "Numéro invalide ignoré : « \(bad) »."))
                warn("phones", "invalid phone dropped: \(bad)")
            }
        }
        var emails: [String] = []
        for text in r.emails {
            let (found, invalid) = EmailAddress.extract(text)
            for e in found where !emails.contains(e) { emails.append(e) }
            for bad in invalid {
                flags.append(Flag("invalid_email", field: "emails", "Adresse e-mail invalide ignorée : « \(bad) »."))
                warn("emails", "invalid e-mail dropped: \(bad)")
            }
            let intended = text.contains("@") || text.lowercased().contains("[at]") || text.lowercased().contains("arobase")
            if found.isEmpty && invalid.isEmpty && intended && text.count < 120 {
                flags.append(Flag("invalid_email", field: "emails", "Adresse e-mail illisible ignorée : « \(text) »."))
                warn("emails", "unreadable e-mail dropped: \(text)")
            }
        }
        var website: String?
        if let w = r.website.flatMap({ Text.clean($0) }) {
            website = WebAddress.normalize(w)
            if website == nil {
                flags.append(Flag("invalid_url", field: "website", "Adresse web invalide ignorée : « \(w) »."))
            }
        }

        // Schedule: structured, then OSM, then French text.
        var schedule = r.schedule ?? Schedule()
        var scheduleText: String?
        if schedule.isEmpty, let osmText = r.openingHours.flatMap({ Text.clean($0) }) {
            if let s = osm(osmText) {
                schedule = s
            } else {
                scheduleText = osmText
                let reading = read(osmText)
                if let s = reading.schedule {
                    schedule = s
                    flags.append(Flag("derived_schedule", field: "schedule", "Horaires hors syntaxe OSM, interprétés depuis le texte « \(osmText) » : à vérifier."))
                } else {
                    flags.append(Flag("invalid_opening_hours", field: "schedule", "Horaires illisibles (ni OSM ni texte compris) : « \(osmText) » conservé tel quel."))
                }
                warn("opening_hours", "invalid OSM opening_hours: \(osmText)")
            }
        }
        if schedule.isEmpty, let text = r.hoursText.flatMap({ Text.clean($0) }) {
            scheduleText = text
            let reading = read(text)
            if let s = reading.schedule { schedule = s }
            flags += reading.flags.filter { f in !flags.contains(f) }
        } else if let text = r.hoursText.flatMap({ Text.clean($0) }), scheduleText == nil {
            scheduleText = text
        }

        if let season = r.seasonMonths, !schedule.isEmpty {
            for i in schedule.rules.indices where schedule.rules[i].months.isEmpty && !schedule.rules[i].off { schedule.rules[i].months = season }
        }

        // Audiences, needs, modalities.
        var audiences = r.audiences
        for a in Self.audienceWords(r.audienceText) ?? [] where !audiences.contains(a) { audiences.append(a) }
        for a in Self.audiences(in: [r.audienceText, name, r.kindHint].compactMap { $0 }.joined(separator: " ")) where !audiences.contains(a) { audiences.append(a) }
        if audiences.isEmpty { audiences = data.taxonomy.defaultAudiences(for: kind) }
        var needs = r.needs.filter { id in data.taxonomy.need(id) != nil }
        if let text = r.needsText {
            for part in text.utf8.split(whereSeparator: { $0 == 0x2C || $0 == 0x3B || $0 == 0x2F || $0 == 0x7C }) {  // , ; / |
                if let id = needKeys[Self.needKey(String(decoding: part, as: UTF8.self))], !needs.contains(id) { needs.append(id) }
            }
        }
        var modalities = r.modalities
        if modalities.isEmpty {
            switch kind {
            case .ligne_ecoute: modalities = [.telephone]
            case .ressource_en_ligne: modalities = [.en_ligne]
            default: modalities = r.virtual ? [.en_ligne] : [.sur_place]
            }
        }

        let status = r.status ?? .active
        if status == .temporarily_closed { flags.append(Flag("temporarily_closed", field: "status", "Temporairement fermé.")) }
        if status == .inactive || status == .defunct { flags.append(Flag("inactive", field: "status", "Inactif selon la source.")) }
        if let updated = r.sourceUpdated, LocalDate(iso: updated.prefix(10)) == nil {
            warn("updated", "unreadable update date: \(updated)")
        }

        // Hours and sessions are the listing's local time: its territory's zone (La Réunion, Guadeloupe…).
        let zone = r.listingZone ?? CivilZone.forDepartement(address?.departement)
        var sessions = r.sessions
        if let from = r.timesZone, from != zone {
            sessions = sessions.map { s in
                var s = s
                s.occurrences = s.occurrences.map { o in
                    o.allDay ? o : Occurrence(start: zone.convert(o.start, from: from), end: o.end.map { zone.convert($0, from: from) })
                }
                return s
            }
            // A recurring rule written in another zone does not keep its hours across summer time:
            // its next year of occurrences become dated ones, exact in the listing's zone.
            if !schedule.isEmpty {
                let today = from.local(atEpoch: Int(Date().timeIntervalSince1970)).date
                let occurrences = ScheduleEvaluator(schedule).occurrences(from: today, days: 400)
                    .map { Occurrence(start: zone.convert($0.start, from: from), end: $0.end.map { zone.convert($0, from: from) }) }
                if !occurrences.isEmpty { sessions.append(Session(key: "horaires", title: name, occurrences: occurrences, onsite: !r.virtual)) }
                schedule = Schedule()
                flags.append(Flag("zone_converted", field: "schedule", "Horaires donnés par la source dans le fuseau \(from.identifier), convertis en heure locale (\(zone.identifier))."))
            }
        }

        // Languages and accessibility: codes and features read from the source's words, the words kept.
        var languages: [String] = []
        for text in r.languages {
            let (codes, unknown) = LanguageNames.parse(text)
            for c in codes where !languages.contains(c) { languages.append(c) }
            for u in unknown { warn("languages", "langue non reconnue : « \(u) »") }
        }
        var accessibility = AccessibilityText.accessibility(r.accessibilityText, details: r.accessibilityDetails, url: r.accessibilityURL.flatMap(WebAddress.normalize))
        if languages.contains("fsl"), !(accessibility?.features.contains(.lsf) ?? false) {
            // Welcomed in sign language: the place offers LSF, whatever it says of its building.
            var a = accessibility ?? Accessibility()
            a.features = AccessFeature.allCases.filter { a.features.contains($0) || $0 == .lsf }
            accessibility = a
        }

        let content = ListingContent(
            name: name, alternateName: r.alternateName.flatMap { Text.clean($0) }, kind: kind, description: r.description.flatMap { Text.clean($0) },
            status: status, organization: r.organization.flatMap { Text.clean($0) }, sponsor: r.sponsor.flatMap { Text.clean($0) },
            manager: r.manager.flatMap { Text.clean($0) }, needs: needs, audiences: audiences, audienceNote: r.audienceText.flatMap { Text.clean($0) },
            modalities: modalities, phones: phones, emails: emails, website: website, address: address, placeName: r.placeName.flatMap { Text.clean($0) },
            point: point, pointPrecision: precision, schedule: schedule, scheduleText: scheduleText, sessions: sessions,
            fees: r.fees.flatMap { Text.clean($0) }, eligibility: r.eligibility.flatMap { Text.clean($0) },
            registration: r.registration.flatMap { Text.clean($0) }, parentKey: r.parentKey, sourceUpdated: r.sourceUpdated.map { String($0.prefix(10)) },
            flags: flags.reduce(into: [Flag]()) { acc, f in if !acc.contains(f) { acc.append(f) } },
            timeZone: zone == .paris ? nil : zone.identifier, languages: languages, accessibility: accessibility)
        let key = r.id.flatMap { Text.clean($0) } ?? Text.hash(Text.fold(name), Text.fold(address?.street ?? ""), address?.insee ?? address?.postalCode ?? Text.fold(address?.commune ?? ""))
        return .listing(ListingDraft(key: key, content: content), warnings: warnings)
    }
}

/// Splits one-line French addresses: "Maison des associations, 12 rue Lecocq, 33000 Bordeaux".
public enum AddressText {
    public struct Parts: Sendable, Equatable {
        public var street: String?
        public var complement: String?
        public var postalCode: String?
        public var commune: String?
    }

    public static func split(_ raw: String) -> Parts {
        let text = Text.squeeze(raw)
        var parts = Parts()
        // The postal code and the commune after it.
        if let m = text.range(of: #"\b(\d{5}|\d{2}\s\d{3})\s+([A-Za-zÀ-ÿœŒ'’\- ]+?)(\s*(\(|,|$|\.|;| - ))"#, options: .regularExpression) {
            let segment = String(text[m])
            let digits = segment.prefix { $0.isNumber || $0 == " " }
            parts.postalCode = String(digits.filter(\.isNumber))
            var commune = segment.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
            commune = commune.trimmingCharacters(in: CharacterSet(charactersIn: " ,.;(-"))
            if commune.uppercased() == commune, commune.count > 3 { commune = commune.capitalized }
            parts.commune = commune.isEmpty ? nil : commune
            let before = text[..<m.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: " ,;-–"))
            let pieces = before.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            // The street: a piece with a street word ("12 rue Lecocq"), else one that starts with a number.
            if let streetIndex = pieces.lastIndex(where: { isStreet($0) || isStreet(String($0.drop { $0.isNumber || $0 == " " || $0 == "," }).replacingOccurrences(of: "bis ", with: "").replacingOccurrences(of: "ter ", with: "")) })
                ?? pieces.lastIndex(where: { $0.first?.isNumber == true }) {
                parts.street = pieces[streetIndex]
                let others = pieces.enumerated().filter { $0.offset != streetIndex }.map(\.element)
                parts.complement = others.isEmpty ? nil : others.joined(separator: ", ")
            } else if !pieces.isEmpty {
                parts.complement = pieces.joined(separator: ", ")
            }
        } else {
            parts.street = text
        }
        return parts
    }

    static let streetWords = ["rue", "avenue", "av.", "boulevard", "bd", "place", "cours", "quai", "chemin", "route", "allée", "allee", "impasse", "square", "villa", "passage", "esplanade", "promenade", "rond-point", "faubourg", "voie"]

    static func isStreet(_ s: String) -> Bool {
        let first = s.lowercased().split(separator: " ").first.map(String.init) ?? ""
        return streetWords.contains(first)
    }
}
