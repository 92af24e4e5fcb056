import Foundation
import HTTPTypes
import Hummingbird
import RelaisImport
import RelaisModel
import RelaisNormalize
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
struct AdminAPI {
    let state: ServerState
    var actions: AdminActions { AdminActions(state: state) }

    func add(to router: Router<RelaisRequestContext>) {
        let api = router.group("/api/admin").add(middleware: APIAdminMiddleware(auth: AdminAuth(state: state)))
        api.get("/sources") { _, _ in
            adminJSON(SourceList(sources: try await self.actions.sources(), invalidManifests: self.actions.manifestProblems().map(InvalidManifest.init)))
        }
        api.post("/sources/:id/accept-shrink") { _, context in
            let id = try context.parameters.require("id")
            let started = try await self.refusalsAsAPI { try await self.actions.acceptShrink(id, by: context.admin!) }
            return adminJSON(["source": id, "status": started ? "started" : "accepted"], status: .accepted)
        }
        api.post("/sources/:id/reject-shrink") { _, context in
            let id = try context.parameters.require("id")
            try await self.refusalsAsAPI { try self.actions.rejectShrink(id, by: context.admin!) }
            return adminJSON(["source": id, "status": "rejected"])
        }
        api.get("/sources/:id") { _, context in try await self.source(context.parameters.require("id")) }
        api.post("/sources/:id/run") { _, context in try await self.run(context.parameters.require("id"), context) }
        api.get("/runs") { request, _ in try self.runs(request) }
        api.get("/runs/:id") { _, context in try self.run(context.parameters.require("id")) }
        api.get("/changes") { request, _ in try self.changes(request) }
        api.get("/stale") { _, _ in try self.stale() }
        api.post("/stale/:id/keep") { _, context in try self.guarded { try self.actions.keep(context.parameters.require("id"), by: context.admin!) } }
        api.post("/stale/:id/remove") { _, context in try self.guarded { try self.actions.remove(context.parameters.require("id"), by: context.admin!) } }
        api.get("/listings/:id") { _, context in try self.guarded { adminJSON(try self.actions.listingView(context.parameters.require("id"))) } }
        api.patch("/listings/:id") { request, context in try await self.patch(request, context) }
        api.delete("/listings/:id") { _, context in try self.guarded { try self.actions.remove(context.parameters.require("id"), by: context.admin!) } }
        api.get("/reports") { request, _ in try self.reports(request) }
        api.post("/reports/:id/accept") { _, context in try self.guarded { adminJSON(["edited": try self.actions.acceptReport(try self.reportID(context), by: context.admin!)]) } }
        api.post("/reports/:id/dismiss") { _, context in try self.guarded { try self.actions.dismissReport(try self.reportID(context), by: context.admin!) } }
        api.get("/audit") { request, _ in
            let limit = try QueryReader(request).int("limit", default: 200, range: 1...5000)
            return adminJSON(["entries": try self.state.store.auditLog(limit: limit)])
        }
        // Unknown admin addresses answer 404 only to an authenticated caller.
        for method in [HTTPRequest.Method.get, .post, .patch, .delete, .put] {
            api.on("**", method: method) { request, _ -> Response in throw APIError(.notFound, "Adresse inconnue : \(request.uri.path)") }
        }
    }

    struct Done: Encodable { var ok = true }

    /// Maps an action's refusal to a JSON error.
    func guarded<T: ResponseGenerator>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let r as AdminActions.Refusal { throw APIError(r.status, r.description) }
    }

    func guarded(_ body: () throws -> Void) throws -> JSONResponse {
        do { try body() } catch let r as AdminActions.Refusal { throw APIError(r.status, r.description) }
        return adminJSON(Done())
    }

    func reportID(_ context: RelaisRequestContext) throws -> Int64 {
        let raw = try context.parameters.require("id")
        guard let id = Int64(raw) else { throw APIError(parameter: "id", "identifiant de signalement « \(raw) » invalide") }
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

    @discardableResult
    func refusalsAsAPI<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let r as AdminActions.Refusal { throw APIError(r.status, r.description) }
    }

    func source(_ id: String) async throws -> JSONResponse {
        guard let s = try await actions.sources().first(where: { $0.id == id }) else { throw APIError(.notFound, "source « \(id) » introuvable") }
        return adminJSON(SourceDetail(source: s, runs: try state.store.runs(sourceID: id, limit: 50)))
    }

    func run(_ id: String, _ context: RelaisRequestContext) async throws -> JSONResponse {
        let started: Bool
        do { started = try await actions.runNow(id, by: context.admin!) } catch let r as AdminActions.Refusal { throw APIError(r.status, r.description) }
        guard started else { throw APIError(.conflict, "la source « \(id) » est déjà en cours") }
        return adminJSON(["source": id, "status": "started"], status: .accepted)
    }

    func runs(_ request: Request) throws -> JSONResponse {
        let q = QueryReader(request)
        let limit = try q.int("limit", default: 100, range: 1...1000)
        return adminJSON(["runs": try state.store.runs(sourceID: q.string("source"), limit: limit)])
    }

    struct RunDetail: Encodable {
        var run: RunRecord
        var issues: [RunIssue]
        var changes: [ChangeRecord]
    }

    func run(_ raw: String) throws -> JSONResponse {
        guard let id = Int64(raw) else { throw APIError(parameter: "id", "identifiant de run « \(raw) » invalide") }
        guard let run = try state.store.run(id: id) else { throw APIError(.notFound, "run \(id) introuvable") }
        return adminJSON(RunDetail(run: run, issues: try state.store.issues(runID: id), changes: try state.store.changes(runID: id, since: nil, limit: 5000)))
    }

    /// Checks a date or timestamp parameter.
    static func dateParameter(_ q: QueryReader, _ name: String) throws -> String? {
        guard let v = q.string(name) else { return nil }
        guard LocalDate(iso: v.prefix(10)) != nil, v.count == 10 || SQLiteStore.date(v) != nil else {
            throw APIError(parameter: name, "Paramètre « \(name) » invalide : « \(v) » n’est pas une date (AAAA-MM-JJ) ni un horodatage ISO 8601.")
        }
        return v
    }

    func changes(_ request: Request) throws -> JSONResponse {
        let q = QueryReader(request)
        let limit = try q.int("limit", default: 200, range: 1...5000)
        let run: Int64? = try q.string("run").map {
            guard let id = Int64($0) else { throw APIError(parameter: "run", "Paramètre « run » invalide : « \($0) »") }
            return id
        }
        let changes = try state.store.changes(
            runID: run, since: try Self.dateParameter(q, "since"), until: try Self.dateParameter(q, "until"), sourceID: q.string("source"),
            serviceID: q.string("listing"), limit: limit)
        return adminJSON(["changes": changes])
    }

    struct StaleItem: Encodable {
        var listing: Listing
        var staleSince: String?
        var kept: Bool
    }

    func stale() throws -> JSONResponse {
        adminJSON(["stale": try state.store.staleListings().map { StaleItem(listing: $0.listing, staleSince: $0.since, kept: $0.pinned) }])
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
            throw APIError(parameter: "body", "Corps JSON invalide : attendu {\"fields\": {\"champ\": valeur}, \"hidden\": true|false, \"verified\": true}")
        }
        let actor = context.admin!
        return try guarded {
            var texts: [String: String] = [:]
            var values: [String: JSONValue?] = [:]
            for (field, value) in patch.fields ?? [:] {
                switch value {
                case .string(let s): texts[field] = s
                case .null: values[field] = .some(nil)
                default: values[field] = value
                }
            }
            if !texts.isEmpty { _ = try actions.edit(id, texts: texts, by: actor) }
            if !values.isEmpty { try actions.apply(id, values, by: actor) }
            if let hidden = patch.hidden { try actions.setHidden(id, hidden, by: actor) }
            if patch.verified == true { try actions.verify(id, by: actor) }
            return adminJSON(try actions.listingView(id))
        }
    }

    func reports(_ request: Request) throws -> JSONResponse {
        let status = QueryReader(request).string("status") ?? "open"
        guard ["open", "accepted", "dismissed", "all"].contains(status) else {
            throw APIError(parameter: "status", "Paramètre « status » invalide : « \(status) » (open, accepted, dismissed ou all)")
        }
        return adminJSON(["reports": try state.store.reports(status: status == "all" ? nil : status)])
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}
