import Foundation
import HTTPTypes
import Hummingbird
import RelaisApp
import RelaisMerge
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisSources
import RelaisStore

/// The public pages: home, orientation, the printable sheet, a resource, families,
/// the directory, the calendar feed, « signaler une erreur ». Each holds what it uses:
/// the referral use case, the listings and reports, `Directory/`, the clock.
struct WebPages: Sendable {
    let renderer: PageRenderer
    let referrals: Referrals
    let store: any ListingStore & ReportStore & RunLedger
    let data: DirectoryData
    let clock: @Sendable () -> Date
    let reportLimits: ReportLimits
    let clients: Clients
    /// The address the public reaches Relais at (`RELAIS_PUBLIC_URL`), for links that leave the
    /// site: a calendar's events, its `webcal://` subscription. Nil: the request's `Host`.
    var publicURL: String? = nil

    var taxonomy: Taxonomy { data.taxonomy }

    func add(to router: Router<RelaisRequestContext>) {
        router.get("/") { request, _ in try await self.home(request) }
        router.get("/static/relais.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=86400"
            headers[.eTag] = Templates.cssETag
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Templates.css)))
        }
        router.get("/orientation") { request, _ in try await self.orientation(QueryParameters(urlEncoded: request.uri.query ?? "")) }
        // The form is posted: its free-text `situation` must not travel in the URL.
        router.post("/orientation") { request, _ in
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: 16_384) } catch {
                throw self.error(.contentTooLarge, "Demande trop longue", "Le formulaire envoyé dépasse la taille permise\u{A0}: raccourcissez le texte de la situation.")
            }
            return try await self.orientation(QueryParameters(urlEncoded: request.uri.query ?? "").merging(QueryParameters(urlEncoded: String(buffer: body))))
        }
        router.get("/fiche") { request, _ in try await self.sheet(QueryParameters(urlEncoded: request.uri.query ?? "")) }
        router.get("/proches") { request, _ in try await self.families(QueryParameters(urlEncoded: request.uri.query ?? ""), base: self.base(request)) }
        router.get("/annuaire") { request, _ in try await self.browse(QueryParameters(urlEncoded: request.uri.query ?? "")) }
        router.get("/ressources/:id") { _, context in try await self.resource(try context.parameters.require("id")) }
        router.post("/ressources/:id/signaler") { request, context in try await self.report(request, context, id: try context.parameters.require("id")) }
        router.get("/calendrier.ics") { request, _ in try await self.calendar(QueryParameters(urlEncoded: request.uri.query ?? ""), base: self.base(request)) }
        router.get("/static/relais.js") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/javascript; charset=utf-8"
            headers[.cacheControl] = "public, max-age=86400"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: WebTemplates.script)))
        }
    }

    /// `https://relais.example.org`: the configured public address, else the request's host
    /// (a name or address with an optional port, nothing else), else localhost.
    func base(_ request: Request) -> String {
        if let publicURL { return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL }
        let host = request.head.authority ?? ""
        let valid = !host.isEmpty && host.count <= 255 && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
        return "http://" + (valid ? host : "localhost")
    }

    func error(_ status: HTTPResponse.Status, _ title: String, _ message: String) -> PageError {
        renderer.errorPage(status, title: title, message: message)
    }

    /// A use case's refusal as this page's error, with its title.
    func refused(_ title: String, _ body: () async throws -> HTML) async throws -> HTML {
        do { return try await body() } catch let e as RelaisError {
            throw error(e.kind.status, title, PageRenderer.sentence(e.message))
        }
    }

    // MARK: Home

    func home(_ request: Request) async throws -> HTML {
        let p = QueryParameters(urlEncoded: request.uri.query ?? "")
        var model = HomePage()
        guard let text = p.string("q") else { return try renderer.render("home", model) }
        return try await refused("Recherche impossible") {
            let page = try await store.search(try SearchQuery.parse(p, taxonomy: taxonomy, gazetteer: data.gazetteer))
            model.q = text
            model.searched = true
            model.total = page.totalItems
            model.total_label = FrenchFormat.count(page.totalItems, "résultat")
            model.results = page.listings.map { ListingSummary($0, taxonomy: taxonomy) }
            return try renderer.render("home", model)
        }
    }

    // MARK: Orientation

    static let headings: [Audience: String] = [
        .professionnel: "Orienter un patient vers l’entraide", .proche: "Trouver du soutien quand on accompagne un proche",
        .personne: "Trouver un lieu d’entraide près de chez soi",
    ]

    /// Languages offered in the forms: those the directory's listings name most, French first.
    static let formLanguages = ["fr", "ar", "en", "es", "pt", "fsl"]

    static func languageOptions(_ current: String?) -> [Option] {
        [Option(value: "", label: "Toutes", selected: current == nil)]
            + formLanguages.map { Option(value: $0, label: Language.shortName($0), selected: $0 == current) }
    }

    static func accessOptions(_ current: AccessFeature?) -> [Option] {
        [Option(value: "", label: "Peu importe", selected: current == nil)]
            + AccessFeature.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == current) }
    }

    static let askedFor: [Audience: String] = [.professionnel: "Pour une personne que j’oriente", .proche: "Pour un proche", .personne: "Pour moi-même"]

    /// The question in one line, as the page recalls it above its answer.
    static func summary(_ r: RelaisApp.ReferralRequest, taxonomy: Taxonomy) -> String {
        let q = r.question
        var parts = [askedFor[q.audience] ?? ""]
        let needs = q.needs.map { $0 == Taxonomy.crisisNeed ? "situation de crise" : taxonomy.need($0)?.label ?? $0 }
        if !needs.isEmpty { parts.append(FrenchFormat.list(needs)) }
        if let place = r.place { parts.append("près de \(place.label), \(Int(q.radiusKm.rounded())) km") }
        if let m = q.modality { parts.append(modalityLabels[m] ?? m.rawValue) }
        if let l = q.language { parts.append("accueil en \(Language.shortName(l))") }
        if let a = q.access { parts.append(a.label) }
        if let w = q.withinDays { parts.append("dans les \(w) jours") }
        return parts.filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// The referral form and its results, asked by GET (links, bookmarks) or POST (the
    /// form, which may carry `situation`). The situation is read for the crisis check only:
    /// no link, form or permalink of the page repeats it.
    func orientation(_ p: QueryParameters) async throws -> HTML {
        let audience = (try? p.choice("audience", Audience.self)) ?? .professionnel
        let chosen = Set(p.list("needs"))
        func options(_ values: [(String, String)], _ current: String?) -> [Option] {
            values.map { Option(value: $0.0, label: $0.1, selected: $0.0 == (current ?? "")) }
        }
        let heading = Self.headings[audience] ?? ""
        var model = OrientationPage(
            page: PageMeta(title: "\(heading) — Relais"), heading: heading, near: p["near"] ?? "",
            audiences: [("professionnel", "Je suis un·e professionnel·le et j’oriente une personne"), ("proche", "Pour un proche (famille, ami)"), ("personne", "Pour moi-même")]
                .map { Choice(id: $0.0, label: $0.1, checked: $0.0 == audience.rawValue) },
            needs: taxonomy.needs.map { Choice(id: $0.id, label: $0.label, checked: chosen.contains($0.id)) }
                + [Choice(id: "crise", label: "Situation de crise, idées suicidaires", checked: chosen.contains("crise"))],
            radii: options([("10", "10 km"), ("20", "20 km"), ("30", "30 km"), ("50", "50 km"), ("100", "100 km")], p.string("radius_km") ?? "30"),
            modalities: options([("", "Toutes"), ("sur_place", "Sur place"), ("telephone", "Par téléphone"), ("en_ligne", "En ligne")], p.string("modalite")),
            windows: options([("", "Peu importe"), ("7", "Dans la semaine"), ("30", "Dans le mois"), ("90", "Dans les 3 mois")], p.string("within_days")),
            languages: Self.languageOptions(try? AccessFilters.language(p)), accesses: Self.accessOptions(try? AccessFilters.access(p)))
        guard p.string("near") != nil || !chosen.isEmpty else { return try renderer.render("orientation", model) }
        if chosen.isEmpty {
            model.error = "Cochez au moins un besoin."
            return try renderer.render("orientation", model, status: .badRequest)
        }
        do {
            var ask = try ReferralAsk.parse(p)
            ask.audience = audience
            let result = try await referrals.answer(ask)
            model.emergency = EmergencyModel(result.answer.emergency)
            model.searched = true
            let count = result.answer.suggestions.count
            model.count = count
            model.place = result.request.place?.label ?? "vous"
            // Nothing pre-ticked beyond the first three: the default sheet stays one page.
            model.suggestions = result.answer.suggestions.enumerated().map { i, s in
                SuggestionModel(s, result.listings[s.id], taxonomy: taxonomy, pickable: true, picked: i < 3)
            }
            let shared = result.request.ask.linkParameters
            func link(_ changes: [String: String?]) -> String {
                var names = shared.map(\.0)
                var values = Dictionary(shared, uniquingKeysWith: { a, _ in a })
                for (k, v) in changes {
                    values[k] = v
                    if v != nil, !names.contains(k) { names.append(k) }
                }
                return "/orientation?" + QueryParameters(values.compactMapValues { $0 }).urlEncoded(names.filter { values[$0] != nil })
            }
            model.summary = Self.summary(result.request, taxonomy: taxonomy)
            model.hidden = shared.map { HiddenField(name: $0.0, value: $0.1) }
            model.permalink = link([:])
            if let beyond = result.answer.nearestBeyond {
                let notice = NothingNear(result)
                model.count_label = count == 0 ? "Aucune ressource" : FrenchFormat.count(count, "ressource") + " à joindre à distance"
                model.nothing_near = NothingNearModel(
                    message: notice.message,
                    beyond: beyond.map { b in
                        NothingNearModel.Place(id: b.id, name: Text.naturalCase(b.name), place: result.listings[b.id]?.content.address?.commune, distance: FrenchFormat.distance(b.distanceKm ?? 0))
                    },
                    links: (notice.wider_radius_km.map { [Link(label: "Chercher jusqu’à \($0) km", href: link(["radius_km": String($0)]))] } ?? [])
                        + [Link(label: "Ressources par téléphone", href: link(["modalite": "telephone", "radius_km": nil])),
                           Link(label: "Ressources en ligne", href: link(["modalite": "en_ligne", "radius_km": nil]))])
            } else {
                model.count_label = count == 0 ? "Aucune ressource près de \(model.place)" : FrenchFormat.count(count, "ressource") + " près de \(model.place)"
            }
            return try renderer.render("orientation", model)
        } catch let e as RelaisError {
            if let choices = e.details["choices"] {
                model.choices = choices.map { choice in
                    // "Saint-Denis (93) — 93200": ask again with the postal code.
                    var again = p.removing("situation")
                    again["near"] = choice.components(separatedBy: " — ").last ?? choice
                    return Link(label: choice, href: "/orientation?" + again.urlEncoded())
                }
            }
            model.error = PageRenderer.sentence(e.message)
            return try renderer.render("orientation", model, status: .badRequest)
        }
    }

    // MARK: The printable sheet

    func sheet(_ p: QueryParameters) async throws -> HTML {
        let ids = p.list("ids")
        guard ids.count <= 30, ids.allSatisfy({ $0.count <= 40 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) else {
            throw error(.badRequest, "Fiche impossible", "La liste des ressources est invalide.")
        }
        var result: ReferralResult?
        if p.string("needs") != nil, p.string("near") != nil, var ask = try? ReferralAsk.parse(p.removing("limit")) {
            ask.limit = 50
            result = try? await referrals.answer(ask)
        }
        let listings = try await store.listings(ids: ids)
        let epoch = Int(clock().timeIntervalSince1970)
        let items = listings.map { l in Self.sheetItem(l, result?.answer.suggestions.first { $0.id == l.id }, taxonomy: taxonomy, epoch: epoch) }
        let needs = p.list("needs").compactMap { $0 == Taxonomy.crisisNeed ? "situation de crise" : taxonomy.need($0)?.label }
        let today = ParisTime.local(atEpoch: epoch).date
        let back = p.removing("ids", "limit", "situation")
        let share = Self.shareText(items, date: FrenchFormat.date(today, weekday: false))
        return try renderer.render("sheet", SheetPage(
            date: FrenchFormat.date(today), place: result?.request.place?.label, needs: needs.isEmpty ? nil : FrenchFormat.list(needs), items: items,
            emergency: EmergencyModel(result?.answer.emergency), back: "/orientation?" + back.urlEncoded(),
            sms: "sms:?&body=" + Self.uriComponent(share), mailto: "mailto:?subject=" + Self.uriComponent("Fiche d’orientation — entraide et pair-aidance") + "&body=" + Self.uriComponent(share)))
    }

    /// One resource as the sheet prints it: why, when (the regular schedule, then the next
    /// two dates, or every date of a short series), where, how to reach, how to register.
    static func sheetItem(_ l: Listing, _ s: Suggestion?, taxonomy: Taxonomy, epoch: Int) -> SheetItem {
        let c = l.content
        let now = c.zone.local(atEpoch: epoch)
        let contact = ContactModel(c)
        let access = AccessModel(c)
        let closed = c.status == .temporarily_closed
        var when = FrenchFormat.schedule(c.schedule).joined(separator: " ; ").nilIfEmpty
        if closed { when = "temporairement fermé : appeler avant de venir" }
        var dates: [Occurrence] = []
        if !closed {
            if !c.schedule.isEmpty, !ScheduleEvaluator.isAlwaysOpen(c.schedule) {
                dates += ScheduleEvaluator(c.schedule).occurrences(from: now.date, days: 120).filter { ($0.end ?? $0.start) > now }.prefix(2)
            }
            var shown = 2
            for session in c.sessions where !session.cancelled {
                let ahead = session.occurrences.filter { ($0.end ?? $0.start) > now }
                // A workshop of a few days is one thing to sign up for: all its days.
                if (2...4).contains(ahead.count), ahead.count == session.occurrences.count { shown = max(shown, ahead.count) }
                dates += ahead.prefix(4)
            }
            dates = Array(Set(dates.map { $0.start }).sorted().prefix(shown).compactMap { start in dates.first { $0.start == start } })
        }
        let phones = contact.phones.map(\.display)
        let reachable = (phones + [contact.email, contact.website].compactMap { $0 }).joined(separator: " · ")
        let registration = c.registration ?? c.sessions.first { !$0.cancelled && $0.registration != nil }?.registration
        let why = (s?.reasons ?? []).filter(Self.explainsWhy).joined(separator: " ")
        return SheetItem(
            name: Text.naturalCase(c.name), kind_label: taxonomy.label(of: c.kind), demo: l.demo, why: why.nilIfEmpty,
            distance: s?.distanceKm.map(SuggestionModel.distance), when: when,
            dates: dates.isEmpty ? nil : dates.map(FrenchFormat.occurrence).joined(separator: " ; "),
            address: contact.address ?? (c.modalities.contains(.en_ligne) && c.point == nil ? "en ligne" : nil), access: access.access, languages: access.languages,
            contact: reachable.nilIfEmpty, registration: registration)
    }

    /// The reasons that say why a resource fits (need, audience, language, access): not when,
    /// where or how fresh, which the sheet says on lines of their own.
    static func explainsWhy(_ reason: String) -> Bool {
        ["Répond", "Accueille", "S’adresse", "Accueil en"].contains { reason.hasPrefix($0) }
    }

    /// The sheet as plain text, for an SMS or an e-mail written on the professional's own device.
    static func shareText(_ items: [SheetItem], date: String) -> String {
        let blocks = items.map { i in
            ([i.name + " (" + i.kind_label + ")"] + [i.when, i.dates.map { "Prochaines dates : " + $0 }, i.address.map { "Où : " + $0 },
              i.contact.map { "Contact : " + $0 }, i.registration.map { "Inscription : " + $0 }].compactMap { $0 }).joined(separator: "\n")
        }
        return (["Ressources d’entraide proposées le \(date) (orientation, pas une prescription) :"] + blocks
            + ["En cas d’urgence : 3114 (24 h/24) · 15 · 112."]).joined(separator: "\n\n").replacingOccurrences(of: "\u{A0}", with: " ")
    }

    /// Percent-encoding for a URI's component (RFC 3986 unreserved characters kept): spaces as %20, not +.
    static func uriComponent(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? ""
    }

    // MARK: Resource page

    static let audienceLabels: [Audience: String] = [.personne: "les personnes concernées", .proche: "les proches et les familles", .professionnel: "les professionnels"]
    static let modalityLabels: [Modality: String] = [.sur_place: "sur place", .telephone: "par téléphone", .en_ligne: "en ligne"]

    func resource(_ id: String) async throws -> HTML {
        guard id.count <= 40, let l = try await store.listing(id: id), !l.hidden else {
            throw error(.notFound, "Fiche introuvable", "Aucune ressource ne porte cet identifiant : elle a peut-être été retirée de l’annuaire.")
        }
        let c = l.content
        let now = c.zone.local(atEpoch: Int(clock().timeIntervalSince1970))
        var next: [String] = []
        // A line open round the clock has no « next dates »: its schedule says it all.
        if !c.schedule.isEmpty, c.status == .active, !ScheduleEvaluator.isAlwaysOpen(c.schedule) {
            next = ScheduleEvaluator(c.schedule).occurrences(from: now.date, days: 120).filter { ($0.end ?? $0.start) > now }.prefix(5).map(FrenchFormat.occurrence)
        }
        let sourceTitles = Dictionary(((try? await store.sources()) ?? []).map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        var parent: ParentLink?
        if let pid = l.parentID, let p = try await store.listing(id: pid) { parent = ParentLink(id: p.id, name: Text.naturalCase(p.content.name)) }
        let contact = ContactModel(c)
        let access = AccessModel(c)
        let model = ResourcePage(
            page: PageMeta(title: "\(Text.naturalCase(c.name)) — Relais"), id: l.id, name: Text.naturalCase(c.name), kind_label: taxonomy.label(of: c.kind),
            alternate_name: c.alternateName, description: c.description, organization: c.organization, sponsor: c.sponsor, manager: c.manager, parent: parent,
            audiences: FrenchFormat.list(c.audiences.compactMap { Self.audienceLabels[$0] }), audience_note: c.audienceNote,
            needs: FrenchFormat.list(taxonomy.needs(of: c).compactMap { taxonomy.need($0)?.label }),
            modalities: FrenchFormat.list(c.modalities.compactMap { Self.modalityLabels[$0] }),
            languages: access.languages, access: access.access, access_note: access.access_note, access_url: access.access_url,
            fees: c.fees, eligibility: c.eligibility, registration: c.registration,
            schedule: FrenchFormat.schedule(c.schedule), schedule_text: c.scheduleText, next: next,
            sessions: c.sessions.filter { !$0.cancelled }.map { s in
                SessionLine(
                    title: s.title, days: s.occurrences.map(FrenchFormat.occurrence).joined(separator: " ; "),
                    place: [s.placeName, s.place?.singleLine].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ").nilIfEmpty,
                    online: s.online, price: s.price, registration: s.registration)
            },
            phones: contact.phones, email: contact.email, website: contact.website, address: contact.address, map: contact.map,
            sources: l.sources.map { Self.sourceName($0, title: sourceTitles[$0]) },
            freshness: Self.freshness(l),
            demo: l.demo, stale: l.stale, closed: c.status == .temporarily_closed, inactive: c.status == .inactive || c.status == .defunct,
            max_message: reportLimits.maxMessageLength)
        return try renderer.render("resource", model)
    }

    /// What a public page calls a source: its title in natural case, never an internal path
    /// (the bundled national lines are « Relais (lignes nationales) », not `Directory/national.yml`).
    static func sourceName(_ id: String, title: String?) -> String {
        if let title, !title.contains("/"), !title.hasSuffix(".yml") { return Text.naturalCase(title) }
        if id.contains("national") { return "Relais (lignes nationales d’écoute et d’urgence)" }
        if id.hasPrefix("demo") { return "Relais (données de démonstration)" }
        return id.contains("/") || id.hasSuffix(".yml") ? "Relais" : id
    }

    /// How fresh a listing is, in words that do not overclaim: an import is an update from
    /// the source; only an admin's « marquer vérifié » is a check, and demonstration data claims none.
    static func freshness(_ l: Listing) -> String {
        func day(_ iso: String?) -> String? { iso.flatMap { LocalDate(iso: String($0.prefix(10))) }.map { FrenchFormat.date($0, weekday: false) } }
        var out: [String] = []
        if let d = day(l.lastVerified) { out.append("Mis à jour depuis la source le \(d).") }
        if !l.demo, let d = day(l.verifiedByTeam) { out.append("Vérifié par l’équipe le \(d).") }
        if l.demo { out.append("Données de démonstration.") }
        return out.isEmpty ? "Date de mise à jour inconnue." : out.joined(separator: " ")
    }

    /// « Signaler une erreur »: validated, then stored unless the client or everyone
    /// together sent too many lately (429, nothing stored).
    func report(_ request: Request, _ context: RelaisRequestContext, id: String) async throws -> Response {
        guard let l = try await store.listing(id: id), !l.hidden else {
            throw error(.notFound, "Fiche introuvable", "Aucune ressource ne porte cet identifiant.")
        }
        let thanks = { try renderer.render("reported", ReportedPage(id: id, name: Text.naturalCase(l.content.name))).response(from: request, context: context) }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 16_384) } catch {
            throw self.error(.contentTooLarge, "Signalement trop long", "Votre signalement dépasse la taille permise\u{A0}: raccourcissez le message.")
        }
        let form = QueryParameters(urlEncoded: String(buffer: body))
        if form.string("website_hp") != nil { return try thanks() }
        let limits = reportLimits
        guard let message = form.string("message"), message.count <= limits.maxMessageLength else {
            throw error(.badRequest, "Signalement incomplet", "Écrivez un message (\(limits.maxMessageLength)\u{A0}caractères au plus).")
        }
        let suggested = form.string("suggested") ?? ""
        guard suggested.count <= 500 else {
            throw error(.badRequest, "Signalement trop long", "La bonne information tient en 500\u{A0}caractères au plus.")
        }
        var email: String?
        if let raw = form.string("contact_email") {
            guard raw.count <= 254, let valid = EmailAddress.normalize(raw) else {
                throw error(.badRequest, "Courriel invalide", "Le courriel « \(raw.prefix(254)) » n’est pas valide ; il est facultatif, vous pouvez le laisser vide.")
            }
            email = valid
        }
        let field = form.string("field").flatMap { ListingMerger.editableFields.contains($0) ? $0 : nil }
        let client = clients.throttleKey("signalement", clients.client(of: request, context: context).key)
        let windows = limits.perClient.map { RateWindow(key: client, limit: $0.count, seconds: $0.seconds) }
            + limits.overall.map { RateWindow(key: "signalement:tous", limit: $0.count, seconds: $0.seconds) }
        let outcome = try await store.addReport(
            serviceID: id, field: field, message: message, suggestedValue: suggested.isEmpty ? nil : suggested, contactEmail: email, windows: windows, at: clock())
        guard case .limited(let wait, let window) = outcome else { return try thanks() }
        let text = window.key == client
            ? "Trop de signalements envoyés depuis cette connexion\u{A0}: réessayez plus tard."
            : "Trop de signalements reçus en ce moment\u{A0}: réessayez plus tard."
        var r = try error(.tooManyRequests, "Trop de signalements", text).response(from: request, context: context)
        r.headers[.retryAfter] = String(AdminAuth.wholeSeconds(wait))
        return r
    }

    // MARK: Families

    func families(_ p: QueryParameters, base: String) async throws -> HTML {
        var model = FamiliesPage(near: p["near"] ?? "")
        // National and remote lines for relatives, whatever the place: no place is needed to call them.
        let lines = try await referrals.answer(ReferralAsk(needs: ["famille"], audience: .proche, modality: .telephone, limit: 10))
        model.lines = lines.answer.suggestions.filter { $0.kind == .ligne_ecoute }.map { SuggestionModel($0, lines.listings[$0.id], taxonomy: taxonomy, pickable: false) }
        guard let near = p.string("near") else { return try renderer.render("families", model) }
        do {
            let radius = try p.double("radius_km", range: 1...300) ?? 40
            var sessionsAsked = QueryParameters(["near": near, "kind": "atelier_prospect,groupe_parole", "audience": "proche", "limit": "30"])
            sessionsAsked["radius_km"] = String(radius)
            let (query, sessions) = try await referrals.sessions(sessionsAsked)
            let owners = try await listingsByID(sessions.map(\.listingID))
            model.searched = true
            model.place = query.originLabel ?? near
            model.sessions = sessions.map { s in
                let owner = owners[s.listingID]
                return FamilySession(
                    listing_id: s.listingID, title: Text.naturalCase(s.title), kind_label: taxonomy.label(of: s.kind), days: s.occurrences.map(FrenchFormat.occurrence),
                    distance: s.distanceKm.map(SuggestionModel.distance), demo: s.demo, place: Self.sessionPlace(s, owner),
                    online: s.session?.online ?? false, registration: s.session?.registration ?? owner?.content.registration,
                    phone: owner?.content.phones.first.map { PhoneModel(number: $0.number, display: PhoneDisplay.french($0.number), note: nil) })
            }
            let feed = "/calendrier.ics?" + QueryParameters(["near": near, "radius_km": String(Int(radius))]).urlEncoded(["near", "radius_km"])
            model.calendar = feed
            model.webcal = "webcal://" + (base.components(separatedBy: "://").last ?? base) + feed
            let families = try await referrals.answer(ReferralAsk(needs: ["famille"], audience: .proche, near: near, radiusKm: radius, limit: 20))
            model.associations = families.answer.suggestions.filter { [.association_familles, .apaf].contains($0.kind) }
                .map { SuggestionModel($0, families.listings[$0.id], taxonomy: taxonomy, pickable: false) }
            return try renderer.render("families", model)
        } catch let e as RelaisError {
            model.error = PageRenderer.sentence(e.message) + (e.details["choices"].map { " " + $0.joined(separator: " ; ") } ?? "")
            return try renderer.render("families", model, status: .badRequest)
        }
    }

    func listingsByID(_ ids: [String]) async throws -> [String: Listing] {
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        return Dictionary(try await store.listings(ids: unique).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Where a session takes place, in full: its own place when it has an address, else its
    /// listing's address (« Maison des associations, 12 rue X, 21000 Dijon »). A place name that
    /// already says where (« Salle Verlaine, 3 place de la Comédie, 57000 Metz », a moved
    /// meeting) is the address; a name the address already holds is said once. Nil when online only.
    static func sessionPlace(_ s: UpcomingSession, _ owner: Listing?) -> String? {
        let session = s.session
        let name = session?.placeName.flatMap { Text.clean($0) }
        let own = session?.place.flatMap { $0.postalCode != nil || $0.street != nil ? $0.singleLine : nil }?.nilIfEmpty
        if session?.online == true, own == nil, name == nil { return nil }
        if own == nil, let name, name.range(of: #"\b\d{5}\b"#, options: .regularExpression) != nil { return name }
        guard let address = own ?? owner?.content.address.map(\.singleLine)?.nilIfEmpty else { return name }
        guard let name, !Text.fold(address).contains(Text.fold(name)) else { return address }
        return name + ", " + address
    }

    // MARK: Browse

    func browse(_ p: QueryParameters) async throws -> HTML {
        try await refused("Annuaire") {
            var query = try SearchQuery.parse(p, taxonomy: taxonomy, gazetteer: data.gazetteer)
            if p.string("per_page") == nil { query.perPage = 30 }
            let page = try await store.search(query)
            func link(_ n: Int) -> String {
                var again = p
                again["page"] = String(n)
                return "/annuaire?" + again.urlEncoded(["departement", "kind", "q", "langue", "accessible", "page"])
            }
            let scope = [
                query.departement.flatMap { data.gazetteer.departement(code: $0).map { "\($0.code) \($0.name)" } },
                query.kind.map { taxonomy.kind($0)?.plural ?? $0.rawValue },
                query.language.map { "en \(Language.shortName($0))" }, query.access?.label,
            ].compactMap { $0 }.joined(separator: ", ")
            return try renderer.render("browse", BrowsePage(
                q: query.text ?? "", total: page.totalItems, total_label: FrenchFormat.count(page.totalItems, "fiche"), scope: scope.nilIfEmpty, pageNumber: query.page, pages: page.totalPages,
                departements: data.gazetteer.departements.values.sorted { $0.code < $1.code }.map { DepartementOption(code: $0.code, name: $0.name, selected: $0.code == query.departement) },
                kinds: taxonomy.kinds.map { Choice(id: $0.kind.rawValue, label: $0.plural, checked: $0.kind == query.kind) },
                languages: Self.languageOptions(query.language), accesses: Self.accessOptions(query.access),
                results: page.listings.map { ListingSummary($0, taxonomy: taxonomy) },
                previous: query.page > 1 ? link(query.page - 1) : nil, next: query.page < page.totalPages ? link(query.page + 1) : nil))
        }
    }

    // MARK: Calendar feed

    func calendar(_ p: QueryParameters, base: String) async throws -> Response {
        var asked = p
        if asked.string("kind") == nil { asked["kind"] = "atelier_prospect,groupe_parole" }
        asked["limit"] = "200"
        let (_, sessions) = try await referrals.sessions(asked)
        let owners = try await listingsByID(sessions.map(\.listingID))
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Relais//Sessions d’entraide//FR", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "X-WR-CALNAME:Relais — ateliers et groupes de parole", "X-WR-TIMEZONE:Europe/Paris"]
        let stamp = ICal.utc(Int(clock().timeIntervalSince1970))
        for s in sessions {
            let owner = owners[s.listingID]
            let place = Self.sessionPlace(s, owner)
            let registration = s.session?.registration ?? owner?.content.registration
            let phone = owner?.content.phones.first.map { PhoneNumber.national($0.number) }
            // A demonstration title already saying « démo » is not labelled twice.
            let demo = s.demo && !Text.fold(s.title).contains("demo") ? " (données de démonstration)" : ""
            var description = ["\(taxonomy.label(of: s.kind)) — \(s.listingName)."]
            if let registration { description.append(PageRenderer.sentence("Inscription : \(registration)")) }
            if let phone { description.append("Téléphone : \(phone).") }
            if s.session?.online == true { description.append("En ligne.") }
            description.append("Orientation vers l’entraide, pas une prescription médicale.")
            description.append("\(base)/ressources/\(s.listingID)")
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
                lines.append("SUMMARY:" + ICal.escape(s.title + demo))
                if let place { lines.append("LOCATION:" + ICal.escape(place)) }
                lines.append("DESCRIPTION:" + ICal.escape(description.joined(separator: "\n")))
                lines.append("URL:\(base)/ressources/\(s.listingID)")
                lines.append("END:VEVENT")
            }
        }
        lines.append("END:VCALENDAR")
        var headers = HTTPFields()
        headers[.contentType] = "text/calendar; charset=utf-8"
        headers[.cacheControl] = "public, max-age=3600"
        headers[HTTPField.Name("Vary")!] = "Host"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: lines.map(ICal.fold).joined(separator: "\r\n") + "\r\n")))
    }
}

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
