import Foundation
import HTTPTypes
import Hummingbird
import RelaisApp
import RelaisAuth
import RelaisImport
import RelaisMerge
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisSources
import RelaisStore

/// The /admin pages: sources and runs, changes, stale queue, curation, reports, audit
/// log. Behind a session (login form); every form that changes something checks the
/// session's CSRF token. The actions are the app's (``AdminActions``); a refusal is a
/// ``RelaisError`` that the server answers with a French page.
struct AdminPages: Sendable {
    let renderer: PageRenderer
    let actions: AdminActions
    let auth: AdminAuth
    let store: any DirectoryStore
    let taxonomy: Taxonomy

    func add(to router: Router<RelaisRequestContext>) {
        let admin = router.group("/admin").add(middleware: PageAdminMiddleware(auth: auth))
        admin.get("/login") { request, context in try await self.loginForm(request, context, message: nil, status: .ok) }
        admin.post("/login") { request, context in try await self.login(request, context) }
        admin.post("/logout") { request, context in
            _ = try await self.form(request, context)
            try await self.auth.logout(request, identity: context.admin!)
            var r = Response.redirect(to: "/admin/login", type: .normal)
            r.headers[values: .setCookie].append(self.auth.cookie(AdminAuth.sessionCookie, "", maxAge: 0))
            return r
        }
        admin.get("") { request, context in try await self.sources(request, context) }
        admin.get("/sources/:id") { request, context in try await self.source(context.parameters.require("id"), request, context) }
        admin.post("/sources/:id/run") { request, context in
            _ = try await self.form(request, context)
            let started = try await self.actions.runNow(try context.parameters.require("id"), by: context.actor)
            return Response.redirect(to: "/admin?notice=" + (started ? "run-started" : "run-busy"), type: .normal)
        }
        admin.post("/sources/:id/accept-shrink") { request, context in
            _ = try await self.form(request, context)
            let id = try context.parameters.require("id")
            _ = try await self.actions.acceptShrink(id, by: context.actor)
            return Response.redirect(to: "/admin/sources/\(id)?notice=shrink-accepted", type: .normal)
        }
        admin.post("/sources/:id/reject-shrink") { request, context in
            _ = try await self.form(request, context)
            let id = try context.parameters.require("id")
            try await self.actions.rejectShrink(id, by: context.actor)
            return Response.redirect(to: "/admin/sources/\(id)?notice=shrink-rejected", type: .normal)
        }
        admin.get("/runs/:id") { request, context in try await self.run(context.parameters.require("id"), request, context) }
        admin.get("/changes") { request, context in try await self.changes(request, context) }
        admin.get("/stale") { request, context in try await self.stale(request, context) }
        admin.get("/listings") { request, context in try await self.listings(request, context) }
        admin.get("/listings/:id") { request, context in try await self.listing(context.parameters.require("id"), request, context) }
        admin.post("/listings/:id") { request, context in try await self.edit(request, context) }
        for (action, notice) in [("hide", "hidden"), ("show", "shown"), ("verify", "verified"), ("keep", "kept"), ("remove", "removed"), ("reset", "reset")] {
            admin.post("/listings/:id/\(action)") { request, context in
                let form = try await self.form(request, context)
                let id = try context.parameters.require("id")
                let who = context.actor
                switch action {
                case "hide": try await self.actions.setHidden(id, true, by: who)
                case "show": try await self.actions.setHidden(id, false, by: who)
                case "verify": try await self.actions.verify(id, by: who)
                case "keep": try await self.actions.keep(id, by: who)
                case "remove": try await self.actions.remove(id, by: who)
                default:
                    guard let field = form.string("field"), ListingMerger.editableFields.contains(field) || field == "scheduleText" else {
                        throw RelaisError(.invalid, "champ à rétablir manquant ou inconnu", parameter: "field")
                    }
                    var values: [String: JSONValue?] = [field: nil]
                    if field == "schedule" { values["scheduleText"] = .some(nil) }
                    try await self.actions.apply(id, values, by: who)
                }
                let back = ["keep", "remove"].contains(action) ? "/admin/stale" : "/admin/listings/\(id)"
                return Response.redirect(to: back + "?notice=" + notice, type: .normal)
            }
        }
        admin.get("/reports") { request, context in try await self.reports(request, context) }
        for action in ["accept", "dismiss"] {
            admin.post("/reports/:id/\(action)") { request, context in
                _ = try await self.form(request, context)
                let raw = try context.parameters.require("id")
                guard let id = Int64(raw) else { throw self.renderer.errorPage(.badRequest, title: "Signalement inconnu", message: "Identifiant « \(raw) » invalide.") }
                if action == "accept" { _ = try await self.actions.acceptReport(id, by: context.actor) } else { try await self.actions.dismissReport(id, by: context.actor) }
                return Response.redirect(to: "/admin/reports?notice=report-" + action, type: .normal)
            }
        }
        admin.get("/audit") { request, context in try await self.audit(request, context) }
        for method in [HTTPRequest.Method.get, .post] {
            admin.on("**", method: method) { _, _ -> Response in
                throw self.renderer.errorPage(.notFound, title: "Page introuvable", message: "Cette adresse ne correspond à aucune page d’administration.")
            }
        }
    }

    // MARK: Forms, CSRF, the layout

    /// The posted form, once its CSRF token matches the session's.
    func form(_ request: Request, _ context: RelaisRequestContext) async throws -> QueryParameters {
        let body = try await request.body.collect(upTo: 256 * 1024)
        let form = QueryParameters(urlEncoded: String(buffer: body))
        guard let expected = context.admin?.csrf, let given = form["csrf"], Secrets.constantTimeEquals(given, expected) else {
            throw renderer.errorPage(.forbidden, title: "Formulaire refusé", message: "Le jeton de sécurité du formulaire manque ou a expiré. Rechargez la page et recommencez.")
        }
        return form
    }

    static let notices: [String: String] = [
        "run-started": "Run lancé : son résultat apparaîtra ici.", "run-busy": "Cette source est déjà en cours.",
        "hidden": "Fiche masquée.", "shown": "Fiche de nouveau affichée.", "verified": "Fiche marquée vérifiée aujourd’hui.",
        "kept": "Fiche gardée.", "removed": "Fiche retirée définitivement.", "reset": "Valeur des sources rétablie.",
        "saved": "Modifications enregistrées.", "unchanged": "Aucune modification.", "report-accept": "Signalement accepté.",
        "report-dismiss": "Signalement écarté.",
        "shrink-accepted": "Baisse acceptée : la source est relancée et son résultat sera appliqué.",
        "shrink-rejected": "Baisse refusée : les fiches restent publiées ; une prochaine baisse aussi forte sera de nouveau mise en attente.",
    ]

    /// Renders `content` in the admin layout: who, the CSRF token, counts for the menu, a notice.
    func render(_ template: String, _ title: String, _ content: some ViewModel, _ request: Request?, _ context: RelaisRequestContext,
                status: HTTPResponse.Status = .ok) async throws -> HTML {
        var counts: AdminCounts?
        if context.admin != nil {
            counts = AdminCounts(
                stale: try await store.staleListings().filter { !$0.pinned }.count, reports: try await store.reports(status: "open", limit: 10_000).count,
                listings: try await store.listingCount())
        }
        let notice = request.flatMap { QueryParameters(urlEncoded: $0.uri.query ?? "").string("notice") }.flatMap { Self.notices[$0] }
        let base = AdminBase(page: PageMeta(title: title), user: context.admin?.user.name, csrf: context.admin?.csrf, counts: counts, notice: notice)
        return try renderer.render(template, AdminPage(base: base, content: content), status: status)
    }

    // MARK: Login

    func loginForm(_ request: Request, _ context: RelaisRequestContext, message: String?, status: HTTPResponse.Status, name: String = "") async throws -> Response {
        if status == .ok, try await auth.session(request) != nil { return Response.redirect(to: "/admin", type: .normal) }
        let token = Secrets.randomToken()
        let next = Self.safeNext(QueryParameters(urlEncoded: request.uri.query ?? "")["next"])
        let html = try await render("adminlogin", "Connexion", LoginPage(login_csrf: token, next: next, message: message, name: name), nil, context, status: status)
        var r = try html.response(from: request, context: context)
        r.headers[values: .setCookie].append(auth.cookie(AdminAuth.loginCookie, token, maxAge: 3600))
        return r
    }

    /// Only local admin paths: no open redirection.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/admin"), !next.contains("//"), !next.contains("\\") else { return "/admin" }
        return next
    }

    func login(_ request: Request, _ context: RelaisRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let form = QueryParameters(urlEncoded: String(buffer: body))
        guard let given = form["csrf"], let expected = AdminAuth.cookies(request)[AdminAuth.loginCookie], Secrets.constantTimeEquals(given, expected) else {
            return try await loginForm(request, context, message: "Le formulaire a expiré : recommencez.", status: .forbidden)
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, let password = form["password"], !password.isEmpty, name.count <= 64, password.count <= 1024 else {
            return try await loginForm(request, context, message: "Indiquez le nom du compte et le mot de passe.", status: .badRequest, name: String(name.prefix(64)))
        }
        switch try await auth.login(name: name, password: password, client: auth.clients.client(of: request, context: context)) {
        case .success(let sessionID, _):
            var r = Response.redirect(to: Self.safeNext(form["next"]), type: .normal)
            r.headers[values: .setCookie].append(auth.cookie(AdminAuth.sessionCookie, sessionID, maxAge: Int(auth.settings.sessionLifetime)))
            r.headers[values: .setCookie].append(auth.cookie(AdminAuth.loginCookie, "", maxAge: 0))
            return r
        case .refused:
            return try await loginForm(request, context, message: "Nom de compte ou mot de passe incorrect.", status: .unauthorized, name: name)
        case .limited(let wait):
            var r = try await loginForm(
                request, context, message: "Trop de tentatives échouées\u{A0}: réessayez dans \(AdminAuth.frenchDuration(wait)).", status: .tooManyRequests, name: name)
            r.headers[.retryAfter] = String(AdminAuth.wholeSeconds(wait))
            return r
        }
    }

    // MARK: Sources and runs

    func sources(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        let page = SourcesPage(
            sources: try await actions.sources().map(SourceRow.init),
            invalid_manifests: actions.manifestProblems().map { InvalidManifestRow(file: $0.fileName, key: $0.key, message: $0.message) })
        return try await render("adminsources", "Sources", page, request, context)
    }

    func source(_ id: String, _ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        guard let s = try await actions.sources().first(where: { $0.id == id }) else {
            throw renderer.errorPage(.notFound, title: "Source introuvable", message: "Aucune source ne porte l’identifiant « \(id) ».")
        }
        var held: HeldRun?
        if let h = s.heldRunID, let run = try await store.run(id: h) { held = HeldRun(run_id: h, message: run.message ?? "") }
        let page = SourcePage(
            source: SourceFacts(id: s.id, title: s.title, url: s.url, format: s.format, schedule: s.schedule ?? "—", status_label: s.statusLabel, listings: s.listings),
            held: held, next_run: SourceRow(s).next_run,
            runs: try await store.runs(sourceID: id, limit: 50).map {
                RunRow(id: $0.id, started: AdminFormat.stamp($0.startedAt), trigger: $0.trigger ?? "", summary: AdminFormat.summary($0), message: $0.message ?? "")
            })
        return try await render("adminsource", s.title, page, request, context)
    }

    func run(_ raw: String, _ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        guard let id = Int64(raw), let run = try await store.run(id: id) else {
            throw renderer.errorPage(.notFound, title: "Run introuvable", message: "Aucun run ne porte le numéro « \(raw) ».")
        }
        let issues = try await store.issues(runID: id)
        let page = RunPage(
            run: RunFacts(id: run.id, source_id: run.sourceID, trigger: run.trigger ?? "", http_status: run.httpStatus.map(String.init) ?? "—", message: run.message),
            started: AdminFormat.stamp(run.startedAt), ended: AdminFormat.stamp(run.endedAt), summary: AdminFormat.summary(run), issue_count: issues.count,
            issues: issues.map {
                IssueRow(item: $0.item ?? "", field: $0.field ?? "", reason: $0.reason, severity_label: $0.severity == .rejected ? "rejetée" : "avertissement")
            },
            changes: try await store.changes(runID: id, since: nil, until: nil, sourceID: nil, serviceID: nil, limit: 2000).map(ChangeRow.init))
        return try await render("adminrun", "Run n° \(id)", page, request, context)
    }

    func changes(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        let q = QueryParameters(urlEncoded: request.uri.query ?? "")
        let since: String?, until: String?
        do {
            since = try AdminAPI.dateParameter(q, "since")
            until = try AdminAPI.dateParameter(q, "until")
        } catch let e as RelaisError { throw renderer.errorPage(.badRequest, title: "Filtre invalide", message: e.message) }
        let source = q.string("source")
        let list = try await store.changes(runID: nil, since: since, until: until, sourceID: source, serviceID: nil, limit: 1000)
        let page = ChangesPage(
            since: since ?? "", until: until ?? "", source_options: try await store.sources().map { SourceOption(id: $0.id, selected: $0.id == source) },
            total: list.count, added: list.filter { $0.action == "added" }.count, updated: list.filter { $0.action == "updated" }.count,
            stale: list.filter { $0.action == "stale" }.count, changes: list.map(ChangeRow.init))
        return try await render("adminchanges", "Changements", page, request, context)
    }

    func stale(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        let page = StalePage(items: try await store.staleListings().map { item in
            let s = ListingSummary(item.listing, taxonomy: taxonomy)
            return StaleRow(
                id: s.id, name: s.name, kind: s.kind, place: s.place, since: AdminFormat.stamp(item.since), kept: item.pinned,
                sources: item.listing.sources.joined(separator: ", "))
        })
        return try await render("adminstale", "Fiches obsolètes", page, request, context)
    }

    func listings(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        var page = ListingsPage()
        if let text = QueryParameters(urlEncoded: request.uri.query ?? "").string("q") {
            let found = try await store.search(SearchQuery(text: String(text.prefix(200)), includeStale: true, includeHidden: true, page: 1, perPage: 100))
            page.q = text
            page.searched = true
            page.total = found.totalItems
            page.total_label = FrenchFormat.count(found.totalItems, "fiche")
            page.results = found.listings.map { ListingSummary($0, taxonomy: taxonomy) }
        }
        return try await render("adminlistings", "Fiches", page, request, context)
    }

    /// A field's current value as the edit form shows it (and compares it).
    static func displayText(_ field: String, _ c: ListingContent) -> String {
        let v = JSONValue.encode(c).objectValue?[field]
        switch field {
        case "phones": return c.phones.map { PhoneDisplay.french($0.number) }.joined(separator: " / ")
        case "emails": return c.emails.joined(separator: ", ")
        case "needs": return c.needs.joined(separator: ", ")
        case "audiences": return c.audiences.map(\.rawValue).joined(separator: ", ")
        case "modalities": return c.modalities.map(\.rawValue).joined(separator: ", ")
        case "languages": return c.languages.map(Language.shortName).joined(separator: ", ")
        case "accessibility":
            guard let a = c.accessibility else { return "" }
            return [a.description ?? (a.features.isEmpty ? nil : a.features.map(\.label).joined(separator: ", ")), a.url].compactMap { $0 }.joined(separator: " ")
        case "address": return c.address?.singleLine ?? ""
        case "point": return c.point.map { String(format: "%.5f, %.5f", $0.latitude, $0.longitude) } ?? ""
        case "schedule": return c.scheduleText ?? FrenchFormat.schedule(c.schedule).joined(separator: " ")
        default:
            if case .string(let s)? = v { return s }
            return ""
        }
    }

    static let hints: [String: String] = [
        "needs": "identifiants séparés par des virgules (isolement, famille, emploi…)", "audiences": "personne, proche, professionnel",
        "modalities": "sur_place, telephone, en_ligne", "status": "active, inactive, temporarily_closed, defunct",
        "phones": "plusieurs numéros séparés par « / » ou « et »", "schedule": "en français : « le mardi de 14 h à 17 h », « le 1er et 3e jeudi »",
        "address": "« 12 rue Lecocq, 33000 Bordeaux »", "languages": "noms ou codes séparés par des virgules : français, arabe, LSF",
        "accessibility": "en français : « plain-pied, boucle magnétique, toilettes adaptées », et le lien Accèslibre",
    ]

    func listing(_ id: String, _ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        let view = try await actions.listingView(id)
        let l = view.listing
        let labels = Dictionary(ListingEditor.labels.map { ($0.field, $0.label) }, uniquingKeysWith: { a, _ in a })
        let page = ListingEditPage(
            id: l.id, name: l.content.name, sources: l.sources.joined(separator: ", "), freshness: ["mise à jour depuis la source le \(l.lastVerified ?? "—")", l.verifiedByTeam.map { "vérifiée par l’équipe le \($0)" } ?? "jamais vérifiée par l’équipe"].joined(separator: " · "), hidden: l.hidden, stale: l.stale,
            demo: l.demo,
            fields: ListingEditor.labels.map { f in
                let curated = view.curated[f.field] ?? (f.field == "schedule" ? view.curated["scheduleText"] : nil)
                return FieldRow(
                    field: f.field, label: f.label, value: Self.displayText(f.field, l.content),
                    long: ["description", "schedule", "eligibility", "registration", "fees", "accessibility"].contains(f.field),
                    curated: curated.map { CuratedMark(author: $0.author, at: AdminFormat.stamp($0.at)) }, origin: l.provenance[f.field]?.source,
                    hint: Self.hints[f.field])
            },
            curated_fields: view.curated.keys.sorted().compactMap { field in
                view.curated[field].map { CuratedRow(field: field, label: labels[field] ?? field, author: $0.author, at: AdminFormat.stamp($0.at)) }
            },
            changes: view.changes.map(ChangeRow.init))
        return try await render("adminlisting", l.content.name, page, request, context)
    }

    /// Saves the fields whose text changed; the others stay as they are.
    func edit(_ request: Request, _ context: RelaisRequestContext) async throws -> Response {
        let form = try await self.form(request, context)
        let id = try context.parameters.require("id")
        let l = try await actions.listing(id)
        var texts: [String: String] = [:]
        for f in ListingEditor.labels.map(\.field) {
            guard let submitted = form[f] else { continue }
            let normalizedSubmitted = submitted.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if normalizedSubmitted != Self.displayText(f, l.content).trimmingCharacters(in: .whitespacesAndNewlines) { texts[f] = normalizedSubmitted }
        }
        if texts.isEmpty { return Response.redirect(to: "/admin/listings/\(id)?notice=unchanged", type: .normal) }
        _ = try await actions.edit(id, texts: texts, by: context.actor)
        return Response.redirect(to: "/admin/listings/\(id)?notice=saved", type: .normal)
    }

    // MARK: Reports and audit

    func reports(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        let all = QueryParameters(urlEncoded: request.uri.query ?? "").string("status") == "all"
        let labels = Dictionary(ListingEditor.labels.map { ($0.field, $0.label) }, uniquingKeysWith: { a, _ in a })
        let page = ReportsPage(reports: try await store.reports(status: all ? nil : "open", limit: 1000).map { r in
            ReportRow(
                id: r.id, service_id: r.serviceID, listing_name: r.serviceName ?? r.serviceID, created: AdminFormat.stamp(r.createdAt), message: r.message,
                field: r.field, field_label: r.field.flatMap { labels[$0] } ?? r.field ?? "", suggested: r.suggestedValue, contact: r.contactEmail,
                open: r.status == "open", applies: r.field != nil && (r.suggestedValue?.isEmpty == false),
                status_label: r.status == "accepted" ? "Accepté" : "Écarté", resolved_by: r.resolvedBy ?? "", resolved_at: AdminFormat.stamp(r.resolvedAt))
        })
        return try await render("adminreports", "Signalements", page, request, context)
    }

    func audit(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        let page = AuditPage(entries: try await store.auditLog(limit: 500, actor: nil).map {
            AuditRow(at: AdminFormat.stamp($0.at), actor: $0.actor, action: $0.action + ($0.count > 1 ? " ×\($0.count)" : ""), target: $0.target ?? "", detail: $0.detail ?? "")
        })
        return try await render("adminaudit", "Journal", page, request, context)
    }
}
