import Foundation
import RelaisModel
import RelaisMerge
import RelaisNormalize

/// Turns what an admin (or a reader's accepted report) typed for one field into
/// the values to curate, normalised exactly as an import would: phones to
/// E.164, e-mails de-obfuscated, an address resolved to its commune and
/// coordinates, French hours parsed into a schedule. Text that cannot be
/// understood is refused with a message, never stored half-read.
public struct ListingEditor: Sendable {
    public let data: DirectoryData

    public init(data: DirectoryData) { self.data = data }

    public struct EditError: Error, CustomStringConvertible {
        public let description: String
    }

    static let plainText: Set<String> = [
        "alternateName", "description", "organization", "sponsor", "manager", "audienceNote", "placeName", "fees", "eligibility",
        "registration", "scheduleText",
    ]

    /// French labels of the editable fields, for forms.
    public static let labels: [(field: String, label: String)] = [
        ("name", "Nom"), ("alternateName", "Autre nom"), ("kind", "Type de ressource"), ("status", "Statut"), ("description", "Description"),
        ("organization", "Organisme"), ("sponsor", "Parrain"), ("manager", "Gestionnaire"), ("needs", "Besoins"), ("audiences", "Publics"),
        ("audienceNote", "Précision sur le public"), ("modalities", "Modalités"), ("phones", "Téléphones"), ("emails", "Courriels"),
        ("website", "Site web"), ("address", "Adresse"), ("placeName", "Lieu"), ("point", "Coordonnées (latitude, longitude)"),
        ("schedule", "Horaires"), ("fees", "Tarifs"), ("eligibility", "Conditions"), ("registration", "Inscription"),
        ("languages", "Langues parlées"), ("accessibility", "Accessibilité"),
    ]

    /// The curated values for `field` from `text` (field → value; `.null` empties an optional field).
    public func values(field: String, text: String, current: ListingContent) throws -> [String: JSONValue] {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.utf8.count <= RecordNormalizer.maxFieldLength else { throw EditError(description: "texte trop long pour « \(field) »") }
        func list(_ allowed: [String], labels: [String: String] = [:]) throws -> JSONValue {
            var out: [JSONValue] = []
            for part in t.split(whereSeparator: { ",;/".contains($0) }) {
                let f = Text.fold(String(part)).replacingOccurrences(of: " ", with: "_")
                guard let hit = allowed.first(where: { $0 == f || labels[$0].map { Text.fold($0).replacingOccurrences(of: " ", with: "_") } == f }) else {
                    throw EditError(description: "« \(part.trimmingCharacters(in: .whitespaces)) » n’est pas une valeur possible de « \(field) » ; valeurs : \(allowed.joined(separator: ", "))")
                }
                if !out.contains(.string(hit)) { out.append(.string(hit)) }
            }
            return .array(out)
        }
        if Self.plainText.contains(field) {
            return [field: Text.clean(t).map { .string($0) } ?? .null]
        }
        switch field {
        case "name":
            guard let clean = Text.clean(t), !clean.isEmpty else { throw EditError(description: "le nom ne peut pas être vide") }
            return ["name": .string(Text.name(clean))]
        case "kind":
            let kinds = data.taxonomy.kinds
            let f = Text.fold(t).replacingOccurrences(of: " ", with: "_")
            guard let k = kinds.first(where: { $0.kind.rawValue == f || Text.fold($0.label).replacingOccurrences(of: " ", with: "_") == f }) else {
                throw EditError(description: "type « \(t) » inconnu ; types : \(kinds.map(\.kind.rawValue).joined(separator: ", "))")
            }
            return ["kind": .string(k.kind.rawValue)]
        case "status":
            guard let s = ServiceStatus(rawValue: Text.fold(t).replacingOccurrences(of: " ", with: "_")) else {
                throw EditError(description: "statut « \(t) » inconnu ; statuts : \(ServiceStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return ["status": .string(s.rawValue)]
        case "needs":
            return ["needs": try list(data.taxonomy.needs.map(\.id), labels: Dictionary(data.taxonomy.needs.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a }))]
        case "audiences":
            return ["audiences": try list(Audience.allCases.map(\.rawValue))]
        case "modalities":
            return ["modalities": try list(Modality.allCases.map(\.rawValue))]
        case "website":
            if t.isEmpty { return ["website": .null] }
            guard let w = WebAddress.normalize(t) else { throw EditError(description: "adresse web « \(t) » invalide") }
            return ["website": .string(w)]
        case "point":
            if t.isEmpty { return ["point": .null] }
            let numbers = t.replacingOccurrences(of: ";", with: ",").split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard numbers.count == 2, let lat = numbers[0], let lon = numbers[1] else {
                throw EditError(description: "coordonnées « \(t) » illisibles ; attendu « latitude, longitude », par exemple « 45.76, 4.83 »")
            }
            let (checked, flag) = Gazetteer.checkCoordinates(latitude: lat, longitude: lon)
            guard let checked, flag == nil else { throw EditError(description: "coordonnées hors de France ou inversées : « \(t) »") }
            return ["point": JSONValue.encode(checked)]
        case "phones", "emails", "address", "schedule":
            return try normalised(field: field, text: t, current: current)
        case "languages":
            if t.isEmpty { return ["languages": .array([])] }
            let (codes, unknown) = LanguageNames.parse(t)
            guard unknown.isEmpty, !codes.isEmpty else {
                throw EditError(description: "langue non reconnue : « \((unknown.first ?? t)) » ; écrivez des noms (français, arabe, LSF) ou des codes ISO 639 (fr, ar, fsl), séparés par des virgules")
            }
            return ["languages": .array(codes.map { .string($0) })]
        case "accessibility":
            if t.isEmpty { return ["accessibility": .null] }
            let url = t.split(separator: " ").first { $0.lowercased().hasPrefix("http") }.flatMap { WebAddress.normalize(String($0)) }
            guard let a = AccessibilityText.accessibility(t, url: url) else { return ["accessibility": .null] }
            return ["accessibility": JSONValue.encode(a)]
        case "sessions":
            throw EditError(description: "les séances datées viennent des agendas des sources ; elles ne se modifient pas ici")
        default:
            throw EditError(description: "champ « \(field) » non modifiable ; champs possibles : \(ListingMerger.editableFields.joined(separator: ", "))")
        }
    }

    /// Fields whose reading needs the importer's normaliser.
    private func normalised(field: String, text: String, current: ListingContent) throws -> [String: JSONValue] {
        if text.isEmpty {
            switch field {
            case "phones", "emails": return [field: .array([])]
            case "schedule": return ["schedule": JSONValue.encode(Schedule()), "scheduleText": .null]
            default: return ["address": .null, "point": .null]
            }
        }
        var raw = RawRecord(item: "modification")
        raw.name = current.name
        switch field {
        case "phones": raw.phones = [text]
        case "emails": raw.emails = [text]
        case "address": raw.addressText = text
        default: raw.hoursText = text
        }
        guard case .listing(let draft, _) = RecordNormalizer(data: data, defaultKind: current.kind).normalize(raw) else {
            throw EditError(description: "« \(text) » n’a pas pu être lu")
        }
        let c = draft.content
        switch field {
        case "phones":
            guard !c.phones.isEmpty, !c.flags.contains(where: { $0.code == "invalid_phone" }) else {
                throw EditError(description: "numéro de téléphone non reconnu dans « \(text) » (attendu par exemple 01 23 45 67 89)")
            }
            return ["phones": JSONValue.encode(c.phones)]
        case "emails":
            guard !c.emails.isEmpty, !c.flags.contains(where: { $0.code == "invalid_email" }) else {
                throw EditError(description: "adresse e-mail non reconnue dans « \(text) »")
            }
            return ["emails": JSONValue.encode(c.emails)]
        case "address":
            guard let a = c.address, a.insee != nil || a.postalCode != nil else {
                throw EditError(description: "adresse « \(text) » : commune ou code postal introuvable (attendu par exemple « 12 rue Lecocq, 33000 Bordeaux »)")
            }
            return ["address": JSONValue.encode(a), "point": c.point.map { JSONValue.encode($0) } ?? .null]
        default:
            guard !c.schedule.isEmpty else {
                throw EditError(description: "horaires non compris : « \(text) » ; écrivez par exemple « le mardi de 14 h à 17 h », ou mettez ce texte dans « scheduleText » pour qu’il soit affiché tel quel")
            }
            return ["schedule": JSONValue.encode(c.schedule), "scheduleText": .string(text)]
        }
    }
}
