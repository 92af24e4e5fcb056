import Foundation

/// French phone numbers to E.164.
public enum PhoneNumber {
    /// Overseas prefixes: national `0` + 3 digits → country code (E.164 without `+`).
    static let overseas: [(national: String, country: String)] = [
        ("0262", "262"), ("0263", "262"), ("0692", "262"), ("0693", "262"),  // La Réunion / Mayotte fixed & mobile
        ("0269", "262"),  // Mayotte fixed
        ("06390", "262"), ("06391", "262"), ("06392", "262"), ("06393", "262"), ("06394", "262"), ("06395", "262"),
        ("06396", "262"),  // Mayotte mobile (06 39 98 stays metropolitan: an ARCEP fiction block)
        ("0590", "590"), ("0690", "590"), ("0691", "590"),  // Guadeloupe, Saint-Martin, Saint-Barthélemy
        ("0594", "594"), ("0694", "594"),  // Guyane
        ("0596", "596"), ("0696", "596"),  // Martinique
        ("0508", "508"),  // Saint-Pierre-et-Miquelon
    ]

    /// One number in any usual French writing → `+33…` (or an overseas code), or nil.
    /// Short national numbers (15, 112, 3114) are returned as written.
    public static func e164(_ raw: String) -> String? {
        // Digits only, remembering a leading "+" or "00" and dropping a "(0)" trunk zero.
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var plus = false
        var seenDigit = false
        let b = Array(raw.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x28, i + 2 < b.count, b[i + 1] == 0x30, b[i + 2] == 0x29 { i += 3; continue }
            if c >= 0x30 && c <= 0x39 {
                digits.append(c)
                seenDigit = true
            } else if c == 0x2B && !seenDigit {
                plus = true
            }
            i += 1
        }
        if !plus, digits.count > 2, digits[0] == 0x30, digits[1] == 0x30 {
            plus = true
            digits.removeFirst(2)
        }
        let d = String(decoding: digits, as: UTF8.self)
        if plus {
            if d.hasPrefix("33") {
                let rest = d.dropFirst(2)
                guard rest.count == 9, rest.first != "0" else { return nil }
                return "+33" + rest
            }
            if ["262", "590", "594", "596", "508", "269"].contains(where: { d.hasPrefix($0) }) {
                guard d.count == 12 else { return nil }
                return "+" + d
            }
            guard (8...15).contains(d.count) else { return nil }
            return "+" + d
        }
        if [2, 3, 4].contains(d.count), !d.hasPrefix("0") { return d }  // 15, 112, 3114
        guard d.count == 10, digits[0] == 0x30, digits[1] != 0x30 else { return nil }
        for (national, country) in overseas where d.hasPrefix(national) {
            return "+" + country + d.dropFirst()
        }
        return "+33" + d.dropFirst()
    }

    /// The national way of writing a number, as libphonenumber formats it: `01 42 63 03 03`,
    /// `0 800 23 52 36` (special-rate and free numbers), `0262 99 41 27` (overseas);
    /// short numbers (`3114`) and numbers of other countries stay as they are.
    public static func national(_ e164: String) -> String {
        let digits = Array(e164.utf8.filter { $0 >= 0x30 && $0 <= 0x39 })
        func group(_ d: [UInt8], _ sizes: [Int]) -> String {
            var out: [String] = []
            var i = 0
            for n in sizes where i < d.count {
                out.append(String(decoding: d[i..<min(d.count, i + n)], as: UTF8.self))
                i += n
            }
            if i < d.count { out.append(String(decoding: d[i...], as: UTF8.self)) }
            return out.joined(separator: " ")
        }
        guard e164.hasPrefix("+") else { return e164 }
        if digits.count == 11, digits.starts(with: Array("33".utf8)) {
            let national = [UInt8(ascii: "0")] + digits.dropFirst(2)
            return national[1] == UInt8(ascii: "8") ? group(national, [1, 3, 2, 2, 2]) : group(national, [2, 2, 2, 2, 2])
        }
        // Overseas departments: +262, +590, +594, +596 then nine digits → 0ABC DD DD DD.
        if digits.count == 12, ["262", "590", "594", "596"].contains(where: { digits.starts(with: Array($0.utf8)) }) {
            return group([UInt8(ascii: "0")] + digits.dropFirst(3), [4, 2, 2, 2])
        }
        // Saint-Pierre-et-Miquelon: +508 then six digits → 0DD DD DD.
        if digits.count == 9, digits.starts(with: Array("508".utf8)) {
            return group([UInt8(ascii: "0")] + digits.dropFirst(3), [3, 2, 2])
        }
        return e164
    }

    /// Every phone number found in a field ("03 80 … et 06 …", "04 … / 06 …").
    /// Returns the numbers in source order and the fragments that looked like
    /// a number but were not valid.
    public static func extract(_ text: String) -> (numbers: [String], invalid: [String]) {
        var numbers: [String] = []
        var invalid: [String] = []
        for candidate in candidates(in: text) {
            // Only what starts like a French or international number: a date or a
            // reference number in prose is not a phone.
            guard candidate.hasPrefix("0") || candidate.hasPrefix("+") else { continue }
            if let n = e164(candidate) {
                if !numbers.contains(n) { numbers.append(n) }
            } else {
                invalid.append(candidate.trimmingCharacters(in: .whitespaces))
            }
        }
        return (numbers, invalid)
    }

    /// Runs of digits, spaces, dots, dashes and a leading `+`, long enough to be a phone number.
    public static func candidates(in text: String) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        var digitCount = 0
        func flush() {
            while let l = current.last, l == 0x20 || l == 0x2E || l == 0x2D || l == 0x2F { current.removeLast() }
            if digitCount >= 8 || (current.first == 0x2B && digitCount >= 6) { out.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
            digitCount = 0
        }
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            // "(0)" after +33 is a trunk zero to drop; U+00A0 and U+202F are spaces.
            if c == 0x28, i + 2 < b.count, b[i + 1] == 0x30, b[i + 2] == 0x29 { i += 3; continue }
            var sep = c == 0x20 || c == 0x2E || c == 0x2D
            var width = 1
            if c == 0xC2, i + 1 < b.count, b[i + 1] == 0xA0 { sep = true; width = 2 }
            if c == 0xE2, i + 2 < b.count, b[i + 1] == 0x80, b[i + 2] == 0xAF { sep = true; width = 3 }
            if c >= 0x30 && c <= 0x39 {
                // A new number starts after a separator when the current one is complete (10 digits).
                if digitCount >= 10, let l = current.last, l == 0x20 || l == 0x2E, current.first != 0x2B { flush() }
                current.append(c)
                digitCount += 1
            } else if c == 0x2B && digitCount == 0 {
                current = [0x2B]
            } else if sep && !current.isEmpty {
                current.append(width == 1 ? c : 0x20)
            } else {
                flush()
            }
            i += width
        }
        flush()
        return out
    }
}

/// E-mail addresses: de-obfuscation and validation.
public enum EmailAddress {
    /// `gem.x [at] orange [dot] fr`, `x(at)y.fr`, `x arobase y point fr` → `gem.x@orange.fr`.
    static let obfuscations: [(NSRegularExpression, String)] = [
        (#"\s*[\[\(\{]\s*(at|arobase|chez)\s*[\]\)\}]\s*"#, "@"),
        (#"\s*[\[\(\{]\s*(dot|point)\s*[\]\)\}]\s*"#, "."),
        (#"\s+(arobase)\s+"#, "@"),
    ].map { (try! NSRegularExpression(pattern: $0.0, options: [.caseInsensitive]), $0.1) }

    /// Runs of the characters an address is made of (`[A-Za-z0-9._%+'-@]`): those with an
    /// "@", and those ending like a domain (`x.fr`), trailing punctuation left out. One pass
    /// over the text: a regular expression with two unbounded repetitions took quadratic time
    /// on a long run such as `A.A.A.…` (32 KB: 20 s).
    static func candidates(_ s: String) -> [String] {
        var out: [String] = []
        func allowed(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2E || b == 0x5F || b == 0x25 || b == 0x2B || b == 0x27 || b == 0x2D || b == 0x40
        }
        func letter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        for run in s.utf8.split(whereSeparator: { !allowed($0) }) {
            var bytes = Array(run)
            // Punctuation that ends a sentence or a quote is not part of an address.
            while let l = bytes.last, l == 0x2E || l == 0x2D || l == 0x27 || l == 0x2B || l == 0x25 { bytes.removeLast() }
            while let f = bytes.first, f == 0x2E || f == 0x2D || f == 0x27 { bytes.removeFirst() }
            guard bytes.count >= 4, bytes.count <= 320 else { continue }
            if bytes.contains(0x40) {
                out.append(String(decoding: bytes, as: UTF8.self))
                continue
            }
            // A domain-like ending: "." then at least two letters.
            guard let dot = bytes.lastIndex(of: 0x2E), bytes.count - dot - 1 >= 2, bytes[(dot + 1)...].allSatisfy(letter) else { continue }
            out.append(String(decoding: bytes, as: UTF8.self))
        }
        return out
    }

    public static func deobfuscate(_ raw: String) -> String {
        guard raw.utf8.contains(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: "{") }) || Text.has(raw, "arobase") || Text.has(raw, "AROBASE") else {
            return raw
        }
        // Whitespace runs collapsed first: `\s*` around the markers is then linear.
        var s = raw.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        for (re, r) in obfuscations {
            s = re.stringByReplacingMatches(in: s, range: NSRange(location: 0, length: (s as NSString).length), withTemplate: r)
        }
        return s
    }

    /// A validated, lower-cased address, or nil.
    public static func normalize(_ raw: String) -> String? {
        var b = Array(deobfuscate(raw).utf8)
        // Trim spaces and punctuation around it, and a "mailto:" prefix.
        let strip: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x3C, 0x3E, 0x2E, 0x2C, 0x3B, 0x3A, 0x28, 0x29, 0x5B, 0x5D, 0x22, 0x27]
        while let f = b.first, strip.contains(f) { b.removeFirst() }
        while let l = b.last, strip.contains(l) { b.removeLast() }
        for i in b.indices where b[i] >= 0x41 && b[i] <= 0x5A { b[i] += 32 }
        if b.starts(with: Array("mailto:".utf8)) { b.removeFirst(7) }
        let s = String(decoding: b, as: UTF8.self)
        return isValid(s) ? s : nil
    }

    public static func isValid(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard let at = b.firstIndex(of: 0x40), b.lastIndex(of: 0x40) == at, at > 0, at <= 64 else { return false }
        let local = b[..<at], domain = b[(at + 1)...]
        func alnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) }
        let localOK = local.allSatisfy { alnum($0) || [0x2E, 0x5F, 0x25, 0x2B, 0x2D, 0x27].contains($0) }
            && local.first != 0x2E && local.last != 0x2E && !zip(local, local.dropFirst()).contains { $0 == 0x2E && $1 == 0x2E }
        guard localOK else { return false }
        let labels = domain.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, tld.count >= 2, tld.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) }) else { return false }
        return labels.allSatisfy { l in !l.isEmpty && l.first != 0x2D && l.last != 0x2D && l.allSatisfy { alnum($0) || $0 == 0x2D } }
    }

    /// Every address in a text. Fragments that look like an address but are not
    /// valid are returned apart, so they can be flagged rather than stored.
    ///
    /// An address whose "@" was lost (`gemgrandlargegmail [dot] com`) is
    /// recovered when a known mail domain ends the local part.
    public static func extract(_ text: String) -> (emails: [String], invalid: [String]) {
        let s = deobfuscate(text)
        // Fast path: plain words, some with "@".
        if !s.utf8.contains(where: { $0 == 0x5B || $0 == 0x28 || $0 == 0x7B }) && s.utf8.contains(0x40) && s.utf8.count < 200 {
            var emails: [String] = [], invalid: [String] = []
            // Split on bytes: the separators are ASCII, and comparing Characters was most of the cost.
            let words = s.utf8.split(whereSeparator: { b in
                switch b {
                case 0x20, 0x2C, 0x3B, 0x09, 0x0A, 0x0D, 0x3C, 0x3E, 0x28, 0x29, 0x22, 0x27: return true
                default: return false
                }
            })
            for bytes in words where bytes.contains(0x40) {
                let word = Substring(bytes)
                if let e = normalize(String(word)) {
                    if !emails.contains(e) { emails.append(e) }
                } else {
                    var w = word
                    while let l = w.last, l == "." || l == ":" { w = w.dropLast() }
                    invalid.append(String(w))
                }
            }
            return (emails, invalid)
        }
        var emails: [String] = []
        var invalid: [String] = []
        guard s.utf8.contains(UInt8(ascii: ".")) || s.utf8.contains(UInt8(ascii: "@")) else { return ([], []) }
        for cand in candidates(s) {
            if cand.contains("@") {
                if let e = normalize(cand) {
                    if !emails.contains(e) { emails.append(e) }
                } else {
                    invalid.append(cand)
                }
            } else if let recovered = recoverMissingAt(cand) {
                if !emails.contains(recovered) { emails.append(recovered) }
            }
        }
        return (emails, invalid)
    }

    static let knownDomains = [
        "gmail.com", "hotmail.com", "hotmail.fr", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "yahoo.fr",
        "yahoo.com", "outlook.fr", "outlook.com", "sfr.fr", "neuf.fr", "live.fr", "aol.com", "icloud.com", "gmx.fr",
    ]

    /// `gemgrandlargegmail.com` → `gemgrandlarge@gmail.com` when a known mail provider ends it.
    static func recoverMissingAt(_ s: String) -> String? {
        let l = s.lowercased()
        // Only for obfuscated text: a plain web domain like "unafam.org" is not an e-mail.
        for d in knownDomains where l.hasSuffix(d) {
            let provider = d.split(separator: ".")[0]
            let local = l.dropLast(d.count)
            guard local.count >= 3, !local.hasSuffix("."), !local.hasSuffix("www"), !l.hasPrefix("www.") else { continue }
            _ = provider
            let e = String(local) + "@" + d
            return isValid(e) ? e : nil
        }
        return nil
    }
}

/// Web addresses.
public enum WebAddress {
    /// `www.x.fr` → `https://www.x.fr`; anything that is not http(s) → nil.
    public static func normalize(_ raw: String) -> String? {
        var s = raw.trimmed
        guard !s.isEmpty, !s.contains(" "), !s.contains("@") || s.lowercased().hasPrefix("http") else { return nil }
        if s.lowercased().hasPrefix("www.") { s = "https://" + s }
        guard let c = URLComponents(string: s), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = c.host, host.contains(".")
        else { return nil }
        return s
    }
}
