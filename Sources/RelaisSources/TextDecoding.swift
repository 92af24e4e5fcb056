/// Bytes → text, refusing to guess wrong: a payload that is UTF-8 but broken
/// is an error (never U+FFFD, never mojibake); one that has no UTF-8 at all is
/// read as Windows-1252, the encoding of French spreadsheet exports.
public enum TextDecoding {
    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    static let cp1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// Decodes `bytes`. `encoding` is the manifest's choice (`auto` by default).
    public static func decode(_ bytes: [UInt8], encoding: String = "auto") throws -> String {
        var body = bytes[...]
        let hasBOM = body.starts(with: [0xEF, 0xBB, 0xBF])
        if hasBOM { body = body.dropFirst(3) }
        switch encoding.lowercased() {
        case "utf-8", "utf8": return try utf8(body)
        case "windows-1252", "cp1252", "latin-1", "iso-8859-1", "iso-8859-15": return try cp1252(body)
        default: break
        }
        if hasBOM { return try utf8(body) }
        if let s = String(validating: body, as: UTF8.self) { return s }
        // Broken UTF-8 or another encoding? Valid multi-byte sequences mean UTF-8.
        if containsUTF8Sequence(body) { return try utf8(body) }
        return try cp1252(body)
    }

    static func utf8(_ body: ArraySlice<UInt8>) throws -> String {
        if let s = String(validating: body, as: UTF8.self) { return s }
        let offset = firstInvalidUTF8(body) ?? 0
        throw Error(description: "invalid UTF-8 at line \(line(of: offset, in: body)) (offset \(offset)) — encodage UTF-8 invalide")
    }

    static func cp1252(_ body: ArraySlice<UInt8>) throws -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(body.count)
        for (i, b) in body.enumerated() {
            if b < 0x80 || b >= 0xA0 {
                scalars.append(Unicode.Scalar(b))
            } else {
                let v = cp1252High[Int(b - 0x80)]
                guard v != 0, let s = Unicode.Scalar(v) else {
                    throw Error(description: "byte 0x\(String(b, radix: 16, uppercase: true)) is not a character in Windows-1252 or UTF-8, at line \(line(of: i, in: body)) (offset \(i))")
                }
                scalars.append(s)
            }
        }
        return String(scalars)
    }

    static func containsUTF8Sequence(_ body: ArraySlice<UInt8>) -> Bool {
        var i = body.startIndex
        while i < body.endIndex {
            let b = body[i]
            let n = b >= 0xF0 && b < 0xF5 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0
            if n > 0, i + n <= body.endIndex, body[(i + 1)..<(i + n)].allSatisfy({ $0 & 0xC0 == 0x80 }) { return true }
            i += 1
        }
        return false
    }

    static func firstInvalidUTF8(_ body: ArraySlice<UInt8>) -> Int? {
        var i = body.startIndex
        while i < body.endIndex {
            let b = body[i]
            if b < 0x80 { i += 1; continue }
            let n = b >= 0xF0 && b < 0xF5 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0
            if n == 0 || i + n > body.endIndex || !body[(i + 1)..<(i + n)].allSatisfy({ $0 & 0xC0 == 0x80 }) {
                return i - body.startIndex
            }
            i += n
        }
        return nil
    }

    /// 1-based line (counting LF) of a byte offset.
    static func line(of offset: Int, in body: ArraySlice<UInt8>) -> Int {
        1 + body.prefix(offset).filter { $0 == 0x0A }.count
    }
}
