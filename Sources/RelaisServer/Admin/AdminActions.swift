import Foundation
import HTTPTypes
import Hummingbird
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisStore

/// What an admin can do, shared by the pages and the API. Every action is
/// written to the audit log with who did it; listing edits also go to the
/// change log with before/after values.
struct AdminActions: Sendable {
    let state: ServerState

    /// An admin action that could not be done, with its HTTP status and a French message.
    struct Refusal: Error, CustomStringConvertible {
        let status: HTTPResponse.Status
        let description: String
        init(_ status: HTTPResponse.Status = .badRequest, _ d: String) {
            self.status = status
            self.description = d
        }
    }

    func audit(_ actor: AdminIdentity, _ action: String, _ target: String?, _ detail: String? = nil) throws {
        try state.store.audit(actor: actor.user.name, action: action, target: target, detail: detail, at: state.clock())
    }

    func listing(_ id: String) throws -> Listing {
        guard let l = try state.store.listing(id: id) else { throw Refusal(.notFound, "fiche « \(id) » introuvable") }
        return l
    }

    /// Starts a run of a source now; false if it is already running (here or in another process).
    func runNow(_ sourceID: String, by actor: AdminIdentity) async throws -> Bool {
        let started: Bool
        do { started = try await state.scheduler.runNow(sourceID, trigger: "admin:\(actor.user.name)") } catch let e as SchedulerError {
            throw Refusal(.notFound, e.description)
        }
        try audit(actor, "source.run", sourceID, started ? "lancé" : "déjà en cours")
        return started
    }

    /// Accepts the shrink of a source's held run: the next run applies it, started now.
    func acceptShrink(_ sourceID: String, by actor: AdminIdentity) async throws -> Bool {
        guard let s = try state.store.source(id: sourceID) else { throw Refusal(.notFound, "source « \(sourceID) » introuvable") }
        guard s.heldRunID != nil else { throw Refusal(.conflict, "aucune exécution de « \(sourceID) » n’attend de validation") }
        try state.store.acceptShrink(sourceID: sourceID, at: state.clock())
        try audit(actor, "source.accept-shrink", sourceID, s.heldRunID.map { "run n° \($0)" })
        return (try? await state.scheduler.runNow(sourceID, trigger: "admin:\(actor.user.name)")) ?? false
    }

    /// Rejects a held run: the listings stay as they are; a later run that shrinks as much is held again.
    func rejectShrink(_ sourceID: String, by actor: AdminIdentity) throws {
        guard let s = try state.store.source(id: sourceID) else { throw Refusal(.notFound, "source « \(sourceID) » introuvable") }
        guard s.heldRunID != nil else { throw Refusal(.conflict, "aucune exécution de « \(sourceID) » n’attend de validation") }
        try state.store.rejectShrink(sourceID: sourceID)
        try audit(actor, "source.reject-shrink", sourceID, s.heldRunID.map { "run n° \($0)" })
    }

    /// Manifest files that cannot be used, each with its reason.
    func manifestProblems() -> [ManifestError] { state.scheduler.manifestProblems() }

    /// Edits fields of a listing from text as typed in a form (normalised like an import).
    func edit(_ id: String, texts: [String: String], by actor: AdminIdentity) throws -> [String] {
        let l = try listing(id)
        var values: [String: JSONValue] = [:]
        for (field, text) in texts.sorted(by: { $0.key < $1.key }) {
            do { values.merge(try state.editor.values(field: field, text: text, current: l.content)) { _, new in new } } catch let e as ListingEditor.EditError {
                throw Refusal(.badRequest, "\(ListingEditor.labels.first { $0.field == field }?.label ?? field) : \(e.description)")
            }
        }
        return try apply(id, values.mapValues { Optional($0) }, by: actor)
    }

    /// Sets curated values (nil: back to the sources' value) — the API's JSON edits.
    @discardableResult
    func apply(_ id: String, _ values: [String: JSONValue?], by actor: AdminIdentity) throws -> [String] {
        _ = try listing(id)
        let now = state.clock()
        for (field, value) in values.sorted(by: { $0.key < $1.key }) {
            do { try state.store.curate(serviceID: id, field: field, value: value, author: actor.user.name, at: now) } catch let e as SQLiteStore.CurationError {
                throw Refusal(.badRequest, e.description)
            }
        }
        try audit(actor, "listing.edit", id, values.keys.sorted().joined(separator: ", "))
        return values.keys.sorted()
    }

    func setHidden(_ id: String, _ hidden: Bool, by actor: AdminIdentity) throws {
        _ = try listing(id)
        try state.store.setHidden(serviceID: id, hidden: hidden, author: actor.user.name, at: state.clock())
        try audit(actor, hidden ? "listing.hide" : "listing.show", id)
    }

    func verify(_ id: String, by actor: AdminIdentity) throws {
        _ = try listing(id)
        try state.store.markVerified(serviceID: id, author: actor.user.name, at: state.clock())
        try audit(actor, "listing.verify", id)
    }

    /// Keeps a stale listing listed.
    func keep(_ id: String, by actor: AdminIdentity) throws {
        guard try listing(id).stale else { throw Refusal(.conflict, "la fiche « \(id) » n’est pas obsolète") }
        try state.store.keep(serviceID: id, author: actor.user.name, at: state.clock())
        try audit(actor, "stale.keep", id)
    }

    /// Removes a stale listing for good. Only stale listings: one that a source
    /// still lists would come back at the next import — hide it instead.
    func remove(_ id: String, by actor: AdminIdentity) throws {
        let l = try listing(id)
        guard l.stale else {
            throw Refusal(.conflict, "la fiche « \(id) » est encore publiée par ses sources : elle reviendrait au prochain import ; masquez-la plutôt")
        }
        try state.store.remove(serviceID: id, author: actor.user.name, at: state.clock())
        try audit(actor, "stale.remove", id, l.content.name)
    }

    /// Accepts a report: its suggested value (if any) becomes a curated edit.
    func acceptReport(_ reportID: Int64, by actor: AdminIdentity) throws -> [String] {
        guard let r = try state.store.report(id: reportID) else { throw Refusal(.notFound, "signalement \(reportID) introuvable") }
        guard r.status == "open" else { throw Refusal(.conflict, "signalement \(reportID) déjà traité") }
        var fields: [String] = []
        if let field = r.field, let value = r.suggestedValue, !value.isEmpty {
            fields = try edit(r.serviceID, texts: [field: value], by: actor)
        }
        try state.store.resolveReport(id: reportID, status: "accepted", by: actor.user.name, at: state.clock())
        try audit(actor, "report.accept", "\(reportID)", fields.isEmpty ? nil : fields.joined(separator: ", "))
        return fields
    }

    func dismissReport(_ reportID: Int64, by actor: AdminIdentity) throws {
        guard let r = try state.store.report(id: reportID) else { throw Refusal(.notFound, "signalement \(reportID) introuvable") }
        guard r.status == "open" else { throw Refusal(.conflict, "signalement \(reportID) déjà traité") }
        try state.store.resolveReport(id: reportID, status: "dismissed", by: actor.user.name, at: state.clock())
        try audit(actor, "report.dismiss", "\(reportID)")
    }

    // MARK: Views shared by the pages and the API

    func sources() async throws -> [SourceOverview] {
        SourceOverview.list(
            manifests: (try? state.scheduler.manifestList()) ?? [], states: try state.store.sources(), running: Set(await state.scheduler.running),
            settings: state.scheduler.settings, now: state.clock())
    }

    struct ListingView: Encodable {
        var listing: Listing
        var curated: [String: Curated]
        var changes: [ChangeRecord]
        struct Curated: Encodable {
            var value: JSONValue?
            var author: String
            var at: String
        }
    }

    func listingView(_ id: String) throws -> ListingView {
        let l = try listing(id)
        let curated = try state.store.curations(serviceID: id).mapValues {
            ListingView.Curated(value: try? JSONDecoder().decode(JSONValue.self, from: Data($0.value.utf8)), author: $0.author, at: $0.at)
        }
        return ListingView(listing: l, curated: curated, changes: try state.store.changes(runID: nil, since: nil, serviceID: id, limit: 50))
    }
}
