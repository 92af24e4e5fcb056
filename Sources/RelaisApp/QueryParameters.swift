import Foundation
import RelaisModel
import RelaisNormalize

/// The parameters of a question — a query string, a posted form, a JSON body — read by
/// one set of rules wherever they come from (API, pages, admin): keys repeated are joined
/// with commas (`needs=a&needs=b` → `a,b`), values are trimmed, an empty value is no
/// value, and every error is a ``RelaisError`` that names the parameter, in French.
public struct QueryParameters: Sendable, Hashable {
    public private(set) var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// `application/x-www-form-urlencoded` text: a URL's query or a posted form.
    public init(urlEncoded text: String) {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawKey = kv.first else { continue }
            let key = Self.decode(rawKey)
            let value = kv.count > 1 ? Self.decode(kv[1]) : ""
            if let old = out[key], !old.isEmpty, !value.isEmpty { out[key] = old + "," + value } else if out[key] == nil || !value.isEmpty { out[key] = value }
        }
        values = out
    }

    /// A form-encoded part as text: `+` is a space, `%XX` a byte. What Foundation's
    /// `replacingOccurrences(of: "+", with: " ").removingPercentEncoding` gives (checked against it
    /// in the tests), including the part as sent when a `%` is not followed by two hex digits or
    /// the bytes are not UTF-8 — without its cost, paid on every request.
    static func decode(_ s: Substring) -> String {
        let utf8 = s.utf8
        guard utf8.contains(where: { $0 == 0x2B || $0 == 0x25 }) else { return String(s) }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let b = utf8[i]
            if b == 0x2B {
                out.append(0x20)
            } else if b == 0x25 {
                let j = utf8.index(after: i)
                guard j != utf8.endIndex, let high = hex(utf8[j]) else { return String(s) }
                let k = utf8.index(after: j)
                guard k != utf8.endIndex, let low = hex(utf8[k]) else { return String(s) }
                out.append(high << 4 | low)
                i = k
            } else {
                out.append(b)
            }
            i = utf8.index(after: i)
        }
        return String(validating: out, as: UTF8.self) ?? String(s)
    }

    /// The value as sent, untrimmed (nil when absent).
    public subscript(_ name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// These parameters, then `other`'s over them.
    public func merging(_ other: QueryParameters) -> QueryParameters {
        QueryParameters(values.merging(other.values) { _, new in new })
    }

    public func removing(_ names: String...) -> QueryParameters {
        var copy = self
        for n in names { copy.values.removeValue(forKey: n) }
        return copy
    }

    /// The non-empty parameters among `names`, in that order, URL-encoded (a link, a permalink).
    public func urlEncoded(_ names: [String]? = nil) -> String {
        let keys = names ?? values.keys.sorted()
        return keys.compactMap { k in string(k).map { (k, $0) } }
            .map { k, v in "\(k)=\(v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? v)" }.joined(separator: "&")
    }

    // MARK: Typed readers

    /// The trimmed value; nil when absent or empty.
    public func string(_ name: String) -> String? {
        guard let v = values[name].map({ Self.trimmed($0, .whitespacesAndNewlines) }), !v.isEmpty else { return nil }
        return v
    }

    /// `s.trimmingCharacters(in: set)` for `set` a part of Unicode's White_Space (whitespaces, with
    /// or without newlines), without Foundation's cost when neither end is white, as in nearly
    /// every parameter.
    static func trimmed<S: StringProtocol>(_ s: S, _ set: CharacterSet) -> String {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return "" }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return String(s) }
        return s.trimmingCharacters(in: set)
    }

    /// The trimmed value, at most `maxLength` characters.
    public func string(_ name: String, maxLength: Int) throws -> String? {
        guard let v = string(name) else { return nil }
        guard v.count <= maxLength else {
            throw RelaisError(.invalid, "Paramètre « \(name) » trop long (\(maxLength) caractères au plus).", parameter: name)
        }
        return v
    }

    /// Comma-separated values, trimmed, empty ones left out.
    public func list(_ name: String) -> [String] {
        (string(name) ?? "").split(separator: ",").map { Self.trimmed($0, .whitespaces) }.filter { !$0.isEmpty }
    }

    public func int(_ name: String, default d: Int, range: ClosedRange<Int>) throws -> Int {
        try int(name, range: range) ?? d
    }

    public func int(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let raw = string(name) else { return nil }
        guard let v = Int(raw), range.contains(v) else {
            throw RelaisError(.invalid, "Paramètre « \(name) » invalide : « \(raw) » n’est pas un entier entre \(range.lowerBound) et \(range.upperBound).", parameter: name)
        }
        return v
    }

    /// A number, with a decimal point or comma.
    public func double(_ name: String, range: ClosedRange<Double>) throws -> Double? {
        guard let raw = string(name) else { return nil }
        guard let v = Double(raw.replacingOccurrences(of: ",", with: ".")), v.isFinite, range.contains(v) else {
            throw RelaisError(.invalid, "Paramètre « \(name) » invalide : « \(raw) » n’est pas un nombre entre \(Int(range.lowerBound)) et \(Int(range.upperBound)).", parameter: name)
        }
        return v
    }

    /// A day, `AAAA-MM-JJ` (a time after it is the caller's to read).
    public func date(_ name: String) throws -> LocalDate? {
        guard let raw = string(name) else { return nil }
        guard let d = LocalDate(iso: raw.prefix(10)) else {
            throw RelaisError(.invalid, "Paramètre « \(name) » invalide : « \(raw) » : attendu une date AAAA-MM-JJ.", parameter: name)
        }
        return d
    }

    /// One of a closed set of values (an enum's raw values), with the set in the error.
    public func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let raw = string(name) else { return nil }
        return try Self.choice(raw, T.self, parameter: name)
    }

    /// `raw` as one of `T`'s values, or an error naming `parameter` and listing the valid ones.
    public static func choice<T: RawRepresentable & CaseIterable>(_ raw: String, _ type: T.Type, parameter: String) throws -> T where T.RawValue == String {
        guard let v = T(rawValue: raw) else {
            let valid = T.allCases.map(\.rawValue)
            throw RelaisError(.invalid, "Paramètre « \(parameter) » : « \(raw) » inconnu ; valeurs possibles : \(valid.joined(separator: ", ")).", parameter: parameter, details: ["valid": valid])
        }
        return v
    }
}
