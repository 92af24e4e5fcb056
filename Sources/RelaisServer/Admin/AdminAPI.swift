import Foundation
import HTTPTypes
import Hummingbird
import RelaisApp
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisSources
import RelaisStore

/// The admin API's JSON: snake_case keys (its types are camelCase Swift).
func adminJSON<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> JSONResponse {
    JSONResponse(value, status: status, snakeCase: true)
}

/// The admin API under /api/admin, behind bearer tokens.
///
///     GET    /api/admin/sources                 sources, status, next run, last run
///     GET    /api/admin/sources/{id}            one source and its recent runs
///     POST   /api/admin/sources/{id}/run        run now (202; 409 if already running)
///     GET    /api/admin/runs[?source=&limit=]   run ledger, newest first
///     GET    /api/admin/runs/{id}               one run, its rejected rows and its changes
///     GET    /api/admin/changes[?since=&until=&source=&run=&listing=&limit=]
///     GET    /api/admin/stale                   listings their sources dropped
///     POST   /api/admin/stale/{id}/keep | /remove
///     GET    /api/admin/listings/{id}           listing, curated fields, history
///     PATCH  /api/admin/listings/{id}           {"fields": {...}, "hidden": bool, "verified": true}
///     DELETE /api/admin/listings/{id}           remove a stale listing for good
///     GET    /api/admin/reports[?status=open|accepted|dismissed|all]
///     POST   /api/admin/reports/{id}/accept | /dismiss
///     GET    /api/admin/audit
struct AdminAPI: Sendable {
    let actions: AdminActions
    let auth: AdminAuth
    let store: any DirectoryStore

    func add(to router: Router<RelaisRequestContext>) {
        let api = router.group("/api/admin").add(middleware: APIAdminMiddleware(auth: auth))
        api.get("/sources") { _, _ in
            adminJSON(SourceList(sources: try await actions.sources(), invalidManifests: actions.manifestProblems().map(InvalidManifest.init)))
        }
        api.post("/sources/:id/accept-shrink") { _, context in
            let id = try context.parameters.require("id")
            let started = try await actions.acceptShrink(id, by: context.actor)
            return adminJSON(["source": id, "status": started ? "started" : "accepted"], status: .accepted)
        }
        api.post("/sources/:id/reject-shrink") { _, context in
            let id = try context.parameters.require("id")
            try await actions.rejectShrink(id, by: context.actor)
            return adminJSON(["source": id, "status": "rejected"])
        }
        api.get("/sources/:id") { _, context in try await self.source(context.parameters.require("id")) }
        api.post("/sources/:id/run") { _, context in
            let id = try context.parameters.require("id")
            guard try await actions.runNow(id, by: context.actor) else { throw RelaisError(.conflict, "la source « \(id) » est déjà en cours") }
            return adminJSON(["source": id, "status": "started"], status: .accepted)
        }
        api.get("/runs") { request, _ in
            let q = QueryParameters(urlEncoded: request.uri.query ?? "")
            return adminJSON(["runs": try await store.runs(sourceID: q.string("source"), limit: try q.int("limit", default: 100, range: 1...1000))])
        }
        api.get("/runs/:id") { _, context in try await self.run(context.parameters.require("id")) }
        api.get("/changes") { request, _ in try await self.changes(QueryParameters(urlEncoded: request.uri.query ?? "")) }
        api.get("/stale") { _, _ in
            adminJSON(["stale": try await store.staleListings().map { StaleItem(listing: $0.listing, staleSince: $0.since, kept: $0.pinned) }])
        }
        api.post("/stale/:id/keep") { _, context in try await actions.keep(context.parameters.require("id"), by: context.actor); return adminJSON(Done()) }
        api.post("/stale/:id/remove") { _, context in try await actions.remove(context.parameters.require("id"), by: context.actor); return adminJSON(Done()) }
        api.get("/listings/:id") { _, context in adminJSON(try await actions.listingView(context.parameters.require("id"))) }
        api.patch("/listings/:id") { request, context in try await self.patch(request, context) }
        api.delete("/listings/:id") { _, context in try await actions.remove(context.parameters.require("id"), by: context.actor); return adminJSON(Done()) }
        api.get("/reports") { request, _ in
            let status = QueryParameters(urlEncoded: request.uri.query ?? "").string("status") ?? "open"
            guard ["open", "accepted", "dismissed", "all"].contains(status) else {
                throw RelaisError(.invalid, "Paramètre « status » invalide : « \(status) » (open, accepted, dismissed ou all)", parameter: "status")
            }
            return adminJSON(["reports": try await store.reports(status: status == "all" ? nil : status, limit: 1000)])
        }
        api.post("/reports/:id/accept") { _, context in adminJSON(["edited": try await actions.acceptReport(try Self.reportID(context), by: context.actor)]) }
        api.post("/reports/:id/dismiss") { _, context in try await actions.dismissReport(try Self.reportID(context), by: context.actor); return adminJSON(Done()) }
        api.get("/audit") { request, _ in
            let limit = try QueryParameters(urlEncoded: request.uri.query ?? "").int("limit", default: 200, range: 1...5000)
            return adminJSON(["entries": try await store.auditLog(limit: limit, actor: nil)])
        }
        // Unknown admin addresses answer 404 only to an authenticated caller.
        for method in [HTTPRequest.Method.get, .post, .patch, .delete, .put] {
            api.on("**", method: method) { request, _ -> Response in throw RelaisError(.notFound, "Adresse inconnue : \(request.uri.path)") }
        }
    }

    struct Done: Encodable { var ok = true }

    static func reportID(_ context: RelaisRequestContext) throws -> Int64 {
        let raw = try context.parameters.require("id")
        guard let id = Int64(raw) else { throw RelaisError(.invalid, "identifiant de signalement « \(raw) » invalide", parameter: "id") }
        return id
    }

    struct SourceDetail: Encodable {
        var source: SourceOverview
        var runs: [RunRecord]
    }

    struct SourceList: Encodable {
        var sources: [SourceOverview]
        var invalidManifests: [InvalidManifest]
    }

    struct InvalidManifest: Encodable {
        var file: String
        var key: String?
        var message: String
        var sourceId: String?
        init(_ e: ManifestError) {
            file = e.fileName
            key = e.key
            message = e.message
            sourceId = e.sourceID
        }
    }

    func source(_ id: String) async throws -> JSONResponse {
        guard let s = try await actions.sources().first(where: { $0.id == id }) else { throw RelaisError(.notFound, "source « \(id) » introuvable") }
        return adminJSON(SourceDetail(source: s, runs: try await store.runs(sourceID: id, limit: 50)))
    }

    struct RunDetail: Encodable {
        var run: RunRecord
        var issues: [RunIssue]
        var changes: [ChangeRecord]
    }

    func run(_ raw: String) async throws -> JSONResponse {
        guard let id = Int64(raw) else { throw RelaisError(.invalid, "identifiant de run « \(raw) » invalide", parameter: "id") }
        guard let run = try await store.run(id: id) else { throw RelaisError(.notFound, "run \(id) introuvable") }
        return adminJSON(RunDetail(
            run: run, issues: try await store.issues(runID: id),
            changes: try await store.changes(runID: id, since: nil, until: nil, sourceID: nil, serviceID: nil, limit: 5000)))
    }

    /// Checks a date or timestamp parameter.
    static func dateParameter(_ q: QueryParameters, _ name: String) throws -> String? {
        guard let v = q.string(name) else { return nil }
        guard LocalDate(iso: v.prefix(10)) != nil, v.count == 10 || Timestamp.date(v) != nil else {
            throw RelaisError(.invalid, "Paramètre « \(name) » invalide : « \(v) » n’est pas une date (AAAA-MM-JJ) ni un horodatage ISO 8601.", parameter: name)
        }
        return v
    }

    func changes(_ q: QueryParameters) async throws -> JSONResponse {
        let limit = try q.int("limit", default: 200, range: 1...5000)
        let run: Int64? = try q.string("run").map {
            guard let id = Int64($0) else { throw RelaisError(.invalid, "Paramètre « run » invalide : « \($0) »", parameter: "run") }
            return id
        }
        let changes = try await store.changes(
            runID: run, since: try Self.dateParameter(q, "since"), until: try Self.dateParameter(q, "until"), sourceID: q.string("source"),
            serviceID: q.string("listing"), limit: limit)
        return adminJSON(["changes": changes])
    }

    struct StaleItem: Encodable {
        var listing: Listing
        var staleSince: String?
        var kept: Bool
    }

    struct Patch: Decodable {
        var fields: [String: JSONValue]?
        var hidden: Bool?
        var verified: Bool?
    }

    /// `fields`: a string is read like the edit form (normalised); other JSON
    /// values are taken in the listing's own shape; null restores the sources' value.
    func patch(_ request: Request, _ context: RelaisRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        let body = try await request.body.collect(upTo: 256 * 1024)
        let patch: Patch
        do { patch = try JSONDecoder().decode(Patch.self, from: Data(buffer: body)) } catch {
            throw RelaisError(.invalid, "Corps JSON invalide : attendu {\"fields\": {\"champ\": valeur}, \"hidden\": true|false, \"verified\": true}", parameter: "body")
        }
        let actor = context.actor
        var texts: [String: String] = [:]
        var values: [String: JSONValue?] = [:]
        for (field, value) in patch.fields ?? [:] {
            switch value {
            case .string(let s): texts[field] = s
            case .null: values[field] = .some(nil)
            default: values[field] = value
            }
        }
        if !texts.isEmpty { _ = try await actions.edit(id, texts: texts, by: actor) }
        if !values.isEmpty { try await actions.apply(id, values, by: actor) }
        if let hidden = patch.hidden { try await actions.setHidden(id, hidden, by: actor) }
        if patch.verified == true { try await actions.verify(id, by: actor) }
        return adminJSON(try await actions.listingView(id))
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}

extension RelaisRequestContext {
    /// The authenticated admin's name (the admin routes run behind their middleware).
    var actor: String { admin?.user.name ?? "?" }
}
