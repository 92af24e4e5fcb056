/// A JSON text parsed in one pass into a flat list of nodes (a "tape"), values left as
/// byte ranges of the text: nothing is allocated per value, and a reader decodes only the
/// members it reads. An HSDS page of 1,000 services is about 2 MB; building Foundation's
/// tree of dictionaries for it, then reading records out of that tree, was 40 % of an
/// HSDS import's CPU.
///
/// The parser reads RFC 8259 as `JSONSerialization` does (its oracle in the tests): one
/// value, the grammar of numbers, finite numbers only, escapes, no control characters in
/// strings, well-formed UTF-8, no lone surrogate, nesting at most 512 deep; like it, it
/// tolerates a comma before a closing bracket. It is total: every input is a tape or a
/// `JSONTape.Failure` with the byte where reading stopped, never a trap.
public final class JSONTape: Sendable {
    public enum Kind: UInt8, Sendable {
        case object, array, string, number, `true`, `false`, null
    }

    struct Node: Sendable {
        var kind: Kind
        /// A string holds a backslash: decoded when read.
        var escaped: Bool
        /// Text of a string (inside its quotes) or number; a container's opening bracket.
        var start: Int
        var end: Int
        /// The node after this one's subtree (the next sibling, or the parent's end).
        var next: Int
    }

    /// Why a text is not JSON: where reading stopped, and whether the text ended early.
    public struct Failure: Error, Sendable, Equatable {
        public var offset: Int
        public var truncated: Bool
        public var reason: String
    }

    let bytes: [UInt8]
    let nodes: [Node]

    public static let maxDepth = 512

    public init(_ bytes: [UInt8]) throws(Failure) {
        self.bytes = bytes
        var p = Parser()
        p.nodes.reserveCapacity(bytes.count / 12 + 4)
        try bytes.withUnsafeBufferPointer { (b) throws(Failure) in
            var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            i = Parser.skipSpace(b, i)
            try p.value(b, &i, depth: 0)
            i = Parser.skipSpace(b, i)
            guard i == b.count else { throw Failure(offset: i, truncated: false, reason: "texte après la fin du document") }
        }
        nodes = p.nodes
    }

    /// The document's value.
    public var root: JSONRef { JSONRef(tape: self, index: 0) }

    // MARK: - Parsing

    struct Parser {
        var nodes: [Node] = []

        static func skipSpace(_ b: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
            var i = from
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
            return i
        }

        static func end(_ i: Int, _ what: String) -> Failure { Failure(offset: i, truncated: true, reason: what) }
        static func bad(_ i: Int, _ what: String) -> Failure { Failure(offset: i, truncated: false, reason: what) }

        mutating func value(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, depth: Int) throws(Failure) {
            guard i < b.count else { throw Self.end(i, "valeur attendue") }
            switch b[i] {
            case UInt8(ascii: "{"): try container(b, &i, depth: depth, object: true)
            case UInt8(ascii: "["): try container(b, &i, depth: depth, object: false)
            case UInt8(ascii: "\""): try string(b, &i)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(b, &i)
            case UInt8(ascii: "t"): try literal(b, &i, "true", .true)
            case UInt8(ascii: "f"): try literal(b, &i, "false", .false)
            case UInt8(ascii: "n"): try literal(b, &i, "null", .null)
            default: throw Self.bad(i, "caractère inattendu")
            }
        }

        mutating func container(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, depth: Int, object: Bool) throws(Failure) {
            guard depth < JSONTape.maxDepth else { throw Self.bad(i, "imbrication de plus de \(JSONTape.maxDepth) niveaux") }
            let me = nodes.count
            nodes.append(Node(kind: object ? .object : .array, escaped: false, start: i, end: i, next: 0))
            let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i = Self.skipSpace(b, i + 1)
            guard i < b.count else { throw Self.end(i, object ? "« } » attendu" : "« ] » attendu") }
            if b[i] == close {
                i += 1
            } else {
                while true {
                    if object {
                        guard i < b.count else { throw Self.end(i, "nom de membre attendu") }
                        guard b[i] == UInt8(ascii: "\"") else { throw Self.bad(i, "nom de membre attendu") }
                        try string(b, &i)
                        i = Self.skipSpace(b, i)
                        guard i < b.count else { throw Self.end(i, "« : » attendu") }
                        guard b[i] == UInt8(ascii: ":") else { throw Self.bad(i, "« : » attendu") }
                        i = Self.skipSpace(b, i + 1)
                    }
                    try value(b, &i, depth: depth + 1)
                    i = Self.skipSpace(b, i)
                    guard i < b.count else { throw Self.end(i, object ? "« , » ou « } » attendu" : "« , » ou « ] » attendu") }
                    if b[i] == UInt8(ascii: ",") {
                        i = Self.skipSpace(b, i + 1)
                        // A comma before the closing bracket is tolerated, as Foundation tolerates it.
                        if i < b.count, b[i] == close {
                            i += 1
                            break
                        }
                        continue
                    }
                    guard b[i] == close else { throw Self.bad(i, object ? "« , » ou « } » attendu" : "« , » ou « ] » attendu") }
                    i += 1
                    break
                }
            }
            nodes[me].end = i
            nodes[me].next = nodes.count
        }

        mutating func string(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(Failure) {
            let start = i + 1
            var j = start
            var escaped = false
            while true {
                guard j < b.count else { throw Self.end(j, "chaîne non terminée") }
                let c = b[j]
                if c == UInt8(ascii: "\"") { break }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    guard j + 1 < b.count else { throw Self.end(j, "chaîne non terminée") }
                    switch b[j + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        j += 2
                    case UInt8(ascii: "u"):
                        guard let unit = Self.hex4(b, j + 2) else {
                            throw j + 6 > b.count ? Self.end(j, "chaîne non terminée") : Self.bad(j, "séquence \\u invalide")
                        }
                        j += 6
                        if (0xD800...0xDBFF).contains(unit) {
                            // A high surrogate needs its low half right after it.
                            guard j + 1 < b.count, b[j] == UInt8(ascii: "\\"), b[j + 1] == UInt8(ascii: "u"),
                                let low = Self.hex4(b, j + 2), (0xDC00...0xDFFF).contains(low)
                            else { throw Self.bad(j - 6, "demi-caractère UTF-16 isolé") }
                            j += 6
                        } else if (0xDC00...0xDFFF).contains(unit) {
                            throw Self.bad(j - 6, "demi-caractère UTF-16 isolé")
                        }
                    default:
                        throw Self.bad(j, "échappement invalide")
                    }
                    continue
                }
                if c < 0x20 { throw Self.bad(j, "caractère de contrôle dans une chaîne") }
                if c < 0x80 {
                    j += 1
                    continue
                }
                guard let n = Self.utf8Sequence(b, j) else { throw Self.bad(j, "UTF-8 invalide") }
                j += n
            }
            nodes.append(Node(kind: .string, escaped: escaped, start: start, end: j, next: nodes.count + 1))
            i = j + 1
        }

        /// The length of the well-formed UTF-8 sequence of more than one byte starting at `i`, or nil.
        static func utf8Sequence(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
            func cont(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool { k < b.count && range.contains(b[k]) }
            switch b[i] {
            case 0xC2...0xDF: return cont(i + 1) ? 2 : nil
            case 0xE0: return cont(i + 1, 0xA0...0xBF) && cont(i + 2) ? 3 : nil
            case 0xE1...0xEC, 0xEE...0xEF: return cont(i + 1) && cont(i + 2) ? 3 : nil
            case 0xED: return cont(i + 1, 0x80...0x9F) && cont(i + 2) ? 3 : nil
            case 0xF0: return cont(i + 1, 0x90...0xBF) && cont(i + 2) && cont(i + 3) ? 4 : nil
            case 0xF1...0xF3: return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : nil
            case 0xF4: return cont(i + 1, 0x80...0x8F) && cont(i + 2) && cont(i + 3) ? 4 : nil
            default: return nil
            }
        }

        static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32? {
            guard i + 4 <= b.count else { return nil }
            var v: UInt32 = 0
            for k in i..<i + 4 {
                let c = b[k]
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(Failure) {
            let start = i
            var j = i
            func digits() -> Int {
                let from = j
                while j < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[j]) { j += 1 }
                return j - from
            }
            func need(_ what: String) throws(Failure) {
                throw j >= b.count ? Self.end(j, what) : Self.bad(j, what)
            }
            if b[j] == UInt8(ascii: "-") { j += 1 }
            if j < b.count, b[j] == UInt8(ascii: "0") {
                j += 1
            } else if digits() == 0 {
                try need("chiffre attendu")
            }
            if j < b.count, b[j] == UInt8(ascii: ".") {
                j += 1
                if digits() == 0 { try need("chiffre attendu après le point") }
            }
            var exponent = false
            if j < b.count, b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") {
                exponent = true
                j += 1
                if j < b.count, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") { j += 1 }
                if digits() == 0 { try need("chiffre attendu dans l’exposant") }
            }
            // Beyond a Double (`1e400`): refused, as Foundation refuses it, rather than read as infinity.
            // Only an exponent or more than 300 digits can get there.
            if exponent || j - start > 300 {
                let finite = Double(String(decoding: UnsafeBufferPointer(rebasing: b[start..<j]), as: UTF8.self))?.isFinite ?? false
                guard finite else { throw Self.bad(start, "nombre hors limites") }
            }
            nodes.append(Node(kind: .number, escaped: false, start: start, end: j, next: nodes.count + 1))
            i = j
        }

        mutating func literal(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ word: StaticString, _ kind: Kind) throws(Failure) {
            let n = word.utf8CodeUnitCount
            for k in 0..<n {
                guard i + k < b.count else { throw Self.end(i + k, "« \(word) » attendu") }
                guard b[i + k] == word.utf8Start[k] else { throw Self.bad(i, "caractère inattendu") }
            }
            nodes.append(Node(kind: kind, escaped: false, start: i, end: i + n, next: nodes.count + 1))
            i += n
        }
    }

    // MARK: - Reading

    /// The text of a string node (escapes decoded) or of a number.
    func text(_ n: Node) -> String {
        if !n.escaped { return String(decoding: bytes[n.start..<n.end], as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(n.end - n.start)
        var j = n.start
        // The parser checked every escape: what is left cannot fail.
        while j < n.end {
            let c = bytes[j]
            guard c == UInt8(ascii: "\\"), j + 1 < n.end else {
                out.append(c)
                j += 1
                continue
            }
            switch bytes[j + 1] {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex(j + 2)
                j += 6
                if (0xD800...0xDBFF).contains(scalar), j + 6 <= n.end {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex(j + 2) - 0xDC00)
                    j += 6
                }
                out.append(contentsOf: Unicode.Scalar(scalar).map { Array(String($0).utf8) } ?? [0xEF, 0xBF, 0xBD])
                continue
            default: out.append(bytes[j + 1])
            }
            j += 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func hex(_ i: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in i..<min(i + 4, bytes.count) {
            let c = bytes[k]
            let d: UInt8 = c <= UInt8(ascii: "9") ? c &- UInt8(ascii: "0") : (c | 0x20) &- UInt8(ascii: "a") &+ 10
            v = v << 4 | UInt32(d & 0x0F)
        }
        return v
    }

    /// Whether a string node's text is `key`, without decoding an unescaped one.
    func equals(_ n: Node, _ key: String) -> Bool {
        if n.escaped { return text(n) == key }
        let length = n.end - n.start
        var key = key
        return key.withUTF8 { k in
            guard k.count == length else { return false }
            return bytes.withUnsafeBufferPointer { b in
                for t in 0..<length where b[n.start + t] != k[t] { return false }
                return true
            }
        }
    }
}

/// One value of a tape.
public struct JSONRef: Sendable {
    let tape: JSONTape
    let index: Int

    var node: JSONTape.Node { tape.nodes[index] }
    public var kind: JSONTape.Kind { node.kind }

    /// A member of an object (the first of that name); nil when absent, null, or not an object.
    public subscript(key: String) -> JSONRef? {
        let n = node
        guard n.kind == .object else { return nil }
        var k = index + 1
        while k < n.next {
            let value = k + 1
            if tape.equals(tape.nodes[k], key) {
                return tape.nodes[value].kind == .null ? nil : JSONRef(tape: tape, index: value)
            }
            k = tape.nodes[value].next
        }
        return nil
    }

    /// The elements of an array (none for anything else).
    public var elements: [JSONRef] {
        let n = node
        guard n.kind == .array else { return [] }
        var out: [JSONRef] = []
        var k = index + 1
        while k < n.next {
            out.append(JSONRef(tape: tape, index: k))
            k = tape.nodes[k].next
        }
        return out
    }

    /// The members of an object, in order (none for anything else).
    public var members: [(key: String, value: JSONRef)] {
        let n = node
        guard n.kind == .object else { return [] }
        var out: [(key: String, value: JSONRef)] = []
        var k = index + 1
        while k < n.next {
            out.append((tape.text(tape.nodes[k]), JSONRef(tape: tape, index: k + 1)))
            k = tape.nodes[k + 1].next
        }
        return out
    }

    /// A string's text, or a number's as written.
    public var scalarText: String? {
        let n = node
        switch n.kind {
        case .string, .number: return tape.text(n)
        case .true: return "true"
        case .false: return "false"
        default: return nil
        }
    }

    public var bool: Bool? {
        switch node.kind {
        case .true: return true
        case .false: return false
        default: return nil
        }
    }
}
