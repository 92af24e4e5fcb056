import Foundation
import RelaisModel

/// The referral index as bytes, so that a server starting over a large directory answers at
/// once: the index of the store's current data is written beside the store after each build,
/// and read back at the next start when it is still that data's (same store, same data
/// version, same needs). Reading it costs a pass over the bytes, not a JSON decoding of every
/// listing (a million listings: about a second instead of half a minute).
///
/// Pure: bytes in, bytes out (the caller reads and writes the file). Reading is total: bytes
/// that are not a snapshot of this format, cut short or changed, give nil, and the caller
/// builds the index from the store as it would without one.
public enum IndexSnapshot {
    /// What a snapshot must match to be used: the store it was made from and its data version.
    public struct Tag: Equatable, Sendable {
        public var store: Int64
        public var dataVersion: Int64
        public init(store: Int64, dataVersion: Int64) {
            self.store = store
            self.dataVersion = dataVersion
        }
    }

    static let magic: [UInt8] = Array("RELAIS-INDEX".utf8)
    /// Bumped whenever the layout or what the index keeps changes.
    public static let format: UInt32 = 2

    /// The format number of an index file (nil when the bytes are not one at all): a file
    /// written by another version of Relais has another number.
    public static func formatNumber(of bytes: [UInt8]) -> UInt32? {
        var r = ByteReader(bytes)
        guard r.bytes(magic.count) == magic else { return nil }
        return r.u32()
    }

    /// The tag a snapshot carries (nil: not a snapshot of this format).
    public static func tag(of bytes: [UInt8]) -> Tag? {
        var r = ByteReader(bytes)
        guard r.bytes(magic.count) == magic, r.u32() == format, let store = r.i64(), let version = r.i64() else { return nil }
        return Tag(store: store, dataVersion: version)
    }

    public static func encode(_ index: ReferralIndex, tag: Tag) -> [UInt8] {
        var w = ByteWriter()
        w.bytes(magic)
        w.u32(format)
        w.i64(tag.store)
        w.i64(tag.dataVersion)
        let needs = index.taxonomy.needs.map(\.id)
        w.u32(UInt32(needs.count))
        for n in needs { w.string(n) }
        // Distinct schedules, in the order of their numbers.
        var schedules: [Schedule] = []
        var seen = Set<Int32>()
        for e in index.entries where e.scheduleID >= 0 && seen.insert(e.scheduleID).inserted {
            if schedules.count <= Int(e.scheduleID) { schedules += Array(repeating: Schedule(), count: Int(e.scheduleID) - schedules.count + 1) }
            if let s = e.schedule { schedules[Int(e.scheduleID)] = s }
        }
        w.blob((try? JSONEncoder().encode(schedules)).map { [UInt8]($0) } ?? [])
        // Names that repeat (kinds, statuses, zones, precisions) once, in tables; entries name them by
        // a byte. Each table holds cases of a closed set (`Kind`, `ServiceStatus`, `CivilZone.all`,
        // `GeoPrecision`: a few dozen at most), so every number fits in `UInt8`.
        var tables = Tables()
        for e in index.entries {
            _ = tables.number(e.kind.rawValue, 0)
            _ = tables.number(e.status.rawValue, 1)
            _ = tables.number(e.zone.identifier, 2)
            _ = tables.number(e.precision?.rawValue ?? "", 3)
        }
        for list in tables.lists {
            w.u32(UInt32(list.count))
            for name in list { w.string(name) }
        }
        // Entries in blocks of `blockSize`, each prefixed by its length: blocks are read on every core.
        w.u32(UInt32(index.entries.count))
        let encoder = JSONEncoder()
        for blockStart in stride(from: 0, to: index.entries.count, by: blockSize) {
            var b = ByteWriter()
            for i in blockStart..<min(index.entries.count, blockStart + blockSize) {
                let e = index.entries[i]
                b.string(e.id)
                b.string(e.name)
                b.u8(UInt8(tables.number(e.kind.rawValue, 0)))
                b.u32(e.needsMask)
                b.u32(e.declaredMask)
                b.u8(e.audiences)
                b.u8(e.modalities)
                b.u8(index.accessBits[i])
                b.f32(e.latitude)
                b.f32(e.longitude)
                var flags: UInt8 = 0
                if e.remote { flags |= 1 }
                if e.stale { flags |= 2 }
                if e.demo { flags |= 4 }
                if e.byAppointment { flags |= 8 }
                b.u8(flags)
                b.u8(UInt8(tables.number(e.status.rawValue, 1)))
                b.i32(e.verifiedDay ?? Int32.min)
                b.i32(e.teamVerifiedDay ?? Int32.min)
                b.i32(e.scheduleID)
                b.u8(UInt8(tables.number(e.zone.identifier, 2)))
                b.u8(UInt8(tables.number(e.precision?.rawValue ?? "", 3)))
                b.u32(UInt32(e.languages.count))
                for l in e.languages { b.string(l) }
                b.blob(e.sessions.isEmpty ? [] : (try? encoder.encode(e.sessions)).map { [UInt8]($0) } ?? [])
                b.i32(index.idRanks[i])
            }
            w.blob(b.out)
        }
        return w.out
    }

    /// The index in `bytes`, if they are a whole snapshot tagged `tag` for `taxonomy`'s needs.
    public static func decode(_ bytes: [UInt8], taxonomy: Taxonomy, tag expected: Tag) -> ReferralIndex? {
        var r = ByteReader(bytes)
        guard r.bytes(magic.count) == magic, r.u32() == format, let store = r.i64(), let version = r.i64(),
            Tag(store: store, dataVersion: version) == expected, let needCount = r.count()
        else { return nil }
        var needs: [String] = []
        for _ in 0..<needCount {
            guard let n = r.string() else { return nil }
            needs.append(n)
        }
        guard needs == taxonomy.needs.map(\.id), let scheduleBytes = r.blob(),
            let schedules = try? JSONDecoder().decode([Schedule].self, from: Data(scheduleBytes)),
            schedules.allSatisfy(isSound)
        else { return nil }
        // The names of each table, each one meaning something to this version of Relais.
        func table<T>(_ make: (String) -> T?) -> [T]? {
            guard let n = r.count(), n <= 256 else { return nil }
            var out: [T] = []
            for _ in 0..<n {
                guard let raw = r.string(), let value = make(raw) else { return nil }
                out.append(value)
            }
            return out
        }
        guard let kinds = table(Kind.init(rawValue:)), let statuses = table(ServiceStatus.init(rawValue:)), let zones = table(CivilZone.named),
            let precisions = table({ raw -> GeoPrecision?? in raw.isEmpty ? .some(nil) : GeoPrecision(rawValue: raw).map { .some($0) } })
        else { return nil }
        guard let count = r.count() else { return nil }
        var blocks: [Range<Int>] = []
        for _ in stride(from: 0, to: count, by: blockSize) {
            guard let b = r.blobRange() else { return nil }
            blocks.append(b)
        }
        guard r.atEnd else { return nil }
        let blockRanges = blocks
        let context = BlockContext(kinds: kinds, statuses: statuses, zones: zones, precisions: precisions, schedules: schedules)
        let parts = BlockResults(blocks.count)
        DispatchQueue.concurrentPerform(iterations: blocks.count) { k in
            let expected = min(blockSize, count - k * blockSize)
            parts.set(k, decodeBlock(bytes, blockRanges[k], expected: expected, base: k * blockSize, context))
        }
        var builder = ReferralIndex.Builder(taxonomy: taxonomy, capacity: count)
        var columns = ReferralIndex.Columns(capacity: count)
        var ranks: [Int32] = []
        ranks.reserveCapacity(count)
        for k in blocks.indices {
            guard let part = parts.get(k) else { return nil }
            builder.append(block: part.entries, access: part.access, grid: part.grid, remote: part.remote)
            columns.append(part.columns)
            ranks += part.ranks
        }
        builder.columns = columns
        // The ranks must be a permutation of the entries.
        var seenRank = [Bool](repeating: false, count: count)
        for rank in ranks {
            guard rank >= 0, Int(rank) < count, !seenRank[Int(rank)] else { return nil }
            seenRank[Int(rank)] = true
        }
        builder.ranks = ranks
        return builder.build()
    }

    static let blockSize = 65_536

    /// Kinds (0), statuses (1), zones (2) and precisions (3), numbered in the order first met.
    struct Tables {
        var lists = [[String]](repeating: [], count: 4)
        var numbers = [[String: Int]](repeating: [:], count: 4)
        mutating func number(_ name: String, _ table: Int) -> Int {
            if let n = numbers[table][name] { return n }
            lists[table].append(name)
            numbers[table][name] = lists[table].count - 1
            return lists[table].count - 1
        }
    }

    struct BlockContext: @unchecked Sendable {
        var kinds: [Kind], statuses: [ServiceStatus], zones: [CivilZone], precisions: [GeoPrecision?], schedules: [Schedule]
    }

    struct Block {
        var entries: [IndexEntry] = []
        var access: [UInt8] = []
        var ranks: [Int32] = []
        /// Made beside the entries, on the block's core: what the index needs of them in columns,
        /// the grid's cells and the remote entries (numbered from the block's first entry).
        var columns = ReferralIndex.Columns(capacity: 0)
        var grid: [Int64: [Int32]] = [:]
        var remote: [Int32] = []
    }

    /// The results of the blocks, each written once by its own worker.
    final class BlockResults: @unchecked Sendable {
        private var slots: [Block?]
        private let lock = NSLock()
        init(_ n: Int) { slots = Array(repeating: nil, count: n) }
        func set(_ k: Int, _ b: Block?) { lock.withLock { slots[k] = b } }
        func get(_ k: Int) -> Block? { lock.withLock { slots[k] } }
    }

    /// One block of `expected` entries, whole, or nil.
    static func decodeBlock(_ bytes: [UInt8], _ range: Range<Int>, expected: Int, base: Int, _ c: BlockContext) -> Block? {
        var r = ByteReader(bytes, in: range)
        var out = Block()
        out.entries.reserveCapacity(expected)
        var languageSets: [[String]: [String]] = [:]
        let decoder = JSONDecoder()
        for _ in 0..<expected {
            guard let id = r.string(), let name = r.string(), let kind = r.u8(), Int(kind) < c.kinds.count, let needsMask = r.u32(), let declaredMask = r.u32(),
                let audiences = r.u8(), let modalities = r.u8(), let access = r.u8(), let latitude = r.f32(), let longitude = r.f32(),
                let flags = r.u8(), let status = r.u8(), Int(status) < c.statuses.count, let verified = r.i32(),
                let teamVerified = r.i32(), let scheduleID = r.i32(), scheduleID >= -1, scheduleID < c.schedules.count,
                let zone = r.u8(), Int(zone) < c.zones.count, let precision = r.u8(), Int(precision) < c.precisions.count,
                let languageCount = r.count(),
                // A place on Earth (a damaged file can hold any bits).
                latitude.isFinite, longitude.isFinite, abs(latitude) <= 90, abs(longitude) <= 180
            else { return nil }
            var languages: [String] = []
            for _ in 0..<languageCount {
                guard let l = r.string() else { return nil }
                languages.append(l)
            }
            if !languages.isEmpty {
                if let shared = languageSets[languages] { languages = shared } else { languageSets[languages] = languages }
            }
            guard let sessionBytes = r.blob(), let rank = r.i32() else { return nil }
            var sessions: [Session] = []
            if !sessionBytes.isEmpty {
                guard let s = try? decoder.decode([Session].self, from: Data(sessionBytes)), s.allSatisfy(isSound) else { return nil }
                sessions = s
            }
            out.entries.append(IndexEntry(
                id: id, name: name, kind: c.kinds[Int(kind)], needsMask: needsMask, declaredMask: declaredMask, audiences: audiences, modalities: modalities,
                latitude: latitude, longitude: longitude, remote: flags & 1 != 0, status: c.statuses[Int(status)], stale: flags & 2 != 0, demo: flags & 4 != 0,
                verifiedDay: verified == Int32.min ? nil : verified, teamVerifiedDay: teamVerified == Int32.min ? nil : teamVerified,
                schedule: scheduleID >= 0 ? c.schedules[Int(scheduleID)] : nil, scheduleID: scheduleID, sessions: sessions,
                byAppointment: flags & 8 != 0, zone: c.zones[Int(zone)], precision: c.precisions[Int(precision)], languages: languages))
            out.access.append(access)
            out.ranks.append(rank)
        }
        guard r.atEnd else { return nil }
        out.columns = ReferralIndex.Columns(out.entries[...], base: base)
        for (i, e) in out.entries.enumerated() {
            ReferralIndex.place(e, Int32(truncatingIfNeeded: base + i), grid: &out.grid, remote: &out.remote)
        }
        return out
    }
}

/// Little-endian values into bytes.
struct ByteWriter {
    var out: [UInt8] = []

    mutating func bytes(_ b: [UInt8]) { out += b }
    mutating func u8(_ v: UInt8) { out.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    mutating func i32(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    mutating func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func blob(_ b: [UInt8]) {
        u32(UInt32(b.count))
        out += b
    }
    mutating func string(_ s: String) { blob(Array(s.utf8)) }
}

/// Little-endian values out of bytes; nil past the end (never a trap).
struct ByteReader {
    let data: [UInt8]
    var at: Int
    /// Where the bytes to read end (a part of `data`: a block, read in place).
    let end: Int

    init(_ data: [UInt8], in range: Range<Int>? = nil) {
        self.data = data
        at = range?.lowerBound ?? 0
        end = range?.upperBound ?? data.count
    }

    var atEnd: Bool { at == end }

    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, n <= end - at else { return nil }
        defer { at += n }
        return Array(data[at..<(at + n)])
    }

    @inline(__always)
    mutating func u8() -> UInt8? {
        guard at < end else { return nil }
        defer { at += 1 }
        return data[at]
    }

    @inline(__always)
    mutating func u32() -> UInt32? {
        guard at >= 0, end - at >= 4, end <= data.count else { return nil }
        let v = data.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        at += 4
        return v
    }

    mutating func i32() -> Int32? { u32().map { Int32(bitPattern: $0) } }
    mutating func f32() -> Float? { u32().map { Float(bitPattern: $0) } }

    mutating func i64() -> Int64? {
        guard let lo = u32(), let hi = u32() else { return nil }
        return Int64(bitPattern: UInt64(hi) << 32 | UInt64(lo))
    }

    /// A count of things that follow, each at least one byte: no more than the bytes left.
    mutating func count() -> Int? {
        guard let n = u32(), Int(n) <= end - at else { return nil }
        return Int(n)
    }

    mutating func blob() -> [UInt8]? {
        guard let n = u32() else { return nil }
        return bytes(Int(n))
    }

    /// Where a blob lies in `data`, skipped (read later, in place).
    mutating func blobRange() -> Range<Int>? {
        guard let n = u32(), Int(n) <= end - at else { return nil }
        defer { at += Int(n) }
        return at..<(at + Int(n))
    }

    mutating func string() -> String? {
        guard let n = u32(), Int(n) <= end - at else { return nil }
        let s = String(decoding: data[at..<(at + Int(n))], as: UTF8.self)
        at += Int(n)
        return s
    }
}
