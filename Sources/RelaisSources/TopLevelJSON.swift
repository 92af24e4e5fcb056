import Foundation

/// The members of a JSON object's top level, found without building the values they
/// hold: what a paged API's fetch needs from each page (`total_pages`, `last_page`, whether
/// `contents` is empty) costs one pass over the bytes, not a parse of a thousand services.
/// Nested values are skipped over (strings, brackets), not checked: the page is parsed in
/// full when it is read, and a broken page fails the run then.
public struct TopLevelJSON: Sendable {
    private let bytes: [UInt8]
    private var members: [String: Range<Int>] = [:]
    /// The document is an object (else it has no members).
    public private(set) var isObject = false

    init(_ d: Document) throws {
        try self.init(bytes: d.body, url: d.url, status: d.status)
    }

    public init(bytes: [UInt8], url: String, status: Int = 200) throws {
        self.bytes = bytes
        var i = Self.skipSpace(bytes, bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0)
        if i < bytes.count, bytes[i] == UInt8(ascii: "<") {
            throw ReadError.htmlInsteadOfJSON(url, status: status)
        }
        func broken(_ truncated: Bool) -> ReadError {
            ReadError.brokenJSON(url, truncated: truncated, detail: "octet \(i)")
        }
        guard i < bytes.count else { throw broken(true) }
        // Not an object: no members (the caller says what it expected).
        guard bytes[i] == UInt8(ascii: "{") else { return }
        i = Self.skipSpace(bytes, i + 1)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard i < bytes.count else { throw broken(true) }
                guard bytes[i] == UInt8(ascii: "\"") else { throw broken(false) }
                guard let keyEnd = Self.skipString(bytes, i) else { throw broken(true) }
                let key = Self.string(bytes[i..<keyEnd])
                i = Self.skipSpace(bytes, keyEnd)
                guard i < bytes.count else { throw broken(true) }
                guard bytes[i] == UInt8(ascii: ":") else { throw broken(false) }
                let start = Self.skipSpace(bytes, i + 1)
                guard start < bytes.count else { throw broken(true) }
                guard let end = Self.skipValue(bytes, start) else { throw broken(true) }
                guard end > start else { throw broken(false) }
                if let key, members[key] == nil { members[key] = start..<end }
                i = Self.skipSpace(bytes, end)
                guard i < bytes.count else { throw broken(true) }
                if bytes[i] == UInt8(ascii: ",") {
                    i = Self.skipSpace(bytes, i + 1)
                    continue
                }
                guard bytes[i] == UInt8(ascii: "}") else { throw broken(false) }
                i += 1
                break
            }
        }
        guard Self.skipSpace(bytes, i) == bytes.count else { throw broken(false) }
        isObject = true
    }

    /// A member's value, parsed (nil when absent, or not a value on its own).
    public func value(_ key: String) -> Any? {
        guard let r = members[key] else { return nil }
        guard let v = try? JSONSerialization.jsonObject(with: Data(bytes[r]), options: [.fragmentsAllowed]), !(v is NSNull) else { return nil }
        return v
    }

    public func isArray(_ key: String) -> Bool {
        members[key].map { bytes[$0.lowerBound] == UInt8(ascii: "[") } ?? false
    }

    /// `[]`, spaces allowed.
    public func isEmptyArray(_ key: String) -> Bool {
        guard let r = members[key], bytes[r.lowerBound] == UInt8(ascii: "[") else { return false }
        return Self.skipSpace(bytes, r.lowerBound + 1) == r.upperBound - 1
    }

    // MARK: - Scanning (every function returns an index within 0...bytes.count, or nil at a premature end)

    /// Past white space.
    static func skipSpace(_ b: [UInt8], _ from: Int) -> Int {
        var i = from
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    /// Past the string opening at `from` (a quote), escapes included.
    static func skipString(_ b: [UInt8], _ from: Int) -> Int? {
        var i = from + 1
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// Past the value starting at `from`: a string, an object or array (brackets counted,
    /// strings skipped), or a scalar (up to the next delimiter).
    static func skipValue(_ b: [UInt8], _ from: Int) -> Int? {
        guard from < b.count else { return nil }
        switch b[from] {
        case UInt8(ascii: "\""):
            return skipString(b, from)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = from
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(b, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default:
                    break
                }
                i += 1
            }
            return nil
        default:
            var i = from
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return i
                default: i += 1
                }
            }
            return i
        }
    }

    /// A key's text (escapes decoded by the JSON parser when there are any).
    static func string(_ quoted: ArraySlice<UInt8>) -> String? {
        if !quoted.contains(UInt8(ascii: "\\")), quoted.count >= 2 {
            return String(decoding: quoted.dropFirst().dropLast(), as: UTF8.self)
        }
        return (try? JSONSerialization.jsonObject(with: Data(quoted), options: [.fragmentsAllowed])) as? String
    }
}
