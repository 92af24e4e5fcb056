import Foundation
import RelaisModel
import RelaisSources

/// A source as admins see it: its manifest (schedule, enabled) joined with
/// its state in the store (last runs, failures, lease) and the scheduler's
/// next run. Used by `relais sources` and the admin pages and API.
public struct SourceOverview: Encodable, Sendable {
    public var id: String
    public var title: String
    public var format: String
    public var url: String
    public var schedule: String?
    public var enabled: Bool
    public var manifestPresent: Bool
    /// running, orphan (no manifest), disabled, failing, never, held, suspicious, ok
    public var status: String
    public var statusLabel: String
    public var running: Bool
    public var leaseOwner: String?
    public var lastSuccessAt: String?
    public var lastFailureAt: String?
    public var lastError: String?
    public var consecutiveFailures: Int
    public var nextRunAt: String?
    public var listings: Int
    public var lastRun: RunRecord?
    /// A run held by the shrink guard, waiting for an admin to accept or reject it.
    public var heldRunID: Int64?

    /// Every manifest, then the sources the store knows without a manifest (the curated national lines excepted).
    public static func list(manifests: [Manifest], states: [SourceState], running: Set<String> = [], settings: SchedulerSettings = .init(),
                            now: Date) -> [SourceOverview] {
        var byID = Dictionary(states.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out = manifests.map { m in make(byID.removeValue(forKey: m.id), manifest: m, running: running, settings: settings, now: now) }
        for s in byID.values.sorted(by: { $0.id < $1.id }) where s.id != Importer.nationalSourceID {
            out.append(make(s, manifest: nil, running: running, settings: settings, now: now))
        }
        return out
    }

    static func make(_ s: SourceState?, manifest m: Manifest?, running: Set<String>, settings: SchedulerSettings, now: Date) -> SourceOverview {
        let id = m?.id ?? s?.id ?? "?"
        let leased = s?.leaseOwner != nil && (Timestamp.date(s?.leaseExpiresAt) ?? .distantPast) > now
        let isRunning = running.contains(id) || leased
        var next: String?
        if let m, m.enabled {
            next = Timestamp.string(max(RefreshScheduler.dueDate(m, state: s, settings: settings, now: now), now))
        }
        let (status, label): (String, String) = {
            if isRunning { return ("running", "en cours") }
            if m == nil { return ("orphan", "manifeste absent") }
            if m?.enabled == false { return ("disabled", "désactivée") }
            if (s?.consecutiveFailures ?? 0) > 0 { return ("failing", "en échec") }
            if s?.lastRun == nil { return ("never", "jamais lancée") }
            if s?.heldRunID != nil { return ("held", "en attente de validation : trop de fiches disparaîtraient") }
            // An empty payload or a page without records is not a healthy source.
            if let empty = s?.consecutiveEmpty, empty > 0, m?.format != .laposte {
                return ("suspicious", empty == 1 ? "suspecte : aucune fiche lue à la dernière exécution" : "suspecte : aucune fiche lue depuis \(empty) exécutions")
            }
            return ("ok", "à jour")
        }()
        return SourceOverview(
            id: id, title: m?.title ?? s?.title ?? id, format: m?.format.rawValue ?? s?.format ?? "", url: m?.url ?? s?.url ?? "",
            schedule: m?.schedule.description, enabled: m?.enabled ?? false, manifestPresent: m != nil, status: status, statusLabel: label,
            running: isRunning, leaseOwner: leased ? s?.leaseOwner : nil, lastSuccessAt: s?.lastSuccessAt, lastFailureAt: s?.lastFailureAt,
            lastError: s?.lastError, consecutiveFailures: s?.consecutiveFailures ?? 0, nextRunAt: next, listings: s?.listings ?? 0, lastRun: s?.lastRun,
            heldRunID: s?.heldRunID)
    }
}
