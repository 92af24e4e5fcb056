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
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // "+33 (0)5 36 …": the trunk zero in brackets is dropped.
        s = s.replacingOccurrences(of: "(0)", with: "")
        let plus = s.hasPrefix("+") || s.hasPrefix("00")
        var digits = s.filter { $0.isASCII && $0.isNumber }
        if s.hasPrefix("00") { digits.removeFirst(2) }
        if plus {
            if digits.hasPrefix("33") {
                let rest = digits.dropFirst(2)
                guard rest.count == 9, rest.first != "0" else { return nil }
                // +33 6 39 … for a Mayotte/Réunion mobile is still +33: keep it as written.
                return "+33" + rest
            }
            if ["262", "590", "594", "596", "508", "269"].contains(where: { digits.hasPrefix($0) }) {
                guard digits.count == 12 else { return nil }
                return "+" + digits
            }
            guard (8...15).contains(digits.count) else { return nil }
            return "+" + digits
        }
        if [2, 3, 4].contains(digits.count), !digits.hasPrefix("0") { return digits }  // 15, 112, 3114
        guard digits.count == 10, digits.hasPrefix("0"), digits.dropFirst().first != "0" else { return nil }
        for (national, country) in overseas where digits.hasPrefix(national) {
            return "+" + country + digits.dropFirst()
        }
        return "+33" + digits.dropFirst()
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
    static func candidates(in text: String) -> [String] {
        let t = text.replacingOccurrences(of: "\u{A0}", with: " ").replacingOccurrences(of: "\u{202F}", with: " ")
            .replacingOccurrences(of: "(0)", with: "")
        var out: [String] = []
        var current = ""
        var digitCount = 0
        func flush() {
            let trimmed = current.trimmingCharacters(in: CharacterSet(charactersIn: " .-/"))
            if digitCount >= 8 || (trimmed.hasPrefix("+") && digitCount >= 6) { out.append(trimmed) }
            current = ""
            digitCount = 0
        }
        let chars = Array(t)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isASCII && c.isNumber {
                // A new number starts after a separator when the current one is complete (10 digits).
                if digitCount >= 10 && (current.last == " " || current.last == ".") && !current.hasPrefix("+") { flush() }
                current.append(c)
                digitCount += 1
            } else if c == "+" && digitCount == 0 {
                current = "+"
            } else if (c == " " || c == "." || c == "-") && !current.isEmpty {
                // Time-like "14h": not part of a number. A separator is kept only between digits.
                current.append(c)
            } else {
                flush()
            }
            i += 1
        }
        flush()
        return out
    }
}

/// E-mail addresses: de-obfuscation and validation.
public enum EmailAddress {
    /// `gem.x [at] orange [dot] fr`, `x(at)y.fr`, `x arobase y point fr` → `gem.x@orange.fr`.
    public static func deobfuscate(_ raw: String) -> String {
        var s = raw
        let patterns: [(String, String)] = [
            (#"\s*[\[\(\{]\s*(at|arobase|chez)\s*[\]\)\}]\s*"#, "@"),
            (#"\s*[\[\(\{]\s*(dot|point)\s*[\]\)\}]\s*"#, "."),
            (#"\s+(arobase)\s+"#, "@"),
        ]
        for (p, r) in patterns {
            s = s.replacingOccurrences(of: p, with: r, options: [.regularExpression, .caseInsensitive])
        }
        return s
    }

    /// A validated, lower-cased address, or nil.
    public static func normalize(_ raw: String) -> String? {
        let s = deobfuscate(raw).trimmingCharacters(in: .whitespacesAndNewlines)
            .trimmingCharacters(in: CharacterSet(charactersIn: "<>.,;:()[]\"'"))
            .replacingOccurrences(of: "mailto:", with: "", options: .caseInsensitive)
            .lowercased()
        guard isValid(s) else { return nil }
        return s
    }

    public static func isValid(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let local = parts[0], domain = parts[1]
        let localOK = local.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._%+-'".contains($0)) }
            && !local.hasPrefix(".") && !local.hasSuffix(".") && !local.contains("..")
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, tld.count >= 2, tld.allSatisfy({ $0.isLetter }) else { return false }
        let domainOK = labels.allSatisfy { l in
            !l.isEmpty && !l.hasPrefix("-") && !l.hasSuffix("-") && l.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        return localOK && domainOK
    }

    /// Every address in a text. Fragments that look like an address but are not
    /// valid are returned apart, so they can be flagged rather than stored.
    ///
    /// An address whose "@" was lost (`gemgrandlargegmail [dot] com`) is
    /// recovered when a known mail domain ends the local part.
    public static func extract(_ text: String) -> (emails: [String], invalid: [String]) {
        let s = deobfuscate(text)
        var emails: [String] = []
        var invalid: [String] = []
        let token = try! NSRegularExpression(pattern: #"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9.\-]+|[A-Za-z0-9._%+'\-]+\.[A-Za-z]{2,}"#)
        let ns = s as NSString
        for m in token.matches(in: s, range: NSRange(location: 0, length: ns.length)) {
            let cand = ns.substring(with: m.range)
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
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty, !s.contains(" "), !s.contains("@") || s.lowercased().hasPrefix("http") else { return nil }
        if s.lowercased().hasPrefix("www.") { s = "https://" + s }
        guard let c = URLComponents(string: s), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = c.host, host.contains(".")
        else { return nil }
        return s
    }
}
