import Foundation
import RelaisModel
import RelaisNormalize
import RelaisReferral

/// A referral question as it arrives (query parameters, form fields, CLI
/// options), validated: every error names the parameter at fault.
public struct ReferralRequest: Sendable {
    public var question: ReferralQuestion
    /// Where the question is about, as understood.
    public var place: (label: String, point: GeoPoint, departement: String?)?
    public var date: LocalDate

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let parameter: String
        public let message: String
        public var valid: [String]?
        public var choices: [String]?
        public var description: String { "\(parameter) : \(message)" }
    }

    /// Parses `needs`, `audience`, `near`, `radius_km`, `modalite`, `date`,
    /// `within_days`, `limit` and `situation` (used for the crisis check only,
    /// then dropped: never stored, never logged).
    public static func parse(_ p: [String: String], taxonomy: Taxonomy, gazetteer: Gazetteer, now: Date) throws -> ReferralRequest {
        func value(_ k: String) -> String? {
            guard let v = p[k]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        let needs = (value("needs") ?? value("need") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let valid = taxonomy.needIDs + [Taxonomy.crisisNeed]
        guard !needs.isEmpty else {
            throw Invalid(parameter: "needs", message: "Indiquez au moins un besoin parmi : \(valid.joined(separator: ", ")).", valid: valid)
        }
        for n in needs where !valid.contains(n) {
            throw Invalid(parameter: "needs", message: "Besoin inconnu « \(n) ». Besoins possibles : \(valid.joined(separator: ", ")).", valid: valid)
        }
        var audience = Audience.personne
        if let a = value("audience") {
            guard let parsed = Audience(rawValue: a) else {
                throw Invalid(parameter: "audience", message: "Public inconnu « \(a) » : personne, proche ou professionnel.", valid: Audience.allCases.map(\.rawValue))
            }
            audience = parsed
        }
        func number(_ k: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let raw = value(k) else { return nil }
            guard let v = Double(raw.replacingOccurrences(of: ",", with: ".")), range.contains(v) else {
                throw Invalid(parameter: k, message: "« \(raw) » : attendu un nombre entre \(Int(range.lowerBound)) et \(Int(range.upperBound)).")
            }
            return v
        }
        let radius = try number("radius_km", 1...300) ?? 30
        let withinDays = try number("within_days", 1...366).map { Int($0) }
        let limit = Int(try number("limit", 1...50) ?? 10)
        var modality: Modality?
        if let m = value("modalite") ?? value("modality") {
            guard let parsed = Modality(rawValue: m) else {
                throw Invalid(parameter: "modalite", message: "Modalité inconnue « \(m) » : sur_place, telephone ou en_ligne.", valid: Modality.allCases.map(\.rawValue))
            }
            modality = parsed
        }
        var place: (String, GeoPoint, String?)?
        if let near = value("near") {
            switch gazetteer.lookup(near) {
            case .point(let p, let label, let dep): place = (label, p, dep)
            case .ambiguous(let communes):
                let choices = communes.map { c in "\(c.name) (\(gazetteer.departementCode(insee: c.insee) ?? c.insee)) — \(c.postalCodes.first ?? c.insee)" }
                throw Invalid(parameter: "near", message: "Plusieurs communes s’appellent « \(near) » : précisez le code postal ou le département.", choices: choices)
            case .notFound:
                throw Invalid(parameter: "near", message: "Lieu inconnu « \(near) » : indiquez un code postal, un code INSEE, une commune ou « latitude,longitude ».")
            }
        } else if !needs.allSatisfy({ $0 == Taxonomy.crisisNeed }) {
            throw Invalid(parameter: "near", message: "Indiquez un lieu (code postal, commune ou « latitude,longitude ») pour trouver des ressources proches.")
        }
        // The moment of the question, in the place's own time (La Réunion, Guadeloupe…): now, or the
        // start of the given day there.
        let zone = CivilZone.forDepartement(place?.2)
        let nowLocal = zone.local(atEpoch: Int(now.timeIntervalSince1970))
        var at = nowLocal
        if let d = value("date") {
            guard let date = LocalDate(iso: d.prefix(10)) else {
                throw Invalid(parameter: "date", message: "« \(d) » : attendu une date AAAA-MM-JJ.")
            }
            at = date == nowLocal.date ? nowLocal : LocalDateTime(date: date, minutes: 0)
            let hm = d.dropFirst(11).prefix(5).split(separator: ":")
            if d.count >= 16, hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...23).contains(h), (0...59).contains(m) {
                at = LocalDateTime(date: date, hour: h, minute: m)
            }
        }
        var crisis = needs.contains(Taxonomy.crisisNeed)
        if let situation = p["situation"] {
            guard situation.count <= 1000 else { throw Invalid(parameter: "situation", message: "Texte trop long (1000 caractères au plus).") }
            // Read once for the crisis check, then forgotten.
            if ReferralEngine.signalsCrisis(situation) { crisis = true }
        }
        let q = ReferralQuestion(
            needs: needs, audience: audience, origin: place?.1, originLabel: place?.0, radiusKm: radius, modality: modality, now: at, zone: zone,
            withinDays: withinDays, limit: limit, crisis: crisis)
        return ReferralRequest(question: q, place: place, date: at.date)
    }
}
