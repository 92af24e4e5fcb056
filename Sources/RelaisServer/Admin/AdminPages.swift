import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import RelaisAuth
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisStore

/// The /admin pages: sources and runs, changes, stale queue, curation,
/// reports, audit log. Behind a session (login form); every form that changes
/// something checks the session's CSRF token.
struct AdminPages {
    let state: ServerState
    let pages: Pages
    var auth: AdminAuth { AdminAuth(state: state) }
    var actions: AdminActions { AdminActions(state: state) }

    func add(to router: Router<RelaisRequestContext>) {
        let admin = router.group("/admin").add(middleware: PageAdminMiddleware(auth: auth))
        admin.get("/login") { request, context in try self.loginForm(request, context, message: nil, status: .ok) }
        admin.post("/login") { request, context in try await self.login(request, context) }
        admin.post("/logout") { request, context in
            _ = try await self.form(request, context)
            try self.auth.logout(request, identity: context.admin!)
            var r = Response.redirect(to: "/admin/login", type: .normal)
            r.headers[values: .setCookie].append(self.auth.cookie(AdminAuth.sessionCookie, "", maxAge: 0))
            return r
        }
        admin.get("") { request, context in try await self.sources(request, context) }
        admin.get("/sources/:id") { request, context in try await self.source(context.parameters.require("id"), request, context) }
        admin.post("/sources/:id/run") { request, context in
            _ = try await self.form(request, context)
            let id = try context.parameters.require("id")
            let started = try await self.refusalsAsPages { try await self.actions.runNow(id, by: context.admin!) }
            return Response.redirect(to: "/admin?notice=" + (started ? "run-started" : "run-busy"), type: .normal)
        }
        admin.post("/sources/:id/accept-shrink") { request, context in
            _ = try await self.form(request, context)
            let id = try context.parameters.require("id")
            try await self.refusalsAsPages { _ = try await self.actions.acceptShrink(id, by: context.admin!) }
            return Response.redirect(to: "/admin/sources/\(id)?notice=shrink-accepted", type: .normal)
        }
        admin.post("/sources/:id/reject-shrink") { request, context in
            _ = try await self.form(request, context)
            let id = try context.parameters.require("id")
            try await self.refusalsAsPages { try self.actions.rejectShrink(id, by: context.admin!) }
            return Response.redirect(to: "/admin/sources/\(id)?notice=shrink-rejected", type: .normal)
        }
        admin.get("/runs/:id") { _, context in try await self.run(context.parameters.require("id"), context) }
        admin.get("/changes") { request, context in try await self.changes(request, context) }
        admin.get("/stale") { request, context in try await self.stale(request, context) }
        admin.get("/listings") { request, context in try await self.listings(request, context) }
        admin.get("/listings/:id") { request, context in try await self.listing(context.parameters.require("id"), request, context) }
        admin.post("/listings/:id") { request, context in try await self.edit(request, context) }
        for (action, notice) in [("hide", "hidden"), ("show", "shown"), ("verify", "verified"), ("keep", "kept"), ("remove", "removed"), ("reset", "reset")] {
            admin.post("/listings/:id/\(action)") { request, context in
                let form = try await self.form(request, context)
                let id = try context.parameters.require("id")
                let who = context.admin!
                try await self.refusalsAsPages {
                    switch action {
                    case "hide": try self.actions.setHidden(id, true, by: who)
                    case "show": try self.actions.setHidden(id, false, by: who)
                    case "verify": try self.actions.verify(id, by: who)
                    case "keep": try self.actions.keep(id, by: who)
                    case "remove": try self.actions.remove(id, by: who)
                    default:
                        guard let field = form["field"], ListingMerger.editableFields.contains(field) || field == "scheduleText" else {
                            throw AdminActions.Refusal(.badRequest, "champ à rétablir manquant ou inconnu")
                        }
                        try self.actions.apply(id, [field: nil] + (field == "schedule" ? ["scheduleText": nil] : [:]), by: who)
                    }
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
                guard let id = Int64(raw) else { throw self.pages.error(.badRequest, "Signalement inconnu", "Identifiant « \(raw) » invalide.") }
                try await self.refusalsAsPages {
                    if action == "accept" { _ = try self.actions.acceptReport(id, by: context.admin!) } else { try self.actions.dismissReport(id, by: context.admin!) }
                }
                return Response.redirect(to: "/admin/reports?notice=report-" + action, type: .normal)
            }
        }
        admin.get("/audit") { request, context in try await self.audit(request, context) }
        for method in [HTTPRequest.Method.get, .post] {
            admin.on("**", method: method) { _, _ -> Response in
                throw self.pages.error(.notFound, "Page introuvable", "Cette adresse ne correspond à aucune page d’administration.")
            }
        }
    }

    // MARK: Forms, CSRF, errors

    /// The posted form, once its CSRF token matches the session's.
    func form(_ request: Request, _ context: RelaisRequestContext) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 256 * 1024)
        let form = FormData.parse(String(buffer: body))
        guard let expected = context.admin?.csrf, let given = form["csrf"], Secrets.constantTimeEquals(given, expected) else {
            throw pages.error(.forbidden, "Formulaire refusé", "Le jeton de sécurité du formulaire manque ou a expiré. Rechargez la page et recommencez.")
        }
        return form
    }

    @discardableResult
    func refusalsAsPages<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let r as AdminActions.Refusal {
            throw pages.error(r.status, "Action impossible", r.description.prefix(1).uppercased() + r.description.dropFirst() + ".")
        }
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

    /// What every admin page shows: who, the CSRF token, counts for the menu, a notice.
    func base(_ title: String, _ request: Request?, _ context: RelaisRequestContext) throws -> [String: Any] {
        var model: [String: Any] = [
            "page": ["title": title], "user": context.admin?.user.name ?? "", "csrf": context.admin?.csrf ?? "",
            "counts": [
                "stale": try state.store.staleListings().filter { !$0.pinned }.count, "reports": try state.store.reports(status: "open").count,
                "listings": try state.store.listingCount(),
            ],
        ]
        if let request, let n = QueryReader(request).string("notice"), let text = Self.notices[n] { model["notice"] = text }
        return model
    }

    func render(_ template: String, _ model: [String: Any], status: HTTPResponse.Status = .ok) throws -> HTML {
        try pages.render(template, model, status: status)
    }

    /// "2026-11-23T13:05:00Z" → "23/11/2026 14:05" (Paris time).
    static func stamp(_ iso: String?) -> String {
        guard let iso, let d = SQLiteStore.date(iso) else { return iso.map { String($0.prefix(10)) } ?? "—" }
        let local = ParisTime.local(atEpoch: Int(d.timeIntervalSince1970))
        return String(format: "%02d/%02d/%04d %02d:%02d", local.date.day, local.date.month, local.date.year, local.minutes / 60, local.minutes % 60)
    }

    static func summary(_ r: RunRecord) -> String {
        let status = [
            "running": "en cours", "success": "réussi", "unchanged": "inchangé (304)", "empty": "vide", "failed": "échec", "refused": "refusé",
            "interrupted": "interrompu",
        ][r.status.rawValue] ?? r.status.rawValue
        if [.failed, .interrupted, .running, .unchanged].contains(r.status) { return status }
        return "\(status) : +\(r.added) ajoutée(s), \(r.updated) modifiée(s), \(r.unchanged) inchangée(s), \(r.stale) obsolète(s), \(r.removed) retirée(s), \(r.rejected) rejet(s)"
    }

    // MARK: Login

    func loginForm(_ request: Request, _ context: RelaisRequestContext, message: String?, status: HTTPResponse.Status, name: String = "") throws -> Response {
        if status == .ok, try auth.session(request) != nil { return Response.redirect(to: "/admin", type: .normal) }
        let token = Secrets.randomToken()
        let next = Self.safeNext(FormData.query(request)["next"])
        let html = try render("adminlogin", ["page": ["title": "Connexion"], "login_csrf": token, "next": next, "message": tv(message), "name": name], status: status)
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
        let form = FormData.parse(String(buffer: body))
        guard let given = form["csrf"], let expected = AdminAuth.cookies(request)[AdminAuth.loginCookie], Secrets.constantTimeEquals(given, expected) else {
            return try loginForm(request, context, message: "Le formulaire a expiré : recommencez.", status: .forbidden)
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, let password = form["password"], !password.isEmpty, name.count <= 64, password.count <= 1024 else {
            return try loginForm(request, context, message: "Indiquez le nom du compte et le mot de passe.", status: .badRequest, name: String(name.prefix(64)))
        }
        switch try await auth.login(name: name, password: password, client: state.client(of: request, context: context)) {
        case .success(let sessionID, _):
            var r = Response.redirect(to: Self.safeNext(form["next"]), type: .normal)
            r.headers[values: .setCookie].append(auth.cookie(AdminAuth.sessionCookie, sessionID, maxAge: Int(state.admin.sessionLifetime)))
            r.headers[values: .setCookie].append(auth.cookie(AdminAuth.loginCookie, "", maxAge: 0))
            return r
        case .refused:
            return try loginForm(request, context, message: "Nom de compte ou mot de passe incorrect.", status: .unauthorized, name: name)
        case .limited(let wait):
            var r = try loginForm(
                request, context, message: "Trop de tentatives échouées\u{A0}: réessayez dans \(AdminAuth.frenchDuration(wait)).", status: .tooManyRequests, name: name)
            r.headers[.retryAfter] = String(AdminAuth.wholeSeconds(wait))
            return r
        }
    }

    // MARK: Sources and runs

    func sourceModel(_ s: SourceOverview) -> [String: Any] {
        [
            "id": s.id, "title": s.title, "format": s.format, "schedule": s.schedule ?? "—", "status": s.status, "status_label": s.statusLabel,
            "consecutive_failures_text": s.consecutiveFailures > 1 ? "\(s.consecutiveFailures) échecs de suite" : "",
            "last_success": Self.stamp(s.lastSuccessAt), "last_failure": s.lastFailureAt.map { Self.stamp($0) } ?? "—", "last_error": tv(s.lastError),
            "next_run": s.running ? "en cours" : (s.nextRunAt.map { Self.stamp($0) } ?? "—"),
            "last_run": tv(s.lastRun.map { ["id": $0.id, "summary": Self.summary($0)] as [String: Any] }),
            "can_run": s.manifestPresent && !s.running,
        ]
    }

    func sources(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        var model = try base("Sources", request, context)
        let csrf = context.admin?.csrf ?? ""
        model["sources"] = try await actions.sources().map { var m = sourceModel($0); m["csrf"] = csrf; return m }
        let problems = actions.manifestProblems()
        model["has_invalid_manifests"] = !problems.isEmpty
        model["invalid_manifests"] = problems.map { e in ["file": e.fileName, "key": e.key ?? "", "message": e.message] as [String: Any] }
        return try render("adminsources", model)
    }

    func source(_ id: String, _ request: Request? = nil, _ context: RelaisRequestContext) async throws -> HTML {
        guard let s = try await actions.sources().first(where: { $0.id == id }) else {
            throw pages.error(.notFound, "Source introuvable", "Aucune source ne porte l’identifiant « \(id) ».")
        }
        var model = try base(s.title, request, context)
        model["source"] = ["id": s.id, "title": s.title, "url": s.url, "format": s.format, "schedule": s.schedule ?? "—", "status_label": s.statusLabel, "listings": s.listings]
        if let held = s.heldRunID, let run = try state.store.run(id: held) {
            model["held"] = ["run_id": held, "message": run.message ?? "", "csrf": context.admin?.csrf ?? ""] as [String: Any]
        }
        model["next_run"] = sourceModel(s)["next_run"]
        model["runs"] = try state.store.runs(sourceID: id, limit: 50).map {
            ["id": $0.id, "started": Self.stamp($0.startedAt), "trigger": $0.trigger ?? "", "summary": Self.summary($0), "message": $0.message ?? ""] as [String: Any]
        }
        return try render("adminsource", model)
    }

    func changeModel(_ c: ChangeRecord) -> [String: Any] {
        let labels = [
            "added": "ajoutée", "updated": "modifiée", "stale": "devenue obsolète", "removed": "retirée", "hidden": "masquée", "shown": "affichée",
            "verified": "vérifiée", "kept": "gardée", "curated": "modifiée par un admin", "restored": "de nouveau publiée",
        ]
        return [
            "at": Self.stamp(c.at), "service_id": c.serviceID, "service_name": c.serviceName ?? c.serviceID, "action_label": labels[c.action] ?? c.action,
            "field": c.field ?? "", "before": Self.short(c.before), "after": Self.short(c.after),
            "by": c.actor ?? c.sourceID.map { "source \($0)" } ?? "",
        ]
    }

    static func short(_ s: String?) -> String {
        guard let s else { return "" }
        return s.count > 300 ? String(s.prefix(300)) + "…" : s
    }

    func run(_ raw: String, _ context: RelaisRequestContext) async throws -> HTML {
        guard let id = Int64(raw), let run = try state.store.run(id: id) else {
            throw pages.error(.notFound, "Run introuvable", "Aucun run ne porte le numéro « \(raw) ».")
        }
        var model = try base("Run n° \(id)", nil, context)
        let issues = try state.store.issues(runID: id)
        model["run"] = [
            "id": run.id, "source_id": run.sourceID, "trigger": run.trigger ?? "", "http_status": run.httpStatus.map(String.init) ?? "—", "message": tv(run.message),
        ]
        model["started"] = Self.stamp(run.startedAt)
        model["ended"] = Self.stamp(run.endedAt)
        model["summary"] = Self.summary(run)
        model["issue_count"] = issues.count
        model["issues"] = issues.map {
            ["item": $0.item ?? "", "field": $0.field ?? "", "reason": $0.reason, "severity_label": $0.severity == .rejected ? "rejetée" : "avertissement"]
        }
        model["changes"] = try state.store.changes(runID: id, since: nil, limit: 2000).map(changeModel)
        return try render("adminrun", model)
    }

    func changes(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        var model = try base("Changements", request, context)
        let q = QueryReader(request)
        let since: String?, until: String?
        do {
            since = try AdminAPI.dateParameter(q, "since")
            until = try AdminAPI.dateParameter(q, "until")
        } catch let e as APIError { throw pages.error(.badRequest, "Filtre invalide", e.message) }
        let source = q.string("source")
        let list = try state.store.changes(runID: nil, since: since, until: until, sourceID: source, limit: 1000)
        model["since"] = since ?? ""
        model["until"] = until ?? ""
        model["source_options"] = try state.store.sources().map { ["id": $0.id, "selected": $0.id == source] as [String: Any] }
        model["total"] = list.count
        model["added"] = list.filter { $0.action == "added" }.count
        model["updated"] = list.filter { $0.action == "updated" }.count
        model["stale"] = list.filter { $0.action == "stale" }.count
        model["changes"] = list.map(changeModel)
        return try render("adminchanges", model)
    }

    func stale(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        var model = try base("Fiches obsolètes", request, context)
        let csrf = context.admin?.csrf ?? ""
        model["items"] = try state.store.staleListings().map { item -> [String: Any] in
            var m = pages.listingSummary(item.listing)
            m["since"] = Self.stamp(item.since)
            m["kept"] = item.pinned
            m["sources"] = item.listing.sources.joined(separator: ", ")
            m["csrf"] = csrf
            return m
        }
        return try render("adminstale", model)
    }

    func listings(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        var model = try base("Fiches", request, context)
        if let text = QueryReader(request).string("q") {
            let page = try state.store.search(SearchQuery(text: text, includeStale: true, includeHidden: true, page: 1, perPage: 100))
            model["q"] = text
            model["searched"] = true
            model["total"] = page.totalItems
            model["results"] = page.listings.map { l -> [String: Any] in
                var m = pages.listingSummary(l)
                m["hidden"] = l.hidden
                return m
            }
        }
        return try render("adminlistings", model)
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
        "address": "« 12 rue Lecocq, 33000 Bordeaux »",
    ]

    func listing(_ id: String, _ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        let view: AdminActions.ListingView = try await refusalsAsPages { try actions.listingView(id) }
        let l = view.listing
        var model = try base(l.content.name, request, context)
        let labels = Dictionary(ListingEditor.labels.map { ($0.field, $0.label) }, uniquingKeysWith: { a, _ in a })
        model["id"] = l.id
        model["name"] = l.content.name
        model["sources"] = l.sources.joined(separator: ", ")
        model["verified"] = l.lastVerified ?? "—"
        model["hidden"] = l.hidden
        model["stale"] = l.stale
        model["demo"] = l.demo
        model["fields"] = ListingEditor.labels.map { f -> [String: Any] in
            let curated = view.curated[f.field] ?? (f.field == "schedule" ? view.curated["scheduleText"] : nil)
            return [
                "field": f.field, "label": f.label, "value": Self.displayText(f.field, l.content),
                "long": ["description", "schedule", "eligibility", "registration", "fees"].contains(f.field),
                "curated": tv(curated.map { ["author": $0.author, "at": Self.stamp($0.at)] }), "origin": tv(l.provenance[f.field]?.source),
                "hint": tv(Self.hints[f.field]),
            ]
        }
        model["curated_fields"] = view.curated.keys.sorted().map { field -> [String: Any] in
            ["field": field, "label": labels[field] ?? field, "author": view.curated[field]!.author, "at": Self.stamp(view.curated[field]!.at), "id": l.id,
             "csrf": context.admin?.csrf ?? ""]
        }
        model["changes"] = view.changes.map(changeModel)
        return try render("adminlisting", model)
    }

    /// Saves the fields whose text changed; the others stay as they are.
    func edit(_ request: Request, _ context: RelaisRequestContext) async throws -> Response {
        let form = try await self.form(request, context)
        let id = try context.parameters.require("id")
        guard let l = try state.store.listing(id: id) else { throw pages.error(.notFound, "Fiche introuvable", "Aucune fiche ne porte cet identifiant.") }
        var texts: [String: String] = [:]
        for f in ListingEditor.labels.map(\.field) {
            guard let submitted = form[f] else { continue }
            let normalizedSubmitted = submitted.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if normalizedSubmitted != Self.displayText(f, l.content).trimmingCharacters(in: .whitespacesAndNewlines) { texts[f] = normalizedSubmitted }
        }
        if texts.isEmpty { return Response.redirect(to: "/admin/listings/\(id)?notice=unchanged", type: .normal) }
        try await refusalsAsPages { _ = try actions.edit(id, texts: texts, by: context.admin!) }
        return Response.redirect(to: "/admin/listings/\(id)?notice=saved", type: .normal)
    }

    // MARK: Reports and audit

    func reports(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        var model = try base("Signalements", request, context)
        let all = QueryReader(request).string("status") == "all"
        let labels = Dictionary(ListingEditor.labels.map { ($0.field, $0.label) }, uniquingKeysWith: { a, _ in a })
        let csrf = context.admin?.csrf ?? ""
        model["reports"] = try state.store.reports(status: all ? nil : "open").map { r -> [String: Any] in
            [
                "id": r.id, "service_id": r.serviceID, "listing_name": r.serviceName ?? r.serviceID, "created": Self.stamp(r.createdAt), "message": r.message,
                "field": tv(r.field), "field_label": r.field.flatMap { labels[$0] } ?? r.field ?? "", "suggested": tv(r.suggestedValue),
                "contact": tv(r.contactEmail), "open": r.status == "open", "applies": r.field != nil && (r.suggestedValue?.isEmpty == false),
                "status_label": r.status == "accepted" ? "Accepté" : "Écarté", "resolved_by": r.resolvedBy ?? "", "resolved_at": Self.stamp(r.resolvedAt),
                "csrf": csrf,
            ]
        }
        return try render("adminreports", model)
    }

    func audit(_ request: Request, _ context: RelaisRequestContext) async throws -> HTML {
        var model = try base("Journal", request, context)
        model["entries"] = try state.store.auditLog(limit: 500).map {
            ["at": Self.stamp($0.at), "actor": $0.actor, "action": $0.action + ($0.count > 1 ? " ×\($0.count)" : ""), "target": $0.target ?? "", "detail": $0.detail ?? ""]
        }
        return try render("adminaudit", model)
    }
}

extension Dictionary {
    static func + (a: Self, b: Self) -> Self { a.merging(b) { _, new in new } }
}
