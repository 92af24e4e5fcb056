import Foundation
import RelaisApp
import RelaisModel
import RelaisNormalize
import RelaisReferral

// The view models of the public pages: one struct per page and per repeated piece, built
// from the canonical listing (``Listing``) and the use cases' answers. Templates read their
// stored properties by name (see ``ViewModel``).

struct PhoneModel: ViewModel {
    var number: String
    var display: String
    var note: String?
}

/// How to reach a resource: the `contact` partial.
struct ContactModel: ViewModel {
    var phones: [PhoneModel]
    var email: String?
    var website: String?
    var address: String?
    var map: String?

    init(_ c: ListingContent) {
        phones = c.phones.map { PhoneModel(number: $0.number, display: PhoneDisplay.french($0.number), note: $0.note) }
        email = c.emails.first
        website = c.website
        address = c.address.map(\.singleLine).flatMap { $0.isEmpty ? nil : $0 }
        let map = c.point.flatMap { p in c.pointPrecision == .departement ? nil : "https://www.openstreetmap.org/?mlat=\(p.latitude)&mlon=\(p.longitude)#map=17/\(p.latitude)/\(p.longitude)" }
        self.map = c.address?.street != nil ? map : nil
    }
}

/// Languages and access as a page says them: « français, arabe, LSF »; « entrée de plain-pied, boucle magnétique ».
struct AccessModel: ViewModel {
    var languages: String?
    var access: String?
    var access_note: String?
    var access_url: String?

    init(_ c: ListingContent) {
        languages = c.languages.isEmpty ? nil : c.languages.map(Language.shortName).joined(separator: ", ")
        let a = c.accessibility
        access = a.flatMap { $0.features.isEmpty ? nil : $0.features.map(\.label).joined(separator: ", ") }
        access_note = a.flatMap { [$0.description, $0.details].compactMap { $0 }.joined(separator: " — ").nilIfEmpty }
        access_url = a?.url
    }
}

struct EmergencyModel: ViewModel {
    struct Line: ViewModel {
        var number: String
        var name: String
        var when: String
    }
    var title = "En cas d’urgence ou de danger, appelez d’abord :"
    var lines: [Line]

    init?(_ lines: [EmergencyLine]?) {
        guard let lines else { return nil }
        self.lines = lines.map { Line(number: $0.number, name: $0.name, when: $0.when) }
    }
}

/// One suggestion of a referral: the `suggestion` partial.
struct SuggestionModel: ViewModel {
    var id: String
    var name: String
    var kind_label: String
    var reasons: [String]
    var distance: String?
    var remote: Bool
    var demo: Bool
    var stale: Bool
    var closed: Bool
    var pickable: Bool
    /// Ticked for the sheet: the first three suggestions only.
    var picked: Bool
    var next: String?
    var next_label: String
    var phones: [PhoneModel]
    var email: String?
    var website: String?
    var address: String?
    var map: String?
    var languages: String?
    var access: String?

    init(_ s: Suggestion, _ l: Listing?, taxonomy: Taxonomy, pickable: Bool, picked: Bool = false) {
        self.picked = picked
        id = s.id
        name = Text.naturalCase(s.name)
        kind_label = taxonomy.label(of: s.kind)
        reasons = s.reasons.filter { !$0.hasPrefix("Prochaine") && !$0.hasPrefix("Ouvert en ce moment") && !$0.hasPrefix("Données de démonstration") }
        distance = s.distanceKm.map(Self.distance)
        remote = s.distanceKm == nil
        demo = s.demo
        stale = s.stale
        closed = s.closed
        self.pickable = pickable
        next = s.nextOpening.map(FrenchFormat.occurrence)
        next_label = Self.nextLabel(s.nextOpeningLabel)
        let contact = l.map { ContactModel($0.content) }
        phones = contact?.phones ?? []
        email = contact?.email
        website = contact?.website
        address = contact?.address
        map = contact?.map
        let access = l.map { AccessModel($0.content) }
        languages = access?.languages
        self.access = access?.access
    }

    static func distance(_ km: Double) -> String { km < 1 ? "moins d’un kilomètre" : FrenchFormat.distance(km) }

    static func nextLabel(_ l: String?) -> String {
        switch l {
        case "session": "Prochaine session"
        case "permanence": "Prochaine permanence"
        case "séance": "Prochaine séance"
        default: "Prochaine ouverture"
        }
    }
}

/// A listing in a list of results (home, directory, admin).
struct ListingSummary: ViewModel {
    var id: String
    var name: String
    var kind: String
    var place: String
    var phone: PhoneModel?
    var demo: Bool
    var stale: Bool
    var hidden: Bool

    init(_ l: Listing, taxonomy: Taxonomy) {
        let c = l.content
        id = l.id
        name = Text.naturalCase(c.name)
        kind = taxonomy.label(of: c.kind)
        place = c.address.map { [$0.postalCode, $0.commune].compactMap { $0 }.joined(separator: " ") } ?? ""
        phone = c.phones.first.map { PhoneModel(number: $0.number, display: PhoneDisplay.french($0.number)) }
        demo = l.demo
        stale = l.stale
        hidden = l.hidden
    }
}

struct HomePage: ViewModel {
    var page = PageMeta(title: "Relais — trouver un lieu d’entraide en santé mentale")
    var q: String?
    var searched = false
    var total = 0
    var total_label = ""
    var results: [ListingSummary] = []
}

struct Option: ViewModel {
    var value: String
    var label: String
    var selected: Bool
}

struct Choice: ViewModel {
    var id: String
    var label: String
    var checked: Bool
}

struct Link: ViewModel {
    var label: String
    var href: String
}

struct HiddenField: ViewModel {
    var name: String
    var value: String
}

struct OrientationPage: ViewModel {
    var page: PageMeta
    var heading: String
    var disclaimer = ReferralEngine.disclaimer
    var near: String
    var audiences: [Choice]
    var needs: [Choice]
    var radii: [Option]
    var modalities: [Option]
    var windows: [Option]
    var languages: [Option]
    var accesses: [Option]
    var choices: [Link] = []
    var error: String?
    var emergency: EmergencyModel?
    var searched = false
    /// The question in one line: « Pour un proche · Soutien aux proches · près de 75010 Paris, 30 km ».
    var summary = ""
    var count = 0
    var count_label = ""
    var place = "vous"
    var nothing_near: NothingNearModel?
    var suggestions: [SuggestionModel] = []
    var hidden: [HiddenField] = []
    var permalink = ""
}

/// Nothing to go to within the radius: the message, the nearest places beyond it, a wider radius.
struct NothingNearModel: ViewModel {
    struct Place: ViewModel {
        var id: String
        var name: String
        var place: String?
        var distance: String
    }
    var message: String
    var beyond: [Place]
    /// A wider radius that reaches them, phone and online resources.
    var links: [Link]
}

/// One resource on the printed sheet: every line is plain text, ready to print or share.
struct SheetItem: ViewModel {
    var name: String
    var kind_label: String
    var demo: Bool
    var why: String?
    var distance: String?
    /// The regular schedule in plain French: « le lundi et le jeudi, 14 h – 17 h 30 ».
    var when: String?
    /// The next two dates (all the dates of a short series such as a Prospect workshop).
    var dates: String?
    var address: String?
    var access: String?
    var languages: String?
    /// Phones in national format, e-mail, website: « 01 42 63 03 03 · contact@… · https://… ».
    var contact: String?
    var registration: String?
}

struct SheetPage: ViewModel {
    var page = PageMeta(title: "Fiche d’orientation — Relais")
    var date: String
    var place: String?
    var needs: String?
    var disclaimer = ReferralEngine.disclaimer
    var items: [SheetItem]
    var emergency: EmergencyModel?
    var back: String
    /// The same text for the professional's own SMS or e-mail application (nothing goes through Relais).
    var sms: String
    var mailto: String
}

struct SessionLine: ViewModel {
    var title: String
    var days: String
    var place: String?
    var online: Bool
    var price: String?
    var registration: String?
}

struct ParentLink: ViewModel {
    var id: String
    var name: String
}

struct ResourcePage: ViewModel {
    var page: PageMeta
    var id: String
    var name: String
    var kind_label: String
    var alternate_name: String?
    var description: String?
    var organization: String?
    var sponsor: String?
    var manager: String?
    var parent: ParentLink?
    var audiences: String
    var audience_note: String?
    var needs: String
    var modalities: String
    var languages: String?
    var access: String?
    var access_note: String?
    var access_url: String?
    var fees: String?
    var eligibility: String?
    var registration: String?
    var schedule: [String]
    var schedule_text: String?
    var next: [String]
    var sessions: [SessionLine]
    var phones: [PhoneModel]
    var email: String?
    var website: String?
    var address: String?
    var map: String?
    var sources: [String]
    /// « Mis à jour depuis la source le 2 décembre 2026. » and, if an admin checked it by hand,
    /// « Vérifié par l’équipe le … » (never for demonstration data).
    var freshness: String
    var demo: Bool
    var stale: Bool
    var closed: Bool
    var inactive: Bool
    var max_message: Int
}

struct ReportedPage: ViewModel {
    var page = PageMeta(title: "Merci — Relais")
    var id: String
    var name: String
}

struct FamilySession: ViewModel {
    var listing_id: String
    var title: String
    var kind_label: String
    var days: [String]
    var distance: String?
    var demo: Bool
    var place: String?
    var online: Bool
    var registration: String?
    var phone: PhoneModel?
}

struct FamiliesPage: ViewModel {
    var page = PageMeta(title: "Vous accompagnez un proche — Relais")
    var disclaimer = ReferralEngine.disclaimer
    var near: String
    var lines: [SuggestionModel] = []
    var error: String?
    var searched = false
    var place = ""
    var sessions: [FamilySession] = []
    var calendar = ""
    var webcal = ""
    var associations: [SuggestionModel] = []
}

struct DepartementOption: ViewModel {
    var code: String
    var name: String
    var selected: Bool
}

struct BrowsePage: ViewModel {
    var page = PageMeta(title: "Annuaire — Relais")
    var q: String
    var total: Int
    var total_label: String
    var scope: String?
    var pageNumber: Int
    var pages: Int
    var departements: [DepartementOption]
    var kinds: [Choice]
    var languages: [Option]
    var accesses: [Option]
    var results: [ListingSummary]
    var previous: String?
    var next: String?
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
