import RelaisModel
import RelaisNormalize

/// What the engine needs of one listing, compact: the directory can hold a
/// hundred thousand of them in memory.
/// A class: the engine reads a few of its fields for each candidate, and copying a struct of
/// strings, arrays and a schedule retained each of them (a tenth of a referral's time).
public final class IndexEntry: Sendable {
    public let id: String
    public let name: String
    public let kind: Kind
    /// Bits of the taxonomy's needs this listing serves (declared or by kind).
    let needsMask: UInt32
    /// Bits of the needs it declares itself.
    let declaredMask: UInt32
    let audiences: UInt8
    let modalities: UInt8
    let latitude: Float
    let longitude: Float
    /// No place to go to: a phone line or an online resource.
    public let remote: Bool
    public let status: ServiceStatus
    public let stale: Bool
    public let demo: Bool
    /// `lastVerified` as a day number (days since 1970), or nil.
    let verifiedDay: Int32?
    /// An admin checked it by hand (``Listing/verifiedByTeam``): then `verifiedDay` is that check's day or later.
    let teamVerifiedDay: Int32?
    let schedule: Schedule?
    /// Its schedule's number among the index's distinct schedules (−1: none): listings with
    /// the same schedule in the same zone open at the same time, computed once per question.
    let scheduleID: Int32
    let sessions: [Session]
    let byAppointment: Bool
    /// The zone its schedule and sessions are written in.
    public let zone: CivilZone
    /// Where it is, as precisely as known (a commune's or a département's centre is not an address).
    public let precision: GeoPrecision?
    /// Languages it names (ISO 639); empty: not said, French assumed.
    public let languages: [String]

    init(
        id: String, name: String, kind: Kind, needsMask: UInt32, declaredMask: UInt32, audiences: UInt8, modalities: UInt8,
        latitude: Float, longitude: Float, remote: Bool, status: ServiceStatus, stale: Bool, demo: Bool, verifiedDay: Int32?,
        teamVerifiedDay: Int32?, schedule: Schedule?, scheduleID: Int32 = -1, sessions: [Session], byAppointment: Bool, zone: CivilZone = .paris,
        precision: GeoPrecision? = nil, languages: [String] = []
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.needsMask = needsMask
        self.declaredMask = declaredMask
        self.audiences = audiences
        self.modalities = modalities
        self.latitude = latitude
        self.longitude = longitude
        self.remote = remote
        self.status = status
        self.stale = stale
        self.demo = demo
        self.verifiedDay = verifiedDay
        self.teamVerifiedDay = teamVerifiedDay
        self.schedule = schedule
        self.scheduleID = scheduleID
        self.sessions = sessions
        self.byAppointment = byAppointment
        self.zone = zone
        self.precision = precision
        self.languages = languages
    }

    /// Whether it welcomes people in `language` (a resource that names none: French only).
    public func speaks(_ language: String) -> Bool {
        languages.isEmpty ? language == "fr" : languages.contains(language)
    }

    public var point: GeoPoint? { remote ? nil : GeoPoint(latitude: Double(latitude), longitude: Double(longitude)) }

    /// Whether anything lies ahead: a recurring schedule that has not ended, or a session to come.
    func hasFuture(after now: LocalDateTime) -> Bool {
        if let s = schedule, s.rules.contains(where: { !$0.off && ($0.validUntil.map { $0 >= now.date } ?? true) && ($0.dates.isEmpty || $0.dates.contains { $0 >= now.date }) }) {
            return true
        }
        return sessions.contains { $0.occurrences.contains { ($0.end ?? $0.start) > now } }
    }
}

/// The directory in memory, by need and by place, built from the store and
/// rebuilt when it changes. Pure: the server hands it the listings.
public final class ReferralIndex: Sendable {
    public let taxonomy: Taxonomy
    public let entries: [IndexEntry]
    // Hot fields, one array each, read without touching the entries' strings and arrays.
    let needsMasks: [UInt32]
    let declaredMasks: [UInt32]
    let audienceBits: [UInt8]
    let modalityBits: [UInt8]
    let accessBits: [UInt8]
    let latitudes: [Float]
    let longitudes: [Float]
    let remotes: [Bool]
    let kindIndices: [UInt8]
    /// Score penalty: temporarily closed −30, stale −100.
    let penalties: [Float]
    let verifiedDays: [Int32]
    /// Each entry's place in the order of ids: ties between equal scores are broken by id,
    /// compared as one integer instead of two strings.
    let idRanks: [Int32]
    /// Every entry's number (the nearest places beyond 1,000 km are searched in all).
    let all: [Int32]
    let needIndex: [String: Int]
    /// Cells of 0.05° × 0.05° (5.6 km × 3.5–4 km in mainland France) → entry indices: at
    /// 1,000,000 listings, 0.1° cells measured 1.2–1.3× slower (more places read past the bound).
    let grid: [Int64: [Int32]]
    /// Entries reached from anywhere.
    let remote: [Int32]
    /// Remote entries serving each need, by audience (0: the person, 1: a relative), best first for
    /// a question of that one need, with the best base score each can reach (its score before the
    /// « not updated for a year » penalty). The engine stops where no more can enter its answer.
    let remoteByNeed: [[RankedRemote]]
    /// Places that can be suggested beyond a radius (active, not stale), in cells of 1° × 1°
    /// with their bounds: the nearest are searched cell by cell, nearest cell first.
    let beyondCells: [BeyondCell]
    /// Each distinct schedule's next opening, kept across questions while it holds.
    let openings = OpeningCache()

    struct BeyondCell {
        var minLatitude: Float, maxLatitude: Float, minLongitude: Float, maxLongitude: Float
        var entries: [Int32]
    }

    struct RankedRemote {
        var entries: [Int32] = []
        var bestBase: [Double] = []
    }
    static let cell = 0.05

    /// What the index is built from (see ``IndexListing``).
    public typealias Input = IndexListing

    public convenience init(taxonomy: Taxonomy, listings: [Input]) {
        var builder = Builder(taxonomy: taxonomy)
        for l in listings { builder.add(l) }
        self.init(builder)
    }

    /// Builds an index one listing at a time: the store streams listings in, and none is
    /// kept once its entry is made (a national directory never sits whole in memory twice).
    public struct Builder {
        let taxonomy: Taxonomy
        let needIndex: [String: Int]
        var entries: [IndexEntry] = []
        var grid: [Int64: [Int32]] = [:]
        var remote: [Int32] = []
        var accessBits: [UInt8] = []
        // Many listings share a schedule ("Mo-Fr 14:00-18:00") or a set of languages: one copy of each.
        var schedules: [Schedule: (schedule: Schedule, id: Int32)] = [:]
        var languageSets: [[String]: [String]] = [:]
        /// Each entry's place in the order of ids, when already known (a snapshot keeps them).
        var ranks: [Int32]?
        /// The entries' hot columns, when already made (a snapshot's blocks make them, one per core).
        var columns: Columns?

        public init(taxonomy: Taxonomy, capacity: Int = 0) {
            self.taxonomy = taxonomy
            needIndex = Dictionary(taxonomy.needs.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
            entries.reserveCapacity(capacity)
        }

        public mutating func add(_ l: IndexListing) {
            guard l.content.status.isListed else { return }
            let c = l.content
            var mask: UInt32 = 0, declared: UInt32 = 0
            for n in taxonomy.needs(of: c) { if let i = needIndex[n] { mask |= 1 << UInt32(i) } }
            for n in c.needs { if let i = needIndex[n] { declared |= 1 << UInt32(i) } }
            var aud: UInt8 = 0
            for a in c.audiences { aud |= ReferralIndex.bit(a) }
            var mod: UInt8 = 0
            for m in c.modalities { mod |= ReferralIndex.bit(m) }
            var access: UInt8 = 0
            for f in c.accessibility?.features ?? [] { access |= ReferralIndex.bit(f) }
            accessBits.append(access)
            let isRemote = c.kind.isRemote || c.point == nil
            var schedule: Schedule?
            var scheduleID: Int32 = -1
            if !c.schedule.isEmpty {
                if let shared = schedules[c.schedule] {
                    (schedule, scheduleID) = (shared.schedule, shared.id)
                } else {
                    scheduleID = Int32(schedules.count)
                    schedules[c.schedule] = (c.schedule, scheduleID)
                    schedule = c.schedule
                }
            }
            var languages: [String] = []
            if !c.languages.isEmpty {
                if let shared = languageSets[c.languages] { languages = shared } else { languageSets[c.languages] = c.languages; languages = c.languages }
            }
            let entry = IndexEntry(
                id: l.id, name: c.name, kind: c.kind, needsMask: mask, declaredMask: declared, audiences: aud, modalities: mod,
                latitude: Float(c.point?.latitude ?? 0), longitude: Float(c.point?.longitude ?? 0), remote: isRemote, status: c.status,
                stale: l.stale, demo: l.demo, verifiedDay: l.lastVerified.flatMap { LocalDate(iso: $0.prefix(10)) }.map { Int32($0.dayNumber) },
                teamVerifiedDay: l.verifiedByTeam.flatMap { LocalDate(iso: $0.prefix(10)) }.map { Int32($0.dayNumber) },
                schedule: schedule, scheduleID: scheduleID, sessions: c.sessions.filter { !$0.cancelled },
                byAppointment: c.flags.contains { $0.code == "by_appointment" }, zone: c.zone, precision: c.pointPrecision, languages: languages)
            ReferralIndex.place(entry, Int32(entries.count), grid: &grid, remote: &remote)
            entries.append(entry)
        }

        /// A block of entries made before (read back from a snapshot, in the order of the
        /// file), with their access features, grid cells and remote entries already numbered
        /// from `entries.count` on: the cells' lists stay in the order of the entries.
        mutating func append(block entries: [IndexEntry], access: [UInt8], grid cells: [Int64: [Int32]], remote more: [Int32]) {
            self.entries += entries
            accessBits += access
            remote += more
            for (key, ids) in cells { grid[key, default: []] += ids }
        }

        public func build() -> ReferralIndex { ReferralIndex(self) }
    }

    /// The hot columns of a run of entries, and the cells of those that can be suggested beyond
    /// a radius: made in one pass, for the whole index or for one block of a snapshot (then
    /// joined in the order of the blocks: the same arrays, the same cells, as one pass).
    struct Columns {
        var needsMasks = [UInt32](), declaredMasks = [UInt32](), audienceBits = [UInt8](), modalityBits = [UInt8]()
        var latitudes = [Float](), longitudes = [Float](), remotes = [Bool](), kindIndices = [UInt8](), penalties = [Float](), verifiedDays = [Int32]()
        /// Cells of 1° × 1°: their numbers by key, and the cells (each one's entries in increasing order).
        var cellNumbers: [Int64: Int] = [:]
        var cells: [BeyondCell] = []

        /// The cells in the order of their keys.
        var cellsByKey: [BeyondCell] { cellNumbers.sorted { $0.key < $1.key }.map { cells[$0.value] } }

        static let kindNumbers = Dictionary(uniqueKeysWithValues: Kind.allCases.enumerated().map { ($1, UInt8($0)) })

        init(capacity n: Int) {
            needsMasks.reserveCapacity(n); declaredMasks.reserveCapacity(n); audienceBits.reserveCapacity(n); modalityBits.reserveCapacity(n)
            latitudes.reserveCapacity(n); longitudes.reserveCapacity(n); remotes.reserveCapacity(n); kindIndices.reserveCapacity(n)
            penalties.reserveCapacity(n); verifiedDays.reserveCapacity(n)
        }

        /// `entries`, numbered from `base`.
        init(_ entries: ArraySlice<IndexEntry>, base: Int) {
            self.init(capacity: entries.count)
            var i = base
            for e in entries {
                add(e, index: Int32(truncatingIfNeeded: i))
                i += 1
            }
        }

        mutating func add(_ e: IndexEntry, index: Int32) {
            needsMasks.append(e.needsMask)
            declaredMasks.append(e.declaredMask)
            audienceBits.append(e.audiences)
            modalityBits.append(e.modalities)
            latitudes.append(e.latitude)
            longitudes.append(e.longitude)
            remotes.append(e.remote)
            kindIndices.append(Self.kindNumbers[e.kind] ?? 0)
            let penalty = Float((e.status == .temporarily_closed ? -30 : 0) + (e.stale ? -100 : 0))
            penalties.append(penalty)
            verifiedDays.append(e.verifiedDay ?? Int32.max)
            guard !e.remote, penalty == 0 else { return }
            let lat = e.latitude, lon = e.longitude
            let key = ReferralIndex.whole(Double(lat).rounded(.down)) << 32 | (ReferralIndex.whole(Double(lon).rounded(.down)) & 0xFFFF_FFFF)
            if let c = cellNumbers[key] {
                cells[c].entries.append(index)
                cells[c].minLatitude = min(cells[c].minLatitude, lat)
                cells[c].maxLatitude = max(cells[c].maxLatitude, lat)
                cells[c].minLongitude = min(cells[c].minLongitude, lon)
                cells[c].maxLongitude = max(cells[c].maxLongitude, lon)
            } else {
                cellNumbers[key] = cells.count
                cells.append(BeyondCell(minLatitude: lat, maxLatitude: lat, minLongitude: lon, maxLongitude: lon, entries: [index]))
            }
        }

        /// The columns of the entries that follow these.
        mutating func append(_ o: Columns) {
            needsMasks += o.needsMasks; declaredMasks += o.declaredMasks; audienceBits += o.audienceBits; modalityBits += o.modalityBits
            latitudes += o.latitudes; longitudes += o.longitudes; remotes += o.remotes; kindIndices += o.kindIndices
            penalties += o.penalties; verifiedDays += o.verifiedDays
            for (key, k) in o.cellNumbers {
                let theirs = o.cells[k]
                guard let mine = cellNumbers[key] else {
                    cellNumbers[key] = cells.count
                    cells.append(theirs)
                    continue
                }
                cells[mine].entries += theirs.entries
                cells[mine].minLatitude = min(cells[mine].minLatitude, theirs.minLatitude)
                cells[mine].maxLatitude = max(cells[mine].maxLatitude, theirs.maxLatitude)
                cells[mine].minLongitude = min(cells[mine].minLongitude, theirs.minLongitude)
                cells[mine].maxLongitude = max(cells[mine].maxLongitude, theirs.maxLongitude)
            }
        }
    }

    init(_ b: Builder) {
        taxonomy = b.taxonomy
        let entries = b.entries
        self.entries = entries
        grid = b.grid
        remote = b.remote
        needIndex = b.needIndex
        accessBits = b.accessBits
        // The hot columns in one pass over the entries (one array each; a million entries: each
        // pass of its own cost a retain and a release per entry), unless a snapshot's blocks made them.
        let n = entries.count
        let c = b.columns.flatMap { $0.needsMasks.count == n ? $0 : nil } ?? Columns(entries[...], base: 0)
        needsMasks = c.needsMasks
        declaredMasks = c.declaredMasks
        audienceBits = c.audienceBits
        modalityBits = c.modalityBits
        latitudes = c.latitudes
        longitudes = c.longitudes
        remotes = c.remotes
        kindIndices = c.kindIndices
        penalties = c.penalties
        verifiedDays = c.verifiedDays
        let needsMasks = c.needsMasks, declaredMasks = c.declaredMasks, audienceBits = c.audienceBits, penalties = c.penalties
        var ranks = [Int32](repeating: 0, count: n)
        if let known = b.ranks, known.count == n {
            ranks = known
        } else {
            for (rank, i) in entries.indices.sorted(by: { entries[$0].id < entries[$1].id }).enumerated() { ranks[i] = Int32(rank) }
        }
        idRanks = ranks
        all = (0..<n).map(Int32.init)
        beyondCells = c.cellsByKey
        // The remote entries in the order of ids (ranks are a permutation of the entries).
        var remoteByRank = [Int32](repeating: -1, count: n)
        for i in b.remote where ranks[Int(i)] >= 0 && Int(ranks[Int(i)]) < n { remoteByRank[Int(ranks[Int(i)])] = i }
        let remoteInIDOrder = remoteByRank.filter { $0 >= 0 }
        // The engine's base score for a one-need question, as it computes it (same expression).
        // It takes a handful of values: the entries are put in buckets by score, each kept in the
        // order of ids — the order of a sort by score then id, without sorting (a million
        // listings hold tens of thousands of remote ones, for each need and audience).
        remoteByNeed = b.taxonomy.needs.indices.map { need in
            let bit = UInt32(1) << UInt32(need)
            return [ReferralIndex.bit(.personne), ReferralIndex.bit(.proche)].map { audienceBit in
                func best(_ i: Int32) -> Double {
                    let i = Int(i)
                    var needFit = 1.0
                    if declaredMasks[i] & bit != 0 { needFit += 0.05 }
                    let audienceFit = audienceBits[i] & audienceBit != 0 ? 1.0 : 0.3
                    return 50 * needFit + 20 * audienceFit + 20 * 0.5 + Double(penalties[i])
                }
                var buckets: [Double: [Int32]] = [:]
                for i in remoteInIDOrder where needsMasks[Int(i)] & bit != 0 { buckets[best(i), default: []].append(i) }
                var ranked = RankedRemote()
                for score in buckets.keys.sorted(by: >) {
                    let entries = buckets[score] ?? []
                    ranked.entries += entries
                    ranked.bestBase += repeatElement(score, count: entries.count)
                }
                return ranked
            }
        }
    }

    static func bit(_ a: Audience) -> UInt8 {
        switch a {
        case .personne: return 1
        case .proche: return 2
        case .professionnel: return 4
        }
    }

    static func bit(_ m: Modality) -> UInt8 {
        switch m {
        case .sur_place: return 1
        case .telephone: return 2
        case .en_ligne: return 4
        }
    }

    static func bit(_ f: AccessFeature) -> UInt8 {
        UInt8(1) << UInt8(AccessFeature.allCases.firstIndex(of: f) ?? 0)
    }

    /// Where the engine finds an entry: among the remote ones (phone, online), or in its cell of the grid.
    static func place(_ e: IndexEntry, _ index: Int32, grid: inout [Int64: [Int32]], remote: inout [Int32]) {
        if e.remote {
            remote.append(index)
        } else {
            grid[cellKey(Double(e.latitude), Double(e.longitude)), default: []].append(index)
        }
    }

    static func cellKey(_ lat: Double, _ lon: Double) -> Int64 {
        let y = whole((lat / cell).rounded(.down)), x = whole((lon / cell).rounded(.down))
        return y << 32 | (x & 0xFFFF_FFFF)
    }

    /// A cell number from a coordinate, total: a value that is not a place (NaN, infinite, far out
    /// of range — a damaged index file) lands in a cell of its own instead of trapping.
    static func whole(_ v: Double) -> Int64 {
        guard v.isFinite else { return 0 }
        return Int64(max(-1_000_000, min(1_000_000, v)))
    }

    /// The cells that cover a circle, each with the least distance (km, by the engine's
    /// equirectangular measure around `p`, `cosLatitude` its cosine) any place in it can have,
    /// nearest first; cells wholly beyond the radius are left out.
    func cells(around p: GeoPoint, radiusKm: Double, cosLatitude: Double) -> [(least: Double, entries: [Int32])] {
        let dLat = radiusKm / 111.0
        let dLon = radiusKm / max(10, 111.0 * cos(p.latitude * .pi / 180))
        let y0 = Self.whole(((max(-90, p.latitude - dLat)) / Self.cell).rounded(.down)), y1 = Self.whole(((min(90, p.latitude + dLat)) / Self.cell).rounded(.down))
        let x0 = Self.whole(((max(-180, p.longitude - dLon)) / Self.cell).rounded(.down)), x1 = Self.whole(((min(180, p.longitude + dLon)) / Self.cell).rounded(.down))
        guard y0 <= y1, x0 <= x1 else { return [] }
        var out: [(least: Double, entries: [Int32])] = []
        for y in y0...y1 {
            // A place's cell is floor(coordinate / cell): its coordinate lies in [y·cell, (y+1)·cell).
            let south = Double(y) * Self.cell, north = Double(y + 1) * Self.cell
            let dy = max(0, south - p.latitude, p.latitude - north) * 111.195
            for x in x0...x1 {
                guard let ids = grid[y << 32 | (x & 0xFFFF_FFFF)] else { continue }
                let west = Double(x) * Self.cell, east = Double(x + 1) * Self.cell
                let dx = max(0, west - p.longitude, p.longitude - east) * 111.195 * cosLatitude
                let least = (dx * dx + dy * dy).squareRoot()
                if least <= radiusKm { out.append((least, ids)) }
            }
        }
        out.sort { $0.least < $1.least }
        return out
    }

    /// Entries in the cells that cover a circle (a superset: distances are checked by the caller).
    func near(_ p: GeoPoint, radiusKm: Double) -> [Int32] {
        let dLat = radiusKm / 111.0
        let dLon = radiusKm / max(10, 111.0 * cos(p.latitude * .pi / 180))
        // Bounded to the globe whatever the radius (a cell number is total, see `whole`).
        let y0 = Self.whole(((max(-90, p.latitude - dLat)) / Self.cell).rounded(.down)), y1 = Self.whole(((min(90, p.latitude + dLat)) / Self.cell).rounded(.down))
        let x0 = Self.whole(((max(-180, p.longitude - dLon)) / Self.cell).rounded(.down)), x1 = Self.whole(((min(180, p.longitude + dLon)) / Self.cell).rounded(.down))
        guard y0 <= y1, x0 <= x1 else { return [] }
        var out: [Int32] = []
        for y in y0...y1 {
            for x in x0...x1 {
                if let ids = grid[y << 32 | (x & 0xFFFF_FFFF)] { out += ids }
            }
        }
        return out
    }

    public var count: Int { entries.count }
}

import Foundation
