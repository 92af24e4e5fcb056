import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisStore

/// Query strings and forms, with repeated keys joined by commas (`needs=a&needs=b` → `a,b`).
enum FormData {
    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(kv[0])
            let value = kv.count > 1 ? decode(kv[1]) : ""
            if let old = out[key], !old.isEmpty, !value.isEmpty { out[key] = old + "," + value } else if out[key] == nil || !value.isEmpty { out[key] = value }
        }
        return out
    }

    static func decode(_ s: Substring) -> String {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
    }

    static func query(_ request: Request) -> [String: String] { parse(request.uri.query ?? "") }

    static func encode(_ params: [(String, String)]) -> String {
        params.map { k, v in "\(k)=\(v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? v)" }.joined(separator: "&")
    }
}

extension Pages {
    func addWebPages(to router: Router<RelaisRequestContext>) {
        router.get("/orientation") { request, _ in try await self.orientation(request) }
        // The form is posted: its free-text `situation` must not travel in the URL.
        router.post("/orientation") { request, _ in
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: 16_384) } catch {
                throw self.error(.contentTooLarge, "Demande trop longue", "Le formulaire envoyé dépasse la taille permise\u{A0}: raccourcissez le texte de la situation.")
            }
            return try await self.orientation(request, posted: FormData.parse(String(buffer: body)))
        }
        router.get("/fiche") { request, _ in try await self.sheet(request) }
        router.get("/proches") { request, _ in try await self.families(request) }
        router.get("/annuaire") { request, _ in try self.browse(request) }
        router.get("/ressources/:id") { _, context in try self.resource(try context.parameters.require("id")) }
        router.post("/ressources/:id/signaler") { request, context in try await self.report(request, context, id: try context.parameters.require("id")) }
        router.get("/calendrier.ics") { request, _ in try await self.calendar(request) }
        router.get("/static/relais.js") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/javascript; charset=utf-8"
            headers[.cacheControl] = "public, max-age=86400"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: WebTemplates.script)))
        }
    }

    // MARK: Shared pieces

    func contact(_ c: ListingContent) -> [String: Any] {
        let map = c.point.flatMap { p in c.pointPrecision == .departement ? nil : "https://www.openstreetmap.org/?mlat=\(p.latitude)&mlon=\(p.longitude)#map=17/\(p.latitude)/\(p.longitude)" }
        return [
            "phones": c.phones.map { ["number": $0.number, "display": PhoneDisplay.french($0.number), "note": tv($0.note)] },
            "email": tv(c.emails.first), "website": tv(c.website),
            "address": tv((c.address.map(\.singleLine).flatMap { $0.isEmpty ? nil : $0 })),
            "map": tv((c.address?.street != nil ? map : nil)),
        ]
    }

    func suggestionModel(_ s: Suggestion, _ l: Listing?, pickable: Bool) -> [String: Any] {
        var m: [String: Any] = [
            "id": s.id, "name": s.name, "kind_label": state.taxonomy.label(of: s.kind), "reasons": s.reasons.filter { !$0.hasPrefix("Prochaine") && !$0.hasPrefix("Ouvert en ce moment") },
            "distance": tv(s.distanceKm.map { $0 < 1 ? "moins d’un kilomètre" : FrenchFormat.distance($0) }), "remote": s.distanceKm == nil,
            "demo": s.demo, "stale": s.stale, "closed": s.closed, "pickable": pickable,
            "next": tv(s.nextOpening.map(FrenchFormat.occurrence)),
            "next_label": nextLabel(s.nextOpeningLabel),
        ]
        if let l { m.merge(contact(l.content)) { a, _ in a } }
        return m
    }

    func nextLabel(_ l: String?) -> String {
        switch l {
        case "session": return "Prochaine session"
        case "permanence": return "Prochaine permanence"
        case "séance": return "Prochaine séance"
        default: return "Prochaine ouverture"
        }
    }

    func emergencyModel(_ lines: [EmergencyLine]?) -> Any {
        guard let lines else { return false }
        return ["title": "En cas d’urgence ou de danger, appelez d’abord :", "lines": lines.map { ["number": $0.number, "name": $0.name, "when": $0.when] }]
    }

    // MARK: Orientation

    /// The referral form and its results, asked by GET (links, bookmarks) or
    /// POST (the form, which may carry `situation`). The situation is read for
    /// the crisis check only: no link, form or permalink of the page repeats it.
    func orientation(_ request: Request, posted: [String: String]? = nil) async throws -> HTML {
        var params = FormData.query(request).merging(posted ?? [:]) { _, body in body }
        let audience = Audience(rawValue: params["audience"] ?? "") ?? .professionnel
        params["audience"] = audience.rawValue
        let chosenNeeds = Set((params["needs"] ?? "").split(separator: ",").map(String.init))
        let headings: [Audience: String] = [
            .professionnel: "Orienter un patient vers l’entraide", .proche: "Trouver du soutien quand on accompagne un proche",
            .personne: "Trouver un lieu d’entraide près de chez soi",
        ]
        func options(_ values: [(String, String)], _ current: String?) -> [[String: Any]] {
            values.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == (current ?? "")] }
        }
        var model: [String: Any] = [
            "page": ["title": "\(headings[audience]!) — Relais"], "heading": headings[audience]!, "disclaimer": ReferralEngine.disclaimer,
            "near": params["near"] ?? "",
            "audiences": [("professionnel", "Je suis un·e professionnel·le et j’oriente une personne"), ("proche", "Pour un proche (famille, ami)"), ("personne", "Pour moi-même")]
                .map { ["id": $0.0, "label": $0.1, "checked": $0.0 == audience.rawValue] },
            "needs": state.taxonomy.needs.map { ["id": $0.id, "label": $0.label, "checked": chosenNeeds.contains($0.id)] }
                + [["id": "crise", "label": "Situation de crise, idées suicidaires", "checked": chosenNeeds.contains("crise")]],
            "radii": options([("10", "10 km"), ("20", "20 km"), ("30", "30 km"), ("50", "50 km"), ("100", "100 km")], params["radius_km"] ?? "30"),
            "modalities": options([("", "Toutes"), ("sur_place", "Sur place"), ("telephone", "Par téléphone"), ("en_ligne", "En ligne")], params["modalite"]),
            "windows": options([("", "Peu importe"), ("7", "Dans la semaine"), ("30", "Dans le mois"), ("90", "Dans les 3 mois")], params["within_days"]),
            "choices": [] as [Any],
        ]
        guard params["near"]?.isEmpty == false || !chosenNeeds.isEmpty else { return try render("orientation", model) }
        if params["needs"]?.isEmpty != false {
            model["error"] = "Cochez au moins un besoin."
            return try render("orientation", model, status: .badRequest)
        }
        do {
            let (req, answer, listings) = try await state.refer(params)
            model["emergency"] = emergencyModel(answer.emergency)
            model["searched"] = true
            model["count"] = answer.suggestions.count
            model["place"] = req.place?.label ?? "vous"
            model["suggestions"] = answer.suggestions.map { suggestionModel($0, listings[$0.id], pickable: true) }
            let shared = ["needs", "audience", "near", "radius_km", "modalite", "within_days", "date"].compactMap { k in params[k].flatMap { $0.isEmpty ? nil : (k, $0) } }
            model["hidden"] = shared.map { ["name": $0.0, "value": $0.1] }
            model["permalink"] = "/orientation?" + FormData.encode(shared)
            return try render("orientation", model)
        } catch let e as APIError {
            if let choices = e.extra["choices"] {
                model["choices"] = choices.map { choice -> [String: String] in
                    // "Saint-Denis (93) — 93200": ask again with the postal code.
                    let postal = choice.components(separatedBy: " — ").last ?? choice
                    var p = params
                    p["near"] = postal
                    p.removeValue(forKey: "situation")
                    return ["label": choice, "href": "/orientation?" + FormData.encode(p.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })]
                }
            }
            model["error"] = e.message
            return try render("orientation", model, status: .badRequest)
        }
    }

    // MARK: The printable sheet

    func sheet(_ request: Request) async throws -> HTML {
        var params = FormData.query(request)
        let ids = (params["ids"] ?? "").split(separator: ",").map(String.init)
        guard ids.count <= 30, ids.allSatisfy({ $0.count <= 40 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) else {
            throw error(.badRequest, "Fiche impossible", "La liste des ressources est invalide.")
        }
        params["limit"] = "50"
        var items: [[String: Any]] = []
        var answer: ReferralAnswer?
        var placeLabel: String?
        if params["needs"]?.isEmpty == false, params["near"]?.isEmpty == false {
            if let (req, a, _) = try? await state.refer(params) {
                answer = a
                placeLabel = req.place?.label
            }
        }
        let listings = try state.store.listings(ids: ids)
        for l in listings {
            let s = answer?.suggestions.first { $0.id == l.id }
            let c = l.content
            var item: [String: Any] = [
                "name": c.name, "kind_label": state.taxonomy.label(of: c.kind), "demo": l.demo,
                "why": (s?.reasons ?? []).filter { !$0.hasPrefix("Prochaine") && !$0.hasPrefix("Informations") && !$0.hasPrefix("Données") && !$0.hasPrefix("Ouvert en ce") },
                "distance": tv(s?.distanceKm.map { $0 < 1 ? "moins d’un kilomètre" : FrenchFormat.distance($0) }),
                "schedule": FrenchFormat.schedule(c.schedule),
            ]
            if let n = s?.nextOpening {
                item["next"] = FrenchFormat.occurrence(n)
                item["next_label"] = nextLabel(s?.nextOpeningLabel).lowercased() + " :"
            }
            item.merge(contact(c)) { a, _ in a }
            items.append(item)
        }
        params.removeValue(forKey: "ids")
        params.removeValue(forKey: "limit")
        params.removeValue(forKey: "situation")
        let needs = (params["needs"] ?? "").split(separator: ",").compactMap { state.taxonomy.need(String($0))?.label }
        let today = ParisTime.local(atEpoch: Int(state.clock().timeIntervalSince1970)).date
        return try render("sheet", [
            "page": ["title": "Fiche d’orientation — Relais"], "date": FrenchFormat.date(today), "place": tv(placeLabel),
            "needs": needs.joined(separator: ", "), "disclaimer": ReferralEngine.disclaimer, "items": items,
            "emergency": emergencyModel(answer?.emergency),
            "back": "/orientation?" + FormData.encode(params.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }),
        ])
    }

    // MARK: Resource page

    func resource(_ id: String) throws -> HTML {
        guard id.count <= 40, let l = try state.store.listing(id: id), !l.hidden else {
            throw error(.notFound, "Fiche introuvable", "Aucune ressource ne porte cet identifiant : elle a peut-être été retirée de l’annuaire.")
        }
        let c = l.content
        let now = c.zone.local(atEpoch: Int(state.clock().timeIntervalSince1970))
        var next: [String] = []
        if !c.schedule.isEmpty, c.status == .active {
            next = ScheduleEvaluator(c.schedule).occurrences(from: now.date, days: 120).filter { ($0.end ?? $0.start) > now }.prefix(5).map(FrenchFormat.occurrence)
        }
        let audienceLabels: [Audience: String] = [.personne: "les personnes concernées", .proche: "les proches et les familles", .professionnel: "les professionnels"]
        let modalityLabels: [Modality: String] = [.sur_place: "sur place", .telephone: "par téléphone", .en_ligne: "en ligne"]
        let sourceTitles = Dictionary(((try? state.store.sources()) ?? []).map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        var parent: Any = false
        if let pid = l.parentID, let p = try state.store.listing(id: pid) { parent = ["id": p.id, "name": p.content.name] }
        var model: [String: Any] = [
            "page": ["title": "\(c.name) — Relais"], "id": l.id, "name": c.name, "kind_label": state.taxonomy.label(of: c.kind),
            "alternate_name": tv(c.alternateName), "description": tv(c.description), "organization": tv(c.organization),
            "sponsor": tv(c.sponsor), "manager": tv(c.manager), "parent": parent,
            "audiences": FrenchFormat.list(c.audiences.compactMap { audienceLabels[$0] }), "audience_note": tv(c.audienceNote),
            "needs": FrenchFormat.list(state.taxonomy.needs(of: c).compactMap { state.taxonomy.need($0)?.label }),
            "modalities": FrenchFormat.list(c.modalities.compactMap { modalityLabels[$0] }),
            "fees": tv(c.fees), "eligibility": tv(c.eligibility), "registration": tv(c.registration),
            "schedule": FrenchFormat.schedule(c.schedule), "schedule_text": tv(c.scheduleText), "next": next,
            "sessions": c.sessions.filter { !$0.cancelled }.map { s in
                ["title": s.title, "days": s.occurrences.map(FrenchFormat.occurrence).joined(separator: " ; "),
                 "place": [s.placeName, s.place?.singleLine].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", "),
                 "online": s.online, "price": tv(s.price), "registration": tv(s.registration)] as [String: Any]
            },
            "sources": l.sources.map { sourceTitles[$0] ?? $0 }, "last_verified": l.lastVerified.flatMap { LocalDate(iso: $0) }.map { FrenchFormat.date($0, weekday: false) } ?? "inconnue",
            "demo": l.demo, "stale": l.stale, "closed": c.status == .temporarily_closed, "inactive": c.status == .inactive || c.status == .defunct,
            "max_message": state.admin.reports.maxMessageLength,
        ]
        model.merge(contact(c)) { a, _ in a }
        return try render("resource", model)
    }

    /// « Signaler une erreur »: validated, then stored unless the client or
    /// everyone together sent too many lately (429, nothing stored).
    func report(_ request: Request, _ context: RelaisRequestContext, id: String) async throws -> Response {
        guard let l = try state.store.listing(id: id), !l.hidden else {
            throw error(.notFound, "Fiche introuvable", "Aucune ressource ne porte cet identifiant.")
        }
        let thanks = { try self.render("reported", ["page": ["title": "Merci — Relais"], "id": id, "name": l.content.name]).response(from: request, context: context) }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 16_384) } catch {
            throw self.error(.contentTooLarge, "Signalement trop long", "Votre signalement dépasse la taille permise\u{A0}: raccourcissez le message.")
        }
        let form = FormData.parse(String(buffer: body))
        if form["website_hp"]?.isEmpty == false { return try thanks() }
        let limits = state.admin.reports
        guard let message = form["message"]?.trimmingCharacters(in: .whitespacesAndNewlines), !message.isEmpty, message.count <= limits.maxMessageLength else {
            throw error(.badRequest, "Signalement incomplet", "Écrivez un message (\(limits.maxMessageLength)\u{A0}caractères au plus).")
        }
        let suggested = form["suggested"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard suggested.count <= 500 else {
            throw error(.badRequest, "Signalement trop long", "La bonne information tient en 500\u{A0}caractères au plus.")
        }
        var email: String?
        if let raw = form["contact_email"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard raw.count <= 254, let valid = EmailAddress.normalize(raw) else {
                throw error(.badRequest, "Courriel invalide", "Le courriel « \(raw.prefix(254)) » n’est pas valide ; il est facultatif, vous pouvez le laisser vide.")
            }
            email = valid
        }
        let field = form["field"].flatMap { ListingMerger.editableFields.contains($0) ? $0 : nil }
        let client = state.throttleKey("signalement", state.client(of: request, context: context).key)
        let windows = limits.perClient.map { RateWindow(key: client, limit: $0.count, seconds: $0.seconds) }
            + limits.overall.map { RateWindow(key: "signalement:tous", limit: $0.count, seconds: $0.seconds) }
        let outcome = try state.store.addReport(
            serviceID: id, field: field, message: message, suggestedValue: suggested.isEmpty ? nil : suggested, contactEmail: email, limits: windows, at: state.clock())
        guard case .limited(let wait, let window) = outcome else { return try thanks() }
        let text = window.key == client
            ? "Trop de signalements envoyés depuis cette connexion\u{A0}: réessayez plus tard."
            : "Trop de signalements reçus en ce moment\u{A0}: réessayez plus tard."
        var r = try error(.tooManyRequests, "Trop de signalements", text).response(from: request, context: context)
        r.headers[.retryAfter] = String(AdminAuth.wholeSeconds(wait))
        return r
    }

    // MARK: Families

    func families(_ request: Request) async throws -> HTML {
        let params = FormData.query(request)
        var model: [String: Any] = [
            "page": ["title": "Vous accompagnez un proche — Relais"], "disclaimer": ReferralEngine.disclaimer, "near": params["near"] ?? "",
        ]
        // National and remote lines for relatives, whatever the place.
        let lines = try await state.refer(["needs": "famille", "audience": "proche", "modalite": "telephone", "near": params["near"] ?? "75001", "limit": "10"])
        model["lines"] = lines.1.suggestions.filter { $0.kind == .ligne_ecoute }.map { suggestionModel($0, lines.2[$0.id], pickable: false) }
        guard let near = params["near"], !near.isEmpty else { return try render("families", model) }
        do {
            let radius = params["radius_km"] ?? "40"
            let (query, sessions) = try await state.sessions(["near": near, "radius_km": radius, "kind": "atelier_prospect,groupe_parole", "audience": "proche", "limit": "30"])
            model["searched"] = true
            model["place"] = query.originLabel ?? near
            model["sessions"] = sessions.map { s -> [String: Any] in
                ["listing_id": s.listingID, "title": s.title, "kind_label": state.taxonomy.label(of: s.kind), "days": s.occurrences.map(FrenchFormat.occurrence),
                 "distance": tv(s.distanceKm.map { $0 < 1 ? "moins d’un kilomètre" : FrenchFormat.distance($0) }), "demo": s.demo,
                 "place": tv(s.session.map { [$0.placeName, $0.place?.singleLine].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ") }.flatMap { $0.isEmpty ? nil : $0 }),
                 "registration": tv(s.session?.registration)]
            }
            model["calendar"] = "/calendrier.ics?" + FormData.encode([("near", near), ("radius_km", radius)])
            let (_, answer, listings) = try await state.refer(["needs": "famille", "audience": "proche", "near": near, "radius_km": radius, "limit": "20"])
            model["associations"] = answer.suggestions.filter { [.association_familles, .apaf].contains($0.kind) }.map { suggestionModel($0, listings[$0.id], pickable: false) }
            return try render("families", model)
        } catch let e as APIError {
            model["error"] = e.message + (e.extra["choices"].map { " : " + $0.joined(separator: " ; ") } ?? "")
            return try render("families", model, status: .badRequest)
        }
    }

    // MARK: Browse

    func browse(_ request: Request) throws -> HTML {
        let params = FormData.query(request)
        var query = SearchQuery(perPage: 30)
        query.page = 1
        if let p = params["page"], !p.isEmpty {
            guard let n = Int(p), n >= 1, n <= 100_000 else { throw error(.badRequest, "Page invalide", "Le numéro de page « \(p) » n’est pas valide.") }
            query.page = n
        }
        if let d = params["departement"], !d.isEmpty {
            guard state.data.gazetteer.departement(code: d.uppercased()) != nil else { throw error(.badRequest, "Département inconnu", "« \(d) » n’est pas un code de département (21, 2A, 974…).") }
            query.departement = d.uppercased()
        }
        if let k = params["kind"], !k.isEmpty {
            guard let kind = Kind(rawValue: k) else { throw error(.badRequest, "Type inconnu", "« \(k) » n’est pas un type de ressource.") }
            query.kind = kind
        }
        if let q = params["q"], !q.isEmpty { query.text = String(q.prefix(200)) }
        let page: ListingPage
        do { page = try state.store.search(query) } catch let e as SearchWindowError {
            throw error(.badRequest, "Page trop lointaine", e.description.prefix(1).uppercased() + e.description.dropFirst() + ".")
        }
        func link(_ p: Int) -> String {
            "/annuaire?" + FormData.encode([("departement", query.departement ?? ""), ("kind", query.kind?.rawValue ?? ""), ("q", query.text ?? ""), ("page", String(p))])
        }
        let scope = [query.departement.flatMap { state.data.gazetteer.departement(code: $0).map { "\($0.code) \($0.name)" } }, query.kind.map { state.taxonomy.kind($0)?.plural ?? $0.rawValue }].compactMap { $0 }.joined(separator: ", ")
        return try render("browse", [
            "page": ["title": "Annuaire — Relais"], "q": query.text ?? "", "total": page.totalItems, "scope": scope, "pageNumber": query.page, "pages": page.totalPages,
            "departements": state.data.gazetteer.departements.values.sorted { $0.code < $1.code }.map { ["code": $0.code, "name": $0.name, "selected": $0.code == query.departement] },
            "kinds": state.taxonomy.kinds.map { ["id": $0.kind.rawValue, "label": $0.plural, "selected": $0.kind == query.kind] },
            "results": page.listings.map(listingSummary),
            "previous": query.page > 1 ? link(query.page - 1) : false, "next": query.page < page.totalPages ? link(query.page + 1) : false,
        ])
    }

    // MARK: Calendar feed

    func calendar(_ request: Request) async throws -> Response {
        var params = FormData.query(request)
        params["kind"] = params["kind"] ?? "atelier_prospect,groupe_parole"
        params["limit"] = "200"
        let (_, sessions) = try await state.sessions(params)
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Relais//Sessions d’entraide//FR", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "X-WR-CALNAME:Relais — ateliers et groupes de parole", "X-WR-TIMEZONE:Europe/Paris"]
        let stamp = ICal.utc(Int(state.clock().timeIntervalSince1970))
        for s in sessions {
            for (i, o) in s.occurrences.enumerated() {
                lines.append("BEGIN:VEVENT")
                lines.append("UID:\(s.listingID)-\(ICal.local(o.start))-\(i)@relais")
                lines.append("DTSTAMP:\(stamp)")
                if o.allDay {
                    lines.append("DTSTART;VALUE=DATE:\(o.start.date.description.replacingOccurrences(of: "-", with: ""))")
                } else {
                    lines.append("DTSTART:\(ICal.utc(s.zone.epoch(of: o.start)))")
                    if let e = o.end { lines.append("DTEND:\(ICal.utc(s.zone.epoch(of: e)))") }
                }
                lines.append("SUMMARY:" + ICal.escape(s.title + (s.demo ? " (données de démonstration)" : "")))
                if let place = s.session.map({ [$0.placeName, $0.place?.singleLine].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ") }), !place.isEmpty {
                    lines.append("LOCATION:" + ICal.escape(place))
                }
                lines.append("DESCRIPTION:" + ICal.escape("\(state.taxonomy.label(of: s.kind)) — \(s.listingName). Orientation, pas une prescription."))
                lines.append("URL:/ressources/\(s.listingID)")
                lines.append("END:VEVENT")
            }
        }
        lines.append("END:VCALENDAR")
        var headers = HTTPFields()
        headers[.contentType] = "text/calendar; charset=utf-8"
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: lines.map(ICal.fold).joined(separator: "\r\n") + "\r\n")))
    }
}

/// A value for a template: Mustache must see an absent value as false, not as "nil".
func tv<T>(_ v: T?) -> Any { v.map { $0 as Any } ?? false }

enum ICal {
    static func utc(_ epoch: Int) -> String {
        let d = LocalDate(dayNumber: epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400)
        let s = epoch - d.dayNumber * 86400
        return d.description.replacingOccurrences(of: "-", with: "") + "T" + String(format: "%02d%02d%02d", s / 3600, (s % 3600) / 60, s % 60) + "Z"
    }

    static func local(_ t: LocalDateTime) -> String { t.description.filter { $0.isNumber } }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;").replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Lines of at most 75 octets, folded without splitting a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        var out = ""
        var count = 0
        for ch in line {
            let n = String(ch).utf8.count
            if count + n > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(ch)
            count += n
        }
        return out
    }
}
