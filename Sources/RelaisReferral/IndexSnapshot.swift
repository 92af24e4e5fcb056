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
    static let format: UInt32 = 1

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
        w.u32(UInt32(index.entries.count))
        let encoder = JSONEncoder()
        for (i, e) in index.entries.enumerated() {
            w.string(e.id)
            w.string(e.name)
            w.string(e.kind.rawValue)
            w.u32(e.needsMask)
            w.u32(e.declaredMask)
            w.u8(e.audiences)
            w.u8(e.modalities)
            w.u8(index.accessBits[i])
            w.f32(e.latitude)
            w.f32(e.longitude)
            var flags: UInt8 = 0
            if e.remote { flags |= 1 }
            if e.stale { flags |= 2 }
            if e.demo { flags |= 4 }
            if e.byAppointment { flags |= 8 }
            w.u8(flags)
            w.string(e.status.rawValue)
            w.i32(e.verifiedDay ?? Int32.min)
            w.i32(e.teamVerifiedDay ?? Int32.min)
            w.i32(e.scheduleID)
            w.string(e.zone.identifier)
            w.string(e.precision?.rawValue ?? "")
            w.u32(UInt32(e.languages.count))
            for l in e.languages { w.string(l) }
            w.blob(e.sessions.isEmpty ? [] : (try? encoder.encode(e.sessions)).map { [UInt8]($0) } ?? [])
            w.i32(index.idRanks[i])
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
            let schedules = try? JSONDecoder().decode([Schedule].self, from: Data(scheduleBytes)), let count = r.count()
        else { return nil }
        var builder = ReferralIndex.Builder(taxonomy: taxonomy, capacity: count)
        var ranks: [Int32] = []
        ranks.reserveCapacity(count)
        var zones: [String: CivilZone] = [:]
        var kinds: [String: Kind] = [:]
        var languageSets: [[String]: [String]] = [:]
        let decoder = JSONDecoder()
        for _ in 0..<count {
            guard let id = r.string(), let name = r.string(), let kindRaw = r.string(), let needsMask = r.u32(), let declaredMask = r.u32(),
                let audiences = r.u8(), let modalities = r.u8(), let access = r.u8(), let latitude = r.f32(), let longitude = r.f32(),
                let flags = r.u8(), let statusRaw = r.string(), let status = ServiceStatus(rawValue: statusRaw), let verified = r.i32(),
                let teamVerified = r.i32(), let scheduleID = r.i32(), let zoneName = r.string(), let precisionRaw = r.string(),
                let languageCount = r.count()
            else { return nil }
            let kind: Kind
            if let k = kinds[kindRaw] { kind = k } else {
                guard let k = Kind(rawValue: kindRaw) else { return nil }
                kinds[kindRaw] = k
                kind = k
            }
            let zone: CivilZone
            if let z = zones[zoneName] { zone = z } else {
                guard let z = CivilZone.named(zoneName) else { return nil }
                zones[zoneName] = z
                zone = z
            }
            var languages: [String] = []
            for _ in 0..<languageCount {
                guard let l = r.string() else { return nil }
                languages.append(l)
            }
            if !languages.isEmpty {
                if let shared = languageSets[languages] { languages = shared } else { languageSets[languages] = languages }
            }
            guard let sessionBytes = r.blob(), let rank = r.i32(), scheduleID >= -1, scheduleID < schedules.count else { return nil }
            var sessions: [Session] = []
            if !sessionBytes.isEmpty {
                guard let s = try? decoder.decode([Session].self, from: Data(sessionBytes)) else { return nil }
                sessions = s
            }
            let entry = IndexEntry(
                id: id, name: name, kind: kind, needsMask: needsMask, declaredMask: declaredMask, audiences: audiences, modalities: modalities,
                latitude: latitude, longitude: longitude, remote: flags & 1 != 0, status: status, stale: flags & 2 != 0, demo: flags & 4 != 0,
                verifiedDay: verified == Int32.min ? nil : verified, teamVerifiedDay: teamVerified == Int32.min ? nil : teamVerified,
                schedule: scheduleID >= 0 ? schedules[Int(scheduleID)] : nil, scheduleID: scheduleID, sessions: sessions,
                byAppointment: flags & 8 != 0, zone: zone, precision: precisionRaw.isEmpty ? nil : GeoPrecision(rawValue: precisionRaw), languages: languages)
            builder.add(entry: entry, access: access)
            ranks.append(rank)
        }
        // Whole, and nothing after: the ranks must be a permutation of the entries.
        guard r.atEnd, Set(ranks).count == count, ranks.allSatisfy({ $0 >= 0 && Int($0) < count }) else { return nil }
        builder.ranks = ranks
        return builder.build()
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
    var at = 0

    init(_ data: [UInt8]) { self.data = data }

    var atEnd: Bool { at == data.count }

    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, n <= data.count - at else { return nil }
        defer { at += n }
        return Array(data[at..<(at + n)])
    }

    mutating func u8() -> UInt8? {
        guard at < data.count else { return nil }
        defer { at += 1 }
        return data[at]
    }

    mutating func u32() -> UInt32? {
        guard data.count - at >= 4 else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(data[at + k]) << (8 * UInt32(k)) }
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
        guard let n = u32(), Int(n) <= data.count - at else { return nil }
        return Int(n)
    }

    mutating func blob() -> [UInt8]? {
        guard let n = u32() else { return nil }
        return bytes(Int(n))
    }

    mutating func string() -> String? {
        guard let n = u32(), Int(n) <= data.count - at else { return nil }
        let s = String(decoding: data[at..<(at + Int(n))], as: UTF8.self)
        at += Int(n)
        return s
    }
}
