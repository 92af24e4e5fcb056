import Foundation

/// Text clean-up and folding for search and comparison.
public enum Text {
    /// Lower-case, accents removed, ligatures opened, apostrophes and dashes
    /// turned to spaces, runs of spaces collapsed: `"Sainte-Anne L’Été"` → `"sainte anne l ete"`.
    public static func fold(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var lastSpace = true
        for scalar in s.unicodeScalars {
            if let mapped = foldScalar(scalar) {
                for c in mapped.unicodeScalars {
                    if c == " " {
                        if !lastSpace { out.unicodeScalars.append(" "); lastSpace = true }
                    } else {
                        out.unicodeScalars.append(c)
                        lastSpace = false
                    }
                }
            }
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    private static func foldScalar(_ c: Unicode.Scalar) -> String? {
        switch c.value {
        case 0x30...0x39, 0x61...0x7A: return String(c)
        case 0x41...0x5A: return String(Unicode.Scalar(c.value + 32)!)
        default: break
        }
        switch c {
        case "œ", "Œ": return "oe"
        case "æ", "Æ": return "ae"
        case "ß": return "ss"
        default: break
        }
        if c.properties.isAlphabetic || c.properties.numericType != nil {
            // Strip diacritics through canonical decomposition.
            let base = String(c).decomposedStringWithCanonicalMapping.unicodeScalars.first { $0.value < 0x300 || $0.value > 0x36F }
            if let base, base.value < 0x80 { return String(base).lowercased() }
            return String(c).lowercased()
        }
        if c.properties.generalCategory == .nonspacingMark { return "" }
        return " "
    }

    /// Collapses white space (including no-break spaces) and trims.
    public static func squeeze(_ s: String) -> String {
        var out = ""
        var pendingSpace = false
        for ch in s {
            if ch.isWhitespace || ch == "\u{A0}" || ch == "\u{202F}" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(ch)
            }
        }
        return out
    }

    /// A clean display string or nil when nothing is left.
    public static func clean(_ s: String?) -> String? {
        guard let s else { return nil }
        let t = squeeze(s)
        return t.isEmpty ? nil : t
    }

    /// Whether the text holds something that looks like an HTML tag.
    public static func containsMarkup(_ s: String) -> Bool {
        s.range(of: #"<\s*/?\s*[a-zA-Z][^>]*>"#, options: .regularExpression) != nil
    }

    /// Normalises a listing name: spacing, stray quotes around it, and names
    /// written in capitals turned to title case is *not* done (a name is kept
    /// as its owners write it).
    public static func name(_ s: String) -> String {
        var t = squeeze(s)
        while let f = t.first, let l = t.last, (f == "\"" && l == "\"") && t.count > 2 && t.dropFirst().dropLast().contains("\"") == false {
            t = String(t.dropFirst().dropLast())
        }
        return t.trimmingCharacters(in: CharacterSet(charactersIn: " -–—,;:"))
    }

    /// A short stable hash (FNV-1a 64, hex) for identities.
    public static func hash(_ parts: String...) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for b in part.utf8 {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
            h ^= 0x1f
            h = h &* 0x100_0000_01b3
        }
        return String(h, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    func leftPadded(to n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}
