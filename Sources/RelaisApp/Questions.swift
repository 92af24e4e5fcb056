import Foundation
import RelaisModel
import RelaisNormalize
import RelaisReferral

/// A place as understood from what a person typed: a postal code, an INSEE code, a commune,
/// or « latitude,longitude ».
public struct ResolvedPlace: Sendable, Hashable {
    public var label: String
    public var point: GeoPoint
    public var departement: String?
}

extension Gazetteer {
    /// `text` as a place, or an `invalid` error naming `parameter` (with the communes to
    /// choose from when the name is shared).
    public func resolve(_ text: String, parameter: String = "near") throws -> ResolvedPlace {
        switch lookup(text) {
        case .point(let p, let label, let dep): return ResolvedPlace(label: label, point: p, departement: dep)
        case .ambiguous(let communes):
            let choices = communes.map { c in "\(c.name) (\(departementCode(insee: c.insee) ?? c.insee)) — \(c.postalCodes.first ?? c.insee)" }
            throw RelaisError(
                .invalid, "Plusieurs communes s’appellent « \(text) » : précisez le code postal ou le département.", parameter: parameter,
                details: ["choices": choices])
        case .notFound:
            throw RelaisError(.invalid, "Lieu inconnu « \(text) » : indiquez un code postal, un code INSEE, une commune ou « latitude,longitude ».", parameter: parameter)
        }
    }
}

/// The filters on languages and access every question shares: `langue=ar` (an ISO 639
/// code or a French name: « arabe », « LSF »), `accessible=fauteuil`.
public enum AccessFilters {
    public static func language(_ p: QueryParameters) throws -> String? {
        guard let raw = p.string("langue") ?? p.string("language") else { return nil }
        guard let code = LanguageNames.code(raw) else {
            throw RelaisError(
                .invalid, "Paramètre « langue » : « \(raw) » n’est pas une langue connue ; indiquez un code ISO 639 (ar, es, fsl…) ou un nom (arabe, espagnol, LSF).",
                parameter: "langue")
        }
        return code
    }

    public static func access(_ p: QueryParameters) throws -> AccessFeature? {
        guard let raw = p.string("accessible") ?? p.string("accessibility") else { return nil }
        return try QueryParameters.choice(raw, AccessFeature.self, parameter: "accessible")
    }
}

/// A referral question as a person asks it, before it is understood: what the page's
/// form, the API and `relais refer` all carry. Nothing here names a person; `situation`
/// is read for the crisis check only, then dropped (never stored, logged nor linked).
public struct ReferralAsk: Sendable {
    public var needs: [String]
    public var audience: Audience
    public var near: String?
    public var radiusKm: Double
    public var modality: Modality?
    /// `AAAA-MM-JJ`, optionally followed by `THH:MM`.
    public var date: String?
    public var withinDays: Int?
    public var limit: Int
    public var situation: String?
    public var language: String?
    public var access: AccessFeature?

    public init(needs: [String], audience: Audience = .personne, near: String? = nil, radiusKm: Double = 30, modality: Modality? = nil, date: String? = nil,
                withinDays: Int? = nil, limit: Int = 10, situation: String? = nil, language: String? = nil, access: AccessFeature? = nil) {
        self.needs = needs
        self.audience = audience
        self.near = near
        self.radiusKm = radiusKm
        self.modality = modality
        self.date = date
        self.withinDays = withinDays
        self.limit = limit
        self.situation = situation
        self.language = language
        self.access = access
    }

    /// `needs`, `audience`, `near`, `radius_km`, `modalite`, `date`, `within_days`, `limit`,
    /// `situation`, `langue`, `accessible`.
    public static func parse(_ p: QueryParameters) throws -> ReferralAsk {
        let needs = p.list("needs").isEmpty ? p.list("need") : p.list("needs")
        let modality = try p.choice("modalite", Modality.self) ?? p.choice("modality", Modality.self)
        return ReferralAsk(
            needs: needs, audience: try p.choice("audience", Audience.self) ?? .personne, near: p.string("near"),
            radiusKm: try p.double("radius_km", range: 1...300) ?? 30, modality: modality, date: p.string("date"),
            withinDays: try p.int("within_days", range: 1...366), limit: try p.int("limit", default: 10, range: 1...50),
            situation: p["situation"], language: try AccessFilters.language(p), access: try AccessFilters.access(p))
    }

    /// The parameters that repeat this question in a link: everything but the situation.
    public var linkParameters: [(String, String)] {
        var out: [(String, String)] = [("needs", needs.joined(separator: ",")), ("audience", audience.rawValue)]
        if let near { out.append(("near", near)) }
        if radiusKm != 30 { out.append(("radius_km", radiusKm.rounded() == radiusKm ? String(Int(radiusKm)) : String(radiusKm))) }
        if let modality { out.append(("modalite", modality.rawValue)) }
        if let date { out.append(("date", date)) }
        if let withinDays { out.append(("within_days", String(withinDays))) }
        if let language { out.append(("langue", language)) }
        if let access { out.append(("accessible", access.rawValue)) }
        return out
    }
}

/// A referral question understood: the engine's question, where it is about, and the ask.
public struct ReferralRequest: Sendable {
    /// The needs whose label or description holds `word` (or a word starting with it): labels
    /// first, at most two. « soutien » → famille (« Soutien aux proches »).
    static func needs(meaning word: String, in taxonomy: Taxonomy) -> [NeedDefinition] {
        let folded = Text.fold(word)
        guard folded.count >= 4 else { return [] }
        func holds(_ text: String?) -> Bool {
            Text.fold(text ?? "").split { !$0.isLetter }.contains { w in w == folded || w.hasPrefix(folded) || (folded.hasPrefix(w) && w.count >= 5) }
        }
        let byLabel = taxonomy.needs.filter { holds($0.label) }
        let byDescription = taxonomy.needs.filter { holds($0.description) && !byLabel.contains($0) }
        return Array((byLabel + byDescription).prefix(2))
    }

    public var question: ReferralQuestion
    public var place: ResolvedPlace?
    public var date: LocalDate
    public var ask: ReferralAsk

    /// Checks every part of `ask` against the taxonomy and the gazetteer; each error names its parameter.
    public static func understand(_ ask: ReferralAsk, taxonomy: Taxonomy, gazetteer: Gazetteer, now: Date) throws -> ReferralRequest {
        let valid = taxonomy.needIDs + [Taxonomy.crisisNeed]
        guard !ask.needs.isEmpty else {
            throw RelaisError(.invalid, "Indiquez au moins un besoin parmi : \(valid.joined(separator: ", ")).", parameter: "needs", details: ["valid": valid])
        }
        for n in ask.needs where !valid.contains(n) {
            // A near spelling (« familles »), else the needs whose wording holds the word (« soutien » → famille).
            let meant = Text.closest(n, among: valid).map { [$0] } ?? Self.needs(meaning: n, in: taxonomy).map(\.id)
            let labels = meant.map { id in "« \(id) »" + (taxonomy.need(id).map { " (\($0.label))" } ?? "") }
            let near = labels.isEmpty ? "" : " Vouliez-vous dire \(labels.joined(separator: " ou "))\u{A0}?"
            var details = ["valid": valid]
            if !meant.isEmpty { details["suggestion"] = meant }
            throw RelaisError(.invalid, "Besoin inconnu « \(n) ».\(near) Besoins possibles : \(valid.joined(separator: ", ")).", parameter: "needs", details: details)
        }
        guard (1...300).contains(ask.radiusKm) else {
            throw RelaisError(.invalid, "Paramètre « radius_km » : attendu un nombre entre 1 et 300.", parameter: "radius_km")
        }
        guard (1...50).contains(ask.limit) else { throw RelaisError(.invalid, "Paramètre « limit » : attendu un entier entre 1 et 50.", parameter: "limit") }
        if let w = ask.withinDays, !(1...366).contains(w) {
            throw RelaisError(.invalid, "Paramètre « within_days » : attendu un entier entre 1 et 366.", parameter: "within_days")
        }
        var place: ResolvedPlace?
        if let near = ask.near?.trimmingCharacters(in: .whitespacesAndNewlines), !near.isEmpty {
            place = try gazetteer.resolve(near)
        } else if !ask.needs.allSatisfy({ $0 == Taxonomy.crisisNeed }) && ask.modality != .telephone && ask.modality != .en_ligne {
            // Phone lines and online resources are reached from anywhere: no place needed for them.
            throw RelaisError(.invalid, "Indiquez un lieu (code postal, commune ou « latitude,longitude ») pour trouver des ressources proches.", parameter: "near")
        }
        // The moment of the question, in the place's own time (La Réunion, Guadeloupe…): now, or the
        // start of the given day there.
        let zone = CivilZone.forDepartement(place?.departement)
        let nowLocal = zone.local(atEpoch: Int(now.timeIntervalSince1970))
        var at = nowLocal
        if let d = ask.date?.trimmingCharacters(in: .whitespaces), !d.isEmpty {
            guard let date = LocalDate(iso: d.prefix(10)) else {
                throw RelaisError(.invalid, "Paramètre « date » : « \(d) » : attendu une date AAAA-MM-JJ.", parameter: "date")
            }
            at = date == nowLocal.date ? nowLocal : LocalDateTime(date: date, minutes: 0)
            let hm = d.dropFirst(11).prefix(5).split(separator: ":")
            if d.count >= 16, hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...23).contains(h), (0...59).contains(m) {
                at = LocalDateTime(date: date, hour: h, minute: m)
            }
        }
        var crisis = ask.needs.contains(Taxonomy.crisisNeed)
        if let situation = ask.situation {
            guard situation.count <= 1000 else { throw RelaisError(.invalid, "Texte de la situation trop long (1000 caractères au plus).", parameter: "situation") }
            // Read once for the crisis check, then forgotten.
            if ReferralEngine.signalsCrisis(situation) { crisis = true }
        }
        var forgotten = ask
        forgotten.situation = nil
        let q = ReferralQuestion(
            needs: ask.needs, audience: ask.audience, origin: place?.point, originLabel: place?.label, radiusKm: ask.radiusKm, modality: ask.modality,
            now: at, zone: zone, withinDays: ask.withinDays, limit: ask.limit, crisis: crisis, language: ask.language, access: ask.access)
        return ReferralRequest(question: q, place: place, date: at.date, ask: forgotten)
    }
}

extension SessionQuery {
    /// `kind`, `near`, `radius_km`, `from`, `to`, `audience`, `limit`, `langue`, `accessible`.
    public static func parse(_ p: QueryParameters, gazetteer: Gazetteer, now: Date) throws -> SessionQuery {
        var kinds = SessionQuery.defaultKinds
        if p.string("kind") != nil {
            kinds = try p.list("kind").map { try QueryParameters.choice($0, Kind.self, parameter: "kind") }
        }
        let radius = try p.double("radius_km", range: 1...300) ?? 30
        let limit = try p.int("limit", default: 50, range: 1...200)
        let audience = try p.choice("audience", Audience.self)
        let place = try p.string("near").map { try gazetteer.resolve($0) }
        // "From" is a day of the place asked about, in its own time.
        let zone = CivilZone.forDepartement(place?.departement)
        let nowLocal = zone.local(atEpoch: Int(now.timeIntervalSince1970))
        var from = nowLocal
        if let d = try p.date("from") { from = d == nowLocal.date ? nowLocal : LocalDateTime(date: d, minutes: 0) }
        var to = from.date.adding(days: 365)
        if let d = try p.date("to") {
            guard d >= from.date else { throw RelaisError(.invalid, "Paramètre « to » : attendu une date après « from ».", parameter: "to") }
            to = d
        }
        var q = SessionQuery(kinds: kinds, origin: place?.point, originLabel: place?.label, radiusKm: radius, from: from, to: to, audience: audience, limit: limit)
        q.zone = zone
        q.language = try AccessFilters.language(p)
        q.access = try AccessFilters.access(p)
        return q
    }
}

extension SearchQuery {
    /// `q`, `kind`, `need`, `departement`, `langue`, `accessible`, `page`, `per_page`.
    public static func parse(_ p: QueryParameters, taxonomy: Taxonomy, gazetteer: Gazetteer) throws -> SearchQuery {
        var query = SearchQuery()
        query.text = try p.string("q", maxLength: 200)
        query.kind = try p.choice("kind", Kind.self)
        if let n = p.string("need") {
            guard taxonomy.need(n) != nil else {
                throw RelaisError(.invalid, "Paramètre « need » inconnu : « \(n) ».", parameter: "need", details: ["valid": taxonomy.needIDs])
            }
            query.need = n
        }
        if let d = p.string("departement") {
            let code = d.uppercased()
            guard gazetteer.departement(code: code) != nil else {
                throw RelaisError(.invalid, "Paramètre « departement » inconnu : « \(d) » (un code comme 21, 2A ou 974).", parameter: "departement")
            }
            query.departement = code
        }
        query.language = try AccessFilters.language(p)
        query.access = try AccessFilters.access(p)
        query.page = try p.int("page", default: 1, range: 1...100_000)
        query.perPage = try p.int("per_page", default: 20, range: 1...100)
        return query
    }
}
