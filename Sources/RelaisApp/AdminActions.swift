import Foundation
import RelaisImport
import RelaisModel
import RelaisSources
import RelaisStore

/// What an admin can do, for the admin pages, the admin API and `relais admin` alike.
/// Every action is written to the audit log with who did it (`actor`, an admin's name);
/// listing edits also go to the change log with before/after values. A refusal is a
/// ``RelaisError`` (`notFound`, `conflict`, `invalid`), answered by each interface its way.
public struct AdminActions: Sendable {
    let store: any DirectoryStore
    public let scheduler: RefreshScheduler
    let editor: ListingEditor
    let clock: @Sendable () -> Date

    public init(store: any DirectoryStore, scheduler: RefreshScheduler, editor: ListingEditor, clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.scheduler = scheduler
        self.editor = editor
        self.clock = clock
    }

    func audit(_ actor: String, _ action: String, _ target: String?, _ detail: String? = nil) async throws {
        try await store.audit(actor: actor, action: action, target: target, detail: detail, at: clock())
    }

    public func listing(_ id: String) async throws -> Listing {
        guard let l = try await store.listing(id: id) else { throw RelaisError(.notFound, "fiche « \(id) » introuvable") }
        return l
    }

    /// Starts a run of a source now; false if it is already running (here or in another process).
    public func runNow(_ sourceID: String, by actor: String) async throws -> Bool {
        let started = try await scheduler.runNow(sourceID, trigger: "admin:\(actor)")
        try await audit(actor, "source.run", sourceID, started ? "lancé" : "déjà en cours")
        return started
    }

    func heldSource(_ sourceID: String) async throws -> SourceState {
        guard let s = try await store.source(id: sourceID) else { throw RelaisError(.notFound, "source « \(sourceID) » introuvable") }
        guard s.heldRunID != nil else { throw RelaisError(.conflict, "aucune exécution de « \(sourceID) » n’attend de validation") }
        return s
    }

    /// Accepts the shrink of a source's held run: the next run applies it, started now.
    public func acceptShrink(_ sourceID: String, by actor: String) async throws -> Bool {
        let s = try await heldSource(sourceID)
        try await store.acceptShrink(sourceID: sourceID, at: clock())
        try await audit(actor, "source.accept-shrink", sourceID, s.heldRunID.map { "run n° \($0)" })
        return (try? await scheduler.runNow(sourceID, trigger: "admin:\(actor)")) ?? false
    }

    /// Rejects a held run: the listings stay as they are; a later run that shrinks as much is held again.
    public func rejectShrink(_ sourceID: String, by actor: String) async throws {
        let s = try await heldSource(sourceID)
        try await store.rejectShrink(sourceID: sourceID)
        try await audit(actor, "source.reject-shrink", sourceID, s.heldRunID.map { "run n° \($0)" })
    }

    /// Manifest files that cannot be used, each with its reason.
    public func manifestProblems() -> [ManifestError] { scheduler.manifestProblems() }

    /// Edits fields of a listing from text as typed in a form (normalised like an import).
    public func edit(_ id: String, texts: [String: String], by actor: String) async throws -> [String] {
        let l = try await listing(id)
        var values: [String: JSONValue] = [:]
        for (field, text) in texts.sorted(by: { $0.key < $1.key }) {
            do { values.merge(try editor.values(field: field, text: text, current: l.content)) { _, new in new } } catch let e as ListingEditor.EditError {
                throw RelaisError(.invalid, "\(ListingEditor.labels.first { $0.field == field }?.label ?? field) : \(e.description)", parameter: field)
            }
        }
        return try await apply(id, values.mapValues { Optional($0) }, by: actor)
    }

    /// Sets curated values (nil: back to the sources' value) — the API's JSON edits.
    @discardableResult
    public func apply(_ id: String, _ values: [String: JSONValue?], by actor: String) async throws -> [String] {
        _ = try await listing(id)
        let now = clock()
        for (field, value) in values.sorted(by: { $0.key < $1.key }) {
            try await store.curate(serviceID: id, field: field, value: value, author: actor, at: now)
        }
        try await audit(actor, "listing.edit", id, values.keys.sorted().joined(separator: ", "))
        return values.keys.sorted()
    }

    public func setHidden(_ id: String, _ hidden: Bool, by actor: String) async throws {
        _ = try await listing(id)
        try await store.setHidden(serviceID: id, hidden: hidden, author: actor, at: clock())
        try await audit(actor, hidden ? "listing.hide" : "listing.show", id)
    }

    public func verify(_ id: String, by actor: String) async throws {
        _ = try await listing(id)
        try await store.markVerified(serviceID: id, author: actor, at: clock())
        try await audit(actor, "listing.verify", id)
    }

    /// Keeps a stale listing listed.
    public func keep(_ id: String, by actor: String) async throws {
        guard try await listing(id).stale else { throw RelaisError(.conflict, "la fiche « \(id) » n’est pas obsolète") }
        try await store.keep(serviceID: id, author: actor, at: clock())
        try await audit(actor, "stale.keep", id)
    }

    /// Removes a stale listing for good. Only stale listings: one that a source
    /// still lists would come back at the next import — hide it instead.
    public func remove(_ id: String, by actor: String) async throws {
        let l = try await listing(id)
        guard l.stale else {
            throw RelaisError(.conflict, "la fiche « \(id) » est encore publiée par ses sources : elle reviendrait au prochain import ; masquez-la plutôt")
        }
        try await store.remove(serviceID: id, author: actor, at: clock())
        try await audit(actor, "stale.remove", id, l.content.name)
    }

    func openReport(_ reportID: Int64) async throws -> Report {
        guard let r = try await store.report(id: reportID) else { throw RelaisError(.notFound, "signalement \(reportID) introuvable") }
        guard r.status == "open" else { throw RelaisError(.conflict, "signalement \(reportID) déjà traité") }
        return r
    }

    /// Accepts a report: its suggested value (if any) becomes a curated edit.
    public func acceptReport(_ reportID: Int64, by actor: String) async throws -> [String] {
        let r = try await openReport(reportID)
        var fields: [String] = []
        if let field = r.field, let value = r.suggestedValue, !value.isEmpty {
            fields = try await edit(r.serviceID, texts: [field: value], by: actor)
        }
        try await store.resolveReport(id: reportID, status: "accepted", by: actor, at: clock())
        try await audit(actor, "report.accept", "\(reportID)", fields.isEmpty ? nil : fields.joined(separator: ", "))
        return fields
    }

    public func dismissReport(_ reportID: Int64, by actor: String) async throws {
        _ = try await openReport(reportID)
        try await store.resolveReport(id: reportID, status: "dismissed", by: actor, at: clock())
        try await audit(actor, "report.dismiss", "\(reportID)")
    }

    // MARK: Views shared by the pages and the API

    public func sources() async throws -> [SourceOverview] {
        SourceOverview.list(
            manifests: (try? scheduler.manifestList()) ?? [], states: try await store.sources(), running: Set(await scheduler.running),
            settings: scheduler.settings, now: clock())
    }

    /// A listing with its curated fields and its recent history.
    public struct ListingView: Encodable, Sendable {
        public var listing: Listing
        public var curated: [String: Curated]
        public var changes: [ChangeRecord]
        public struct Curated: Encodable, Sendable {
            public var value: JSONValue?
            public var author: String
            public var at: String
        }
    }

    public func listingView(_ id: String) async throws -> ListingView {
        let l = try await listing(id)
        let curated = try await store.curations(serviceID: id).mapValues {
            ListingView.Curated(value: try? JSONDecoder().decode(JSONValue.self, from: Data($0.value.utf8)), author: $0.author, at: $0.at)
        }
        return ListingView(listing: l, curated: curated, changes: try await store.changes(runID: nil, since: nil, until: nil, sourceID: nil, serviceID: id, limit: 50))
    }
}
