import RelaisModel
import RelaisNormalize

/// Which sessions to list.
public struct SessionQuery: Sendable {
    public var kinds: [Kind]
    public var origin: GeoPoint?
    public var originLabel: String?
    public var radiusKm: Double
    public var from: LocalDateTime
    public var to: LocalDate
    /// The zone `from` is written in (the place asked about).
    public var zone: CivilZone = .paris
    public var audience: Audience?
    public var limit: Int
    /// Only resources that welcome people in this language (French assumed when none is named).
    public var language: String?
    /// Only resources whose place has this access feature.
    public var access: AccessFeature?

    public init(kinds: [Kind], origin: GeoPoint?, originLabel: String?, radiusKm: Double, from: LocalDateTime, to: LocalDate, audience: Audience?, limit: Int) {
        self.kinds = kinds
        self.origin = origin
        self.originLabel = originLabel
        self.radiusKm = radiusKm
        self.from = from
        self.to = to
        self.audience = audience
        self.limit = limit
    }

    /// Kinds that meet on dates: workshops, talk groups, events.
    public static let defaultKinds: [Kind] = [.atelier_prospect, .groupe_parole]
}

/// One upcoming session (a dated workshop, or the next meeting of a recurring group).
public struct UpcomingSession: Sendable {
    public var listingID: String
    public var listingName: String
    public var kind: Kind
    public var title: String
    public var occurrences: [Occurrence]
    public var recurring: Bool
    public var distanceKm: Double?
    public var session: Session?
    public var demo: Bool
    /// The listing's zone: the occurrences are its wall-clock times.
    public var zone: CivilZone = .paris

    public var start: LocalDateTime { occurrences.first?.start ?? LocalDateTime(date: LocalDate(year: 1970, month: 1, day: 1), minutes: 0) }
    /// The start as an instant, to order sessions of different zones.
    public var startEpoch: Int { zone.epoch(of: start) }
}

public enum UpcomingSessions {
    public static func find(_ q: SessionQuery, in index: ReferralIndex) -> [UpcomingSession] {
        var pool = index.remote
        if let o = q.origin { pool += index.near(o, radiusKm: q.radiusKm) } else { pool = Array(index.entries.indices.map(Int32.init)) }
        var out: [UpcomingSession] = []
        for i in pool {
            let e = index.entries[Int(i)]
            guard q.kinds.isEmpty || q.kinds.contains(e.kind), e.status == .active, !e.stale else { continue }
            if let a = q.audience, e.audiences & ReferralIndex.bit(a) == 0 { continue }
            if let language = q.language, !e.speaks(language) { continue }
            if let f = q.access, index.accessBits[Int(i)] & ReferralIndex.bit(f) == 0 { continue }
            var distance: Double?
            if let o = q.origin, let p = e.point {
                let d = o.distance(to: p)
                guard d <= q.radiusKm else { continue }
                distance = (d * 10).rounded() / 10
            }
            // "From" is read in the listing's own zone.
            let from = e.zone == q.zone ? q.from : e.zone.local(atEpoch: q.zone.epoch(of: q.from))
            for s in e.sessions {
                let upcoming = s.occurrences.filter { ($0.end ?? LocalDateTime(date: $0.start.date, minutes: 1439)) > from }
                guard let first = upcoming.first, first.start.date <= q.to else { continue }
                // A workshop of several days is listed whole, with its days to come.
                out.append(UpcomingSession(listingID: e.id, listingName: e.name, kind: e.kind, title: s.title, occurrences: upcoming,
                                           recurring: false, distanceKm: distance, session: s, demo: e.demo, zone: e.zone))
            }
            if let schedule = e.schedule {
                let days = max(0, q.to.dayNumber - from.date.dayNumber + 1)
                let occ = ScheduleEvaluator(schedule).occurrences(from: from.date, days: min(days, 400)).filter { $0.start >= from }
                for o in occ.prefix(3) {
                    out.append(UpcomingSession(listingID: e.id, listingName: e.name, kind: e.kind, title: e.name, occurrences: [o],
                                               recurring: true, distanceKm: distance, session: nil, demo: e.demo, zone: e.zone))
                }
            }
        }
        out.sort { a, b in
            if a.startEpoch != b.startEpoch { return a.startEpoch < b.startEpoch }
            if (a.distanceKm ?? 0) != (b.distanceKm ?? 0) { return (a.distanceKm ?? 0) < (b.distanceKm ?? 0) }
            return a.listingID < b.listingID
        }
        return Array(out.prefix(q.limit))
    }
}
