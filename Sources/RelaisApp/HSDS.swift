import Foundation
import RelaisModel
import RelaisNormalize

/// Open Referral HSDS 3.0 views of the directory, rendered from the same listings as everything
/// else (the profile is documented in `profile/`). Every object has a stable UUID, version 5 of
/// Relais's namespace and the listing's key (`service/r1a2b…`): the same listing gets the same
/// UUIDs on every instance, in the API and in the exports. Relais's own fields go where HSDS
/// allows them: kind, needs, audiences, modalities and the listing's state as attributes of
/// Relais's taxonomies; provenance as metadata; sessions as dated schedules.
public enum HSDS {
    /// Relais's namespace for name-based UUIDs (fixed forever: changing it changes every id).
    public static let namespace = "8a3c5f7e-2d41-5b6a-9e0f-52656c616973"
    public static let version = "3.0"
    /// The profile's identifier, at the root of the API (documented in `profile/README.md`).
    public static let profile = "urn:relais:hsds-profile:sante-mentale-fr:1"

    /// The UUID of an object of `type` (service, location…) named `key`.
    public static func uuid(_ type: String, _ key: String) -> String {
        UUID5.make(namespace: namespace, name: "\(type)/\(key)") ?? "00000000-0000-5000-8000-000000000000"
    }

    // MARK: Objects

    public struct Taxonomy: Codable, Sendable {
        public var id: String
        public var name: String
        public var description: String
        public var uri: String?
        public var version: String?
    }

    public struct TaxonomyTerm: Codable, Sendable {
        public var id: String
        public var code: String
        public var name: String
        public var description: String
        public var taxonomy: String
        public var taxonomy_id: String
        public var language: String
        public var taxonomy_detail: Taxonomy?
    }

    public struct Attribute: Codable, Sendable {
        public var id: String
        public var link_id: String
        public var link_type: String
        public var link_entity: String
        public var taxonomy_term_id: String?
        public var value: String?
        public var taxonomy_term: TaxonomyTerm?
    }

    public struct Metadata: Codable, Sendable {
        public var id: String
        public var resource_id: String
        public var resource_type: String
        public var last_action_date: String
        public var last_action_type: String
        public var field_name: String
        public var previous_value: String
        public var replacement_value: String
        public var updated_by: String
    }

    public struct Phone: Codable, Sendable {
        public var id: String
        public var service_id: String?
        public var number: String
        public var type: String?
        public var description: String?
    }

    public struct Schedule: Codable, Sendable {
        public var id: String
        public var service_id: String?
        public var valid_from: String?
        public var valid_to: String?
        public var dtstart: String?
        /// Hours from UTC in force today in the listing's zone (HSDS reads times as UTC otherwise).
        public var timezone: Double?
        public var until: String?
        public var count: Int?
        public var freq: String?
        public var interval: Int?
        public var byday: String?
        public var bymonthday: String?
        public var description: String?
        public var opens_at: String?
        public var closes_at: String?
        public var attending_type: String?
        public var notes: String?
        public var attributes: [Attribute]
    }

    public struct Address: Codable, Sendable {
        public var id: String
        public var location_id: String
        public var address_1: String
        public var address_2: String?
        public var city: String
        public var region: String?
        public var state_province: String
        public var postal_code: String
        public var country: String
        public var address_type: String
    }

    public struct Accessibility: Codable, Sendable {
        public var id: String
        public var location_id: String
        public var description: String?
        public var details: String?
        public var url: String?
    }

    public struct Language: Codable, Sendable {
        public var id: String
        public var service_id: String?
        public var name: String
        public var code: String
    }

    public struct Location: Codable, Sendable {
        public var id: String
        public var location_type: String
        public var name: String?
        public var latitude: Double?
        public var longitude: Double?
        public var external_identifier: String?
        public var external_identifier_type: String?
        public var addresses: [Address]
        public var accessibility: [Accessibility]
        public var attributes: [Attribute]
    }

    public struct ServiceAtLocation: Codable, Sendable {
        public var id: String
        public var service_id: String
        public var location_id: String
        public var location: Location?
        public var service: Service?
    }

    public struct Organization: Codable, Sendable {
        public var id: String
        public var name: String
        public var description: String
        public var services: [Service]?
    }

    public final class Service: Codable, Sendable {
        public let id: String
        public let organization_id: String?
        public let name: String
        public let alternate_name: String?
        public let description: String?
        public let url: String?
        public let email: String?
        public let status: String
        public let application_process: String?
        public let fees_description: String?
        public let eligibility_description: String?
        public let last_modified: String?
        public let phones: [Phone]
        public let schedules: [Schedule]
        public let service_at_locations: [ServiceAtLocation]
        public let languages: [Language]
        public let organization: Organization?
        public let attributes: [Attribute]
        public let metadata: [Metadata]

        init(
            id: String, organization_id: String?, name: String, alternate_name: String?, description: String?, url: String?, email: String?,
            status: String, application_process: String?, fees_description: String?, eligibility_description: String?, last_modified: String?,
            phones: [Phone], schedules: [Schedule], service_at_locations: [ServiceAtLocation], languages: [Language], organization: Organization?,
            attributes: [Attribute], metadata: [Metadata]
        ) {
            self.id = id
            self.organization_id = organization_id
            self.name = name
            self.alternate_name = alternate_name
            self.description = description
            self.url = url
            self.email = email
            self.status = status
            self.application_process = application_process
            self.fees_description = fees_description
            self.eligibility_description = eligibility_description
            self.last_modified = last_modified
            self.phones = phones
            self.schedules = schedules
            self.service_at_locations = service_at_locations
            self.languages = languages
            self.organization = organization
            self.attributes = attributes
            self.metadata = metadata
        }
    }

    // MARK: Relais's taxonomies

    /// Relais's vocabularies, published as HSDS taxonomies (`relais:…`).
    public struct Vocabulary: Sendable {
        public let taxonomies: [Taxonomy]
        public let terms: [TaxonomyTerm]
        let byCode: [String: TaxonomyTerm]

        public init(_ t: RelaisModel.Taxonomy) {
            func taxonomy(_ name: String, _ description: String) -> Taxonomy {
                Taxonomy(id: HSDS.uuid("taxonomy", name), name: name, description: description, uri: nil, version: "1")
            }
            let kinds = taxonomy("relais:type", "Types de ressources d’entraide en santé mentale (GEM, association d’usagers, groupe de parole…)")
            let needs = taxonomy("relais:besoin", "Besoins auxquels une ressource répond (isolement, entraide entre pairs, soutien des proches…)")
            let audiences = taxonomy("relais:public", "À qui la ressource s’adresse : la personne concernée, ses proches, les professionnels")
            let modalities = taxonomy("relais:modalite", "Comment on y accède : sur place, par téléphone, en ligne")
            let state = taxonomy("relais:etat", "État de la fiche dans Relais : données de démonstration, obsolète (disparue de ses sources)")
            var terms: [TaxonomyTerm] = []
            func term(_ tax: Taxonomy, _ code: String, _ name: String, _ description: String) {
                terms.append(TaxonomyTerm(
                    id: HSDS.uuid("taxonomy_term", "\(tax.name)/\(code)"), code: code, name: name, description: description, taxonomy: tax.name,
                    taxonomy_id: tax.id, language: "fr", taxonomy_detail: tax))
            }
            for k in t.kinds { term(kinds, k.kind.rawValue, k.label, k.description ?? k.plural) }
            for n in t.needs { term(needs, n.id, n.label, n.description ?? n.label) }
            term(audiences, Audience.personne.rawValue, "Personne concernée", "La personne qui vit avec un trouble psychique")
            term(audiences, Audience.proche.rawValue, "Proches", "Famille, amis, aidants d’une personne concernée")
            term(audiences, Audience.professionnel.rawValue, "Professionnels", "Soignants et travailleurs sociaux")
            term(modalities, Modality.sur_place.rawValue, "Sur place", "Accueil dans un lieu")
            term(modalities, Modality.telephone.rawValue, "Par téléphone", "Écoute ou accompagnement par téléphone")
            term(modalities, Modality.en_ligne.rawValue, "En ligne", "Sur internet (forum, visioconférence, plateforme)")
            term(state, "demonstration", "Données de démonstration", "Fiche fictive, fournie pour essayer Relais : jamais une vraie ressource")
            term(state, "obsolete", "Obsolète", "La fiche a disparu de toutes les sources qui la listaient ; gardée jusqu’à sa vérification")
            taxonomies = [kinds, needs, audiences, modalities, state]
            self.terms = terms
            byCode = Dictionary(terms.map { ("\($0.taxonomy)/\($0.code)", $0) }, uniquingKeysWith: { a, _ in a })
        }

        public func term(_ taxonomy: String, _ code: String) -> TaxonomyTerm? { byCode["\(taxonomy)/\(code)"] }
    }

    // MARK: Rendering

    /// What rendering needs besides the listing: the vocabularies, the départements' names, today.
    public struct Context: Sendable {
        public let vocabulary: Vocabulary
        public let taxonomy: RelaisModel.Taxonomy
        public let gazetteer: Gazetteer
        /// Now, as seconds since the epoch: the UTC offset in force for each schedule's zone.
        public let now: Int

        public init(taxonomy: RelaisModel.Taxonomy, gazetteer: Gazetteer, now: Date) {
            self.taxonomy = taxonomy
            vocabulary = Vocabulary(taxonomy)
            self.gazetteer = gazetteer
            self.now = Int(now.timeIntervalSince1970)
        }
    }

    /// HSDS requires an organization's description; Relais knows organizations only by name.
    public static let organizationDescription = "Organisme porteur de ressources d’entraide en santé mentale listées dans Relais."

    /// The store's key of a listing's organization (its folded name), and its UUID.
    public static func organizationKey(_ name: String) -> String { Text.organizationKey(name) }

    public static func organization(named name: String) -> Organization {
        Organization(id: uuid("organization", organizationKey(name)), name: name, description: organizationDescription, services: nil)
    }

    /// A listing as an HSDS service, with its organization, location, phones, schedules,
    /// languages, attributes and provenance.
    public static func service(_ l: Listing, updatedAt: String?, _ ctx: Context) -> Service {
        let c = l.content
        let sid = uuid("service", l.id)
        let lid = uuid("location", l.id)
        var attributes: [Attribute] = []
        func attribute(_ taxonomy: String, _ code: String, link: String = sid, entity: String = "service", value: String? = nil) {
            guard let term = ctx.vocabulary.term(taxonomy, code) else { return }
            attributes.append(Attribute(
                id: uuid("attribute", "\(link)/\(taxonomy)/\(code)"), link_id: link, link_type: String(taxonomy.dropFirst("relais:".count)), link_entity: entity,
                taxonomy_term_id: term.id, value: value ?? term.name, taxonomy_term: term))
        }
        attribute("relais:type", c.kind.rawValue)
        for n in ctx.taxonomy.needs(of: c) { attribute("relais:besoin", n) }
        for a in c.audiences { attribute("relais:public", a.rawValue) }
        for m in c.modalities { attribute("relais:modalite", m.rawValue) }
        if l.demo { attribute("relais:etat", "demonstration") }
        if l.stale { attribute("relais:etat", "obsolete") }

        let zone = c.zone
        let offsetHours = Double(zone.offset(atEpoch: ctx.now)) / 3600
        let offset = offsetString(zone.offset(atEpoch: ctx.now))
        var schedules: [Schedule] = []
        for (r, rule) in c.schedule.rules.enumerated() {
            let spans = rule.times.isEmpty ? [TimeSpan?.none] : rule.times.map { Optional($0) }
            let osm = OpeningHours.format(rule)
            for (s, span) in spans.enumerated() {
                var notes: [String] = []
                notes.append("opening_hours=\(osm)")
                if rule.off { notes.append("fermé") }
                if let comment = rule.comment { notes.append(comment) }
                if !rule.months.isEmpty { notes.append("mois : " + rule.months.map(String.init).joined(separator: ",")) }
                schedules.append(Schedule(
                    id: uuid("schedule", "\(l.id)/\(r)/\(s)"), service_id: sid, valid_from: rule.validFrom?.description, valid_to: rule.validUntil?.description,
                    dtstart: rule.anchor?.description, timezone: offsetHours, until: rule.validUntil?.description, count: rule.count,
                    freq: rule.days.isEmpty ? nil : (rule.isMonthly ? "MONTHLY" : "WEEKLY"), interval: rule.days.isEmpty ? nil : rule.interval,
                    byday: rule.days.isEmpty ? nil : OpeningHours.icalByDay(rule.days), bymonthday: nil,
                    description: c.scheduleText, opens_at: span.map { TimeSpan.hhmm($0.open) + ":00" + offset },
                    closes_at: span?.close.map { TimeSpan.hhmm($0 % 1440) + ":00" + offset }, attending_type: nil,
                    notes: notes.isEmpty ? nil : notes.joined(separator: " ; "), attributes: zoneAttribute(zone, link: uuid("schedule", "\(l.id)/\(r)/\(s)"))))
            }
        }
        // Sessions (workshops, talk groups on set dates): one dated schedule per occurrence to come or past.
        for (k, session) in c.sessions.enumerated() where !session.cancelled {
            for (o, occurrence) in session.occurrences.prefix(100).enumerated() {
                let start = zone.iso(occurrence.start)
                let id = uuid("schedule", "\(l.id)/session/\(k)/\(o)")
                schedules.append(Schedule(
                    id: id, service_id: sid, valid_from: occurrence.start.date.description, valid_to: (occurrence.end ?? occurrence.start).date.description,
                    dtstart: occurrence.start.date.description, timezone: Double(zone.offset(atEpoch: zone.epoch(of: occurrence.start))) / 3600,
                    until: nil, count: nil, freq: nil, interval: nil, byday: nil, bymonthday: nil, description: session.title,
                    opens_at: occurrence.allDay ? nil : String(start.dropFirst(11)),
                    closes_at: occurrence.allDay ? nil : occurrence.end.map { String(zone.iso($0).dropFirst(11)) },
                    attending_type: session.online ? (session.onsite ? "sur place ou en ligne" : "en ligne") : "sur place",
                    notes: [session.placeName, session.note].compactMap { $0 }.joined(separator: " ; ").nilIfEmptyText,
                    attributes: zoneAttribute(zone, link: id)))
            }
        }

        let a = c.address
        let virtual = c.kind.isRemote && a?.street == nil
        var addresses: [Address] = []
        if let a, !virtual, let city = a.commune ?? a.postalCode.flatMap({ ctx.gazetteer.communes(postalCode: $0).first?.name }), let postal = a.postalCode {
            let dep = a.departement.flatMap { ctx.gazetteer.departement(code: $0) }
            addresses.append(Address(
                id: uuid("address", l.id), location_id: lid, address_1: a.street ?? "", address_2: a.complement, city: city,
                region: dep?.regionName ?? a.region, state_province: dep?.name ?? a.departement ?? "", postal_code: postal, country: a.country,
                address_type: "physical"))
        }
        let location = Location(
            id: lid, location_type: virtual ? "virtual" : "physical", name: c.placeName ?? c.name,
            latitude: virtual ? nil : c.point?.latitude, longitude: virtual ? nil : c.point?.longitude,
            external_identifier: a?.insee, external_identifier_type: a?.insee == nil ? nil : "insee", addresses: addresses,
            accessibility: c.accessibility.map { x in
                [Accessibility(id: uuid("accessibility", l.id), location_id: lid, description: x.description ?? x.features.map(\.label).joined(separator: ", ").nilIfEmptyText,
                               details: x.details, url: x.url)]
            } ?? [], attributes: [])
        let sal = ServiceAtLocation(id: uuid("service_at_location", l.id), service_id: sid, location_id: lid, location: location, service: nil)

        var metadata: [Metadata] = []
        for (field, origin) in l.provenance.sorted(by: { $0.key < $1.key }) {
            metadata.append(Metadata(
                id: uuid("metadata", "\(l.id)/\(field)"), resource_id: sid, resource_type: "service", last_action_date: origin.at,
                last_action_type: origin.source == "curation" ? "update" : "import", field_name: field == "*" ? "all" : field,
                previous_value: "non conservée", replacement_value: origin.conflict ? "valeur retenue parmi des sources en désaccord" : "valeur de la source",
                updated_by: origin.source))
        }
        let organization = c.organization.map { HSDS.organization(named: $0) }
        return Service(
            id: sid, organization_id: organization?.id, name: c.name, alternate_name: c.alternateName, description: c.description,
            url: c.website, email: c.emails.first, status: c.status.hsdsValue, application_process: c.registration, fees_description: c.fees,
            eligibility_description: c.eligibility, last_modified: updatedAt,
            phones: c.phones.enumerated().map { Phone(id: uuid("phone", "\(l.id)/\($0)"), service_id: sid, number: $1.number, type: "voice", description: $1.note) },
            schedules: schedules, service_at_locations: [sal],
            languages: c.languages.map { Language(id: uuid("language", "\(l.id)/\($0)"), service_id: sid, name: RelaisModel.Language.name($0), code: $0) },
            organization: organization, attributes: attributes, metadata: metadata)
    }

    /// A listing removed from the directory, as the change feed reports it: its id, its last name,
    /// status `defunct` (HSDS: « no longer exists ») and when it was removed.
    public static func removed(id: String, name: String?, at: String) -> Service {
        Service(
            id: uuid("service", id), organization_id: nil, name: name ?? "(fiche retirée)", alternate_name: nil, description: nil, url: nil, email: nil,
            status: ServiceStatus.defunct.hsdsValue, application_process: nil, fees_description: nil, eligibility_description: nil, last_modified: at,
            phones: [], schedules: [], service_at_locations: [], languages: [], organization: nil, attributes: [], metadata: [])
    }

    /// A service's place, with the service itself (`/service_at_locations`).
    public static func serviceAtLocation(of s: Service) -> ServiceAtLocation {
        var sal = s.service_at_locations.first ?? ServiceAtLocation(
            id: uuid("service_at_location", s.id), service_id: s.id, location_id: uuid("location", s.id), location: nil, service: nil)
        sal.service = s
        return sal
    }

    /// The zone's IANA name on a schedule (HSDS has only a UTC offset, which changes with summer time).
    static func zoneAttribute(_ zone: CivilZone, link: String) -> [Attribute] {
        [Attribute(
            id: uuid("attribute", "\(link)/zone"), link_id: link, link_type: "fuseau_horaire", link_entity: "schedule",
            taxonomy_term_id: nil, value: zone.identifier, taxonomy_term: nil)]
    }

    /// `+01:00`, `-03:00`, `-09:30`.
    static func offsetString(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let m = abs(seconds) / 60
        return sign + String(format: "%02d:%02d", m / 60, m % 60)
    }
}

extension String {
    fileprivate var nilIfEmptyText: String? { isEmpty ? nil : self }
}
