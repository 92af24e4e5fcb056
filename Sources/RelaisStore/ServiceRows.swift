import RelaisModel
import RelaisMerge
import RelaisNormalize

/// Everything a listing's rows hold that its content alone decides: the JSON
/// content and its hash, the identity keys, the denormalised columns, the HSDS
/// schedule rows and the full-text entry. Pure values, so the threads that
/// normalise a run prepare them (`DraftFeed.add`), and the write transaction
/// only binds and steps (it is single-threaded; this work was half of it). Shared by every
/// backend: one folding of the full-text columns, one set of HSDS schedule rows.
public struct ServiceRows: Sendable {
    public var json: String
    public var hash: String
    public var keys: [String]
    public var organizationID: String?
    public var openingHours: String?
    public var needs: String
    public var audiences: String
    public var modalities: String
    public var flags: String
    public var schedule: [ScheduleRow]
    /// The full-text columns, folded as queries are (case, accents, ligatures œ/æ,
    /// typographic apostrophes and dashes): one folding for the index and the query.
    public var ftsName: String
    public var ftsOrganization: String
    public var ftsPlace: String
    public var ftsBody: String

    /// One HSDS `schedule` row: a rule and one of its time spans.
    public struct ScheduleRow: Sendable {
        public var freq: String?
        public var interval: Int?
        public var byday: String?
        public var bymonth: String?
        public var dtstart: String?
        public var until: String?
        public var count: Int?
        public var opensAt: String?
        public var closesAt: String?
        public var validFrom: String?
        public var openingHours: String?
        public var closed: Bool
    }

    public init(_ c: ListingContent, fingerprint: ListingFingerprint) {
        json = fingerprint.json
        hash = fingerprint.hash
        keys = fingerprint.keys
        organizationID = c.organization.map(Text.organizationKey)
        openingHours = OpeningHours.published(c)
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
        ftsName = Text.fold(c.name)
        ftsOrganization = Text.fold(c.organization ?? "")
        ftsPlace = Text.fold([a?.commune, a?.postalCode, a?.departement, c.placeName].compactMap { $0 }.joined(separator: " "))
        ftsBody = Text.fold([c.description, c.alternateName, c.audienceNote, c.sponsor, c.manager, c.sessions.map(\.title).joined(separator: " ")]
            .compactMap { $0 }.joined(separator: " "))
    }
}
