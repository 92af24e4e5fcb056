/// A fast, deterministic JSON writer for the model types (keys sorted, nil
/// fields left out), producing exactly what `JSONDecoder` reads back into the
/// same values. Imports write one of these per listing, where Foundation's
/// `JSONEncoder` was the bottleneck.
public struct JSONWriter {
    var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(1024) }

    public var out: String { String(decoding: bytes, as: UTF8.self) }

    /// Already-written JSON, spliced in as it is.
    public mutating func json(_ fragment: String) { bytes.append(contentsOf: fragment.utf8) }

    @inline(__always) public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func string(_ s: String) {
        bytes.append(0x22)
        var s = s
        let plain = s.withUTF8 { utf8 in
            for b in utf8 where b < 0x20 || b == 0x22 || b == 0x5C { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if !plain {
            for b in s.utf8 {
                switch b {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
                case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                default: bytes.append(b)
                }
            }
        }
        bytes.append(0x22)
    }

    public mutating func int(_ v: Int) { bytes.append(contentsOf: String(v).utf8) }

    public mutating func number(_ d: Double) {
        if d == d.rounded(), abs(d) < 1e15 { int(Int(d)) } else { bytes.append(contentsOf: "\(d)".utf8) }
    }

    public mutating func bool(_ v: Bool) { v ? raw("true") : raw("false") }

    /// Starts a key inside an object; `first` tracks the comma.
    @inline(__always) public mutating func key(_ k: StaticString, _ first: inout Bool) {
        if !first { bytes.append(0x2C) }
        first = false
        bytes.append(0x22)
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    mutating func dynamicKey(_ k: String, _ first: inout Bool) {
        if !first { bytes.append(0x2C) }
        first = false
        string(k)
        bytes.append(0x3A)
    }

    public mutating func array<T>(_ items: [T], _ write: (inout JSONWriter, T) -> Void) {
        bytes.append(0x5B)
        for (i, item) in items.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            write(&self, item)
        }
        bytes.append(0x5D)
    }

    public mutating func strings(_ items: [String]) { array(items) { $0.string($1) } }
    mutating func ints(_ items: [Int]) { array(items) { $0.int($1) } }
    mutating func objects<T: JSONWritable>(_ items: [T]) { array(items) { w, x in x.write(to: &w) } }

    // Optional fields.
    @inline(__always) public mutating func field(_ k: StaticString, _ v: String?, _ f: inout Bool) { if let v { key(k, &f); string(v) } }
    @inline(__always) public mutating func field(_ k: StaticString, _ v: Int?, _ f: inout Bool) { if let v { key(k, &f); int(v) } }
    @inline(__always) public mutating func field(_ k: StaticString, _ v: Double?, _ f: inout Bool) { if let v { key(k, &f); number(v) } }
    @inline(__always) public mutating func field(_ k: StaticString, _ v: Bool, _ f: inout Bool) { key(k, &f); bool(v) }
    @inline(__always) mutating func field<T: JSONWritable>(_ k: StaticString, _ v: T?, _ f: inout Bool) { if let v { key(k, &f); v.write(to: &self) } }
    @inline(__always) public mutating func field(_ k: StaticString, strings v: [String], _ f: inout Bool) { key(k, &f); strings(v) }
    @inline(__always) public mutating func field(_ k: StaticString, ints v: [Int], _ f: inout Bool) { key(k, &f); ints(v) }
    @inline(__always) mutating func field<T: JSONWritable>(_ k: StaticString, objects v: [T], _ f: inout Bool) { key(k, &f); objects(v) }
    @inline(__always) public mutating func open() { bytes.append(0x7B) }
    @inline(__always) public mutating func close() { bytes.append(0x7D) }
}

public protocol JSONWritable {
    func write(to w: inout JSONWriter)
}

extension JSONWritable {
    /// The value as compact JSON with sorted keys.
    public var jsonString: String {
        var w = JSONWriter()
        write(to: &w)
        return w.out
    }
}

// Keys are written in sorted order, as `JSONEncoder` with `.sortedKeys` would.

extension GeoPoint: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("latitude", latitude, &f); w.field("longitude", longitude, &f); w.close()
    }
}

extension Address: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open()
        w.field("commune", commune, &f); w.field("complement", complement, &f); w.field("country", country, &f)
        w.field("departement", departement, &f); w.field("insee", insee, &f); w.field("postalCode", postalCode, &f)
        w.field("region", region, &f); w.field("street", street, &f)
        w.close()
    }
}

extension Phone: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("note", note, &f); w.field("number", number, &f); w.close()
    }
}

extension Flag: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("code", code, &f); w.field("field", field, &f); w.field("message", message, &f); w.close()
    }
}

extension LocalDate: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("day", day, &f); w.field("month", month, &f); w.field("year", year, &f); w.close()
    }
}

extension LocalDateTime: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("date", date, &f); w.field("minutes", minutes, &f); w.close()
    }
}

extension WeekdaySelector: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("nth", ints: nth, &f); w.field("weekday", weekday, &f); w.close()
    }
}

extension WeekRange: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("from", from, &f); w.field("step", step, &f); w.field("to", to, &f); w.close()
    }
}

extension MonthDayRange: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("fromDay", fromDay, &f); w.field("fromMonth", fromMonth, &f); w.field("toDay", toDay, &f); w.field("toMonth", toMonth, &f); w.close()
    }
}

extension TimeSpan: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("close", close, &f); w.field("open", open, &f); w.close()
    }
}

extension ScheduleRule: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open()
        w.field("additive", additive, &f); w.field("anchor", anchor, &f); w.field("comment", comment, &f); w.field("count", count, &f)
        w.field("dates", objects: dates, &f); w.field("days", objects: days, &f); w.field("interval", interval, &f)
        if !monthDays.isEmpty { w.field("monthDays", objects: monthDays, &f) }
        w.field("months", ints: months, &f); w.field("off", off, &f); w.field("publicHolidays", publicHolidays, &f)
        if schoolHolidays { w.field("schoolHolidays", schoolHolidays, &f) }
        w.field("times", objects: times, &f); w.field("validFrom", validFrom, &f); w.field("validUntil", validUntil, &f)
        if !weeks.isEmpty { w.field("weeks", objects: weeks, &f) }
        w.close()
    }
}

extension Schedule: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("exceptions", objects: exceptions, &f); w.field("rules", objects: rules, &f); w.close()
    }
}

extension Occurrence: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("allDay", allDay, &f); w.field("end", end, &f); w.field("start", start, &f); w.close()
    }
}

extension Session: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open()
        w.field("cancelled", cancelled, &f); w.field("key", key, &f); w.field("note", note, &f)
        w.field("occurrences", objects: occurrences, &f); w.field("online", online, &f); w.field("onsite", onsite, &f)
        w.field("place", place, &f); w.field("placeName", placeName, &f); w.field("point", point, &f)
        w.field("price", price, &f); w.field("registration", registration, &f); w.field("title", title, &f)
        w.close()
    }
}

extension ListingContent: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open()
        w.field("accessibility", accessibility, &f)
        w.field("address", address, &f); w.field("alternateName", alternateName, &f); w.field("audienceNote", audienceNote, &f)
        w.field("audiences", strings: audiences.map(\.rawValue), &f); w.field("description", description, &f)
        w.field("eligibility", eligibility, &f); w.field("emails", strings: emails, &f); w.field("fees", fees, &f)
        w.field("flags", objects: flags, &f); w.field("kind", kind.rawValue, &f); w.field("languages", strings: languages, &f)
        w.field("manager", manager, &f)
        w.field("modalities", strings: modalities.map(\.rawValue), &f); w.field("name", name, &f)
        w.field("needs", strings: needs, &f); w.field("organization", organization, &f); w.field("parentKey", parentKey, &f)
        w.field("phones", objects: phones, &f); w.field("placeName", placeName, &f); w.field("point", point, &f)
        w.field("pointPrecision", pointPrecision?.rawValue, &f); w.field("registration", registration, &f)
        w.field("schedule", schedule, &f); w.field("scheduleText", scheduleText, &f); w.field("sessions", objects: sessions, &f)
        w.field("sourceUpdated", sourceUpdated, &f); w.field("sponsor", sponsor, &f); w.field("status", status.rawValue, &f)
        w.field("timeZone", timeZone, &f); w.field("website", website, &f)
        w.close()
    }
}

extension Accessibility: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open()
        w.field("description", description, &f); w.field("details", details, &f); w.field("features", strings: features.map(\.rawValue), &f)
        w.field("url", url, &f)
        w.close()
    }
}

extension FieldOrigin: JSONWritable {
    public func write(to w: inout JSONWriter) {
        var f = true
        w.open(); w.field("at", at, &f); w.field("conflict", conflict, &f); w.field("source", source, &f); w.close()
    }
}

/// JSON of a string array or map, without Foundation.
public enum JSONText {
    public static func strings(_ v: [String]) -> String {
        var w = JSONWriter()
        w.strings(v)
        return w.out
    }

    public static func provenance(_ p: [String: FieldOrigin]) -> String {
        var w = JSONWriter()
        var f = true
        w.open()
        for (k, v) in p.sorted(by: { $0.key < $1.key }) {
            w.dynamicKey(k, &f)
            v.write(to: &w)
        }
        w.close()
        return w.out
    }

    public static func flags(_ f: [Flag]) -> String {
        var w = JSONWriter()
        w.objects(f)
        return w.out
    }
}
