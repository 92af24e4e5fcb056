import Foundation
import RelaisApp
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisReferral

// The view models of the /admin pages. Each page is its own struct, shown inside
// ``AdminPage``, which adds what every admin page shows (who, the CSRF token, the menu's counts, a notice).

struct AdminCounts: ViewModel {
    var stale: Int
    var reports: Int
    var listings: Int
    /// « 54 fiches publiées · 1 signalement à traiter · 0 fiche obsolète ».
    var line: String

    init(stale: Int, reports: Int, listings: Int) {
        self.stale = stale
        self.reports = reports
        self.listings = listings
        line = [FrenchFormat.count(listings, "fiche publiée", "fiches publiées"), FrenchFormat.count(reports, "signalement") + " à traiter",
                FrenchFormat.count(stale, "fiche obsolète", "fiches obsolètes")].joined(separator: " · ")
    }
}

struct AdminBase: ViewModel {
    var page: PageMeta
    var user: String?
    var csrf: String?
    var counts: AdminCounts?
    var notice: String?
}

/// A page's own model inside the admin layout: its names first, then the layout's.
struct AdminPage<Content: ViewModel>: ViewModel {
    let base: AdminBase
    let content: Content

    func child(named name: String) -> Any? {
        content.child(named: name) ?? base.child(named: name)
    }
}

struct LoginPage: ViewModel {
    var login_csrf: String
    var next: String
    var message: String?
    var name: String
}

struct RunLink: ViewModel {
    var id: Int64
    var summary: String
}

struct SourceRow: ViewModel {
    var id: String
    var title: String
    var format: String
    var schedule: String
    var status: String
    var status_label: String
    var consecutive_failures_text: String?
    var last_success: String
    var last_failure: String
    var last_error: String?
    var next_run: String
    var last_run: RunLink?
    var can_run: Bool

    init(_ s: SourceOverview) {
        id = s.id
        title = s.title
        format = s.format
        schedule = s.schedule ?? "—"
        status = s.status
        status_label = s.statusLabel
        consecutive_failures_text = s.consecutiveFailures > 1 ? "\(s.consecutiveFailures) échecs de suite" : nil
        last_success = AdminFormat.stamp(s.lastSuccessAt)
        last_failure = s.lastFailureAt.map { AdminFormat.stamp($0) } ?? "—"
        last_error = s.lastError
        next_run = s.running ? "en cours" : (s.nextRunAt.map { AdminFormat.stamp($0) } ?? "—")
        last_run = s.lastRun.map { RunLink(id: $0.id, summary: AdminFormat.summary($0)) }
        can_run = s.manifestPresent && !s.running
    }
}

struct InvalidManifestRow: ViewModel {
    var file: String
    var key: String?
    var message: String
}

struct SourcesPage: ViewModel {
    var sources: [SourceRow]
    var invalid_manifests: [InvalidManifestRow]
}

struct SourceFacts: ViewModel {
    var id: String
    var title: String
    var url: String
    var format: String
    var schedule: String
    var status_label: String
    var listings: Int
}

struct HeldRun: ViewModel {
    var run_id: Int64
    var message: String
}

struct RunRow: ViewModel {
    var id: Int64
    var started: String
    var trigger: String
    var summary: String
    var message: String
}

struct SourcePage: ViewModel {
    var source: SourceFacts
    var held: HeldRun?
    var next_run: String
    var runs: [RunRow]
}

struct ChangeRow: ViewModel {
    var at: String
    var service_id: String
    var service_name: String
    var action_label: String
    var field: String
    var before: String
    var after: String
    var by: String

    static let labels = [
        "added": "ajoutée", "updated": "modifiée", "stale": "devenue obsolète", "removed": "retirée", "hidden": "masquée", "shown": "affichée",
        "verified": "vérifiée", "kept": "gardée", "curated": "modifiée par un admin", "restored": "de nouveau publiée",
    ]

    init(_ c: ChangeRecord) {
        at = AdminFormat.stamp(c.at)
        service_id = c.serviceID
        service_name = c.serviceName ?? c.serviceID
        action_label = Self.labels[c.action] ?? c.action
        field = c.field ?? ""
        before = AdminFormat.short(c.before)
        after = AdminFormat.short(c.after)
        by = c.actor ?? c.sourceID.map { "source \($0)" } ?? ""
    }
}

struct RunFacts: ViewModel {
    var id: Int64
    var source_id: String
    var trigger: String
    var http_status: String
    var message: String?
}

struct IssueRow: ViewModel {
    var item: String
    var field: String
    var reason: String
    var severity_label: String
}

struct RunPage: ViewModel {
    var run: RunFacts
    var started: String
    var ended: String
    var summary: String
    var issue_count: Int
    var issues: [IssueRow]
    var changes: [ChangeRow]
}

struct SourceOption: ViewModel {
    var id: String
    var selected: Bool
}

struct ChangesPage: ViewModel {
    var since: String
    var until: String
    var source_options: [SourceOption]
    var total: Int
    var added: Int
    var updated: Int
    var stale: Int
    var changes: [ChangeRow]
    /// « 3 changements : 1 ajout, 2 modifications, 0 passage en obsolète ».
    var line: String

    init(since: String, until: String, source_options: [SourceOption], total: Int, added: Int, updated: Int, stale: Int, changes: [ChangeRow]) {
        (self.since, self.until, self.source_options, self.total, self.added, self.updated, self.stale, self.changes) =
            (since, until, source_options, total, added, updated, stale, changes)
        line = FrenchFormat.count(total, "changement") + " : " + [FrenchFormat.count(added, "ajout"), FrenchFormat.count(updated, "modification"),
                                                                 FrenchFormat.count(stale, "passage") + " en obsolète"].joined(separator: ", ")
    }
}

struct StaleRow: ViewModel {
    var id: String
    var name: String
    var kind: String
    var place: String
    var since: String
    var kept: Bool
    var sources: String
}

struct StalePage: ViewModel {
    var items: [StaleRow]
}

struct ListingsPage: ViewModel {
    var q: String?
    var searched = false
    var total = 0
    var total_label = ""
    var results: [ListingSummary] = []
}

struct CuratedMark: ViewModel {
    var author: String
    var at: String
}

struct FieldRow: ViewModel {
    var field: String
    var label: String
    var value: String
    var long: Bool
    var curated: CuratedMark?
    var origin: String?
    var hint: String?
}

struct CuratedRow: ViewModel {
    var field: String
    var label: String
    var author: String
    var at: String
}

struct ListingEditPage: ViewModel {
    var id: String
    var name: String
    var sources: String
    /// « mise à jour depuis la source le 2026-12-06 · vérifiée par l’équipe le 2026-12-06 » (an import is not a check).
    var freshness: String
    var hidden: Bool
    var stale: Bool
    var demo: Bool
    var fields: [FieldRow]
    var curated_fields: [CuratedRow]
    var changes: [ChangeRow]
}

struct ReportRow: ViewModel {
    var id: Int64
    var service_id: String
    var listing_name: String
    var created: String
    var message: String
    var field: String?
    var field_label: String
    var suggested: String?
    var contact: String?
    var open: Bool
    var applies: Bool
    var status_label: String
    var resolved_by: String
    var resolved_at: String
}

struct ReportsPage: ViewModel {
    var reports: [ReportRow]
}

struct AuditRow: ViewModel {
    var at: String
    var actor: String
    var action: String
    var target: String
    var detail: String
}

struct AuditPage: ViewModel {
    var entries: [AuditRow]
}

enum AdminFormat {
    /// "2026-11-23T13:05:00Z" → "23/11/2026 14:05" (Paris time).
    static func stamp(_ iso: String?) -> String {
        guard let iso, let d = Timestamp.date(iso) else { return iso.map { String($0.prefix(10)) } ?? "—" }
        let local = ParisTime.local(atEpoch: Int(d.timeIntervalSince1970))
        return String(format: "%02d/%02d/%04d %02d:%02d", local.date.day, local.date.month, local.date.year, local.minutes / 60, local.minutes % 60)
    }

    static func summary(_ r: RunRecord) -> String {
        let status = [
            "running": "en cours", "success": "réussi", "unchanged": "inchangé (304)", "empty": "vide", "failed": "échec", "refused": "refusé",
            "interrupted": "interrompu", "held": "en attente de validation",
        ][r.status.rawValue] ?? r.status.rawValue
        if [.failed, .interrupted, .running, .unchanged, .held].contains(r.status) { return status }
        func n(_ k: Int, _ word: String) -> String { FrenchFormat.count(k, word) }
        return "\(status) : +" + [n(r.added, "ajoutée"), n(r.updated, "modifiée"), n(r.unchanged, "inchangée"), n(r.stale, "obsolète"), n(r.removed, "retirée"),
                                   n(r.rejected, "rejet")].joined(separator: ", ")
    }

    static func short(_ s: String?) -> String {
        guard let s else { return "" }
        return s.count > 300 ? String(s.prefix(300)) + "…" : s
    }
}
