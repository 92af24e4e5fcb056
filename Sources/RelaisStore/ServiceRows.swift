import Foundation
import RelaisModel
import RelaisNormalize

/// Everything a listing's rows hold that its content alone decides: the JSON
/// content and its hash, the identity keys, the denormalised columns, the HSDS
/// schedule rows and the full-text entry. Pure values, so a large run prepares
/// them on every core before its write transaction, which then only binds
/// and steps (the transaction is single-threaded; this work was half of it).
struct ServiceRows: Sendable {
    var json: String
    var hash: String
    var keys: [String]
    var organizationID: String?
    var openingHours: String?
    var needs: String
    var audiences: String
    var modalities: String
    var flags: String
    var schedule: [ScheduleRow]
    var ftsPlace: String
    var ftsBody: String

    /// One HSDS `schedule` row: a rule and one of its time spans.
    struct ScheduleRow: Sendable {
        var freq: String?
        var interval: Int?
        var byday: String?
        var bymonth: String?
        var dtstart: String?
        var until: String?
        var count: Int?
        var opensAt: String?
        var closesAt: String?
        var validFrom: String?
        var openingHours: String?
        var closed: Bool
    }

    init(_ c: ListingContent, json: String? = nil) {
        let json = json ?? c.jsonString
        self.json = json
        hash = Text.hash(json)
        var unique = Set<String>()
        keys = ListingMerger.identityKeys(c).filter { unique.insert($0).inserted }
        organizationID = c.organization.map { "o" + String(Text.hash(Text.fold($0)).prefix(11)) }
        openingHours = OpeningHours.format(c.schedule)
        needs = JSONText.strings(c.needs)
        audiences = JSONText.strings(c.audiences.map(\.rawValue))
        modalities = JSONText.strings(c.modalities.map(\.rawValue))
        flags = JSONText.flags(c.flags)
        var rows: [ScheduleRow] = []
        for rule in c.schedule.rules {
            let spans = rule.times.isEmpty ? [TimeSpan?.none] : rule.times.map { Optional($0) }
            let ruleHours = OpeningHours.format(rule)
            for span in spans {
                rows.append(ScheduleRow(
                    freq: rule.days.isEmpty ? nil : (rule.isMonthly ? "MONTHLY" : "WEEKLY"), interval: rule.interval,
                    byday: rule.days.isEmpty ? nil : OpeningHours.icalByDay(rule.days),
                    bymonth: rule.months.isEmpty ? nil : rule.months.map(String.init).joined(separator: ","),
                    dtstart: rule.anchor?.description, until: rule.validUntil?.description, count: rule.count,
                    opensAt: span.map { TimeSpan.hhmm($0.open) }, closesAt: span?.close.map { TimeSpan.hhmm($0 % 1440) },
                    validFrom: rule.validFrom?.description, openingHours: ruleHours, closed: rule.off))
            }
        }
        schedule = rows
        let a = c.address
        ftsPlace = [a?.commune, a?.postalCode, a?.departement, c.placeName].compactMap { $0 }.joined(separator: " ")
        ftsBody = [c.description, c.alternateName, c.audienceNote, c.sponsor, c.manager, c.sessions.map(\.title).joined(separator: " ")]
            .compactMap { $0 }.joined(separator: " ")
    }

    /// Prepares the rows of many drafts, keeping their order: on every core when there are enough.
    static func prepare(_ drafts: [ListingDraft]) -> [ServiceRows] {
        let workers = drafts.count < 2000 ? 1 : max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        if workers == 1 { return drafts.map { ServiceRows($0.content) } }
        let chunk = (drafts.count + workers - 1) / workers
        let parts = Parts(workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let range = min(drafts.count, w * chunk)..<min(drafts.count, (w + 1) * chunk)
            parts.set(w, drafts[range].map { ServiceRows($0.content) })
        }
        return parts.joined()
    }

    /// The workers' results, each written once to its own slot.
    private final class Parts: @unchecked Sendable {
        private var slots: [[ServiceRows]]
        private let lock = NSLock()
        init(_ n: Int) { slots = Array(repeating: [], count: n) }
        func set(_ i: Int, _ rows: [ServiceRows]) { lock.withLock { slots[i] = rows } }
        func joined() -> [ServiceRows] { lock.withLock { slots.flatMap { $0 } } }
    }
}
