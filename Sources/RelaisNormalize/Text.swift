import Foundation

/// Text clean-up and folding for search and comparison.
public enum Text {
    /// Lower-case, accents removed, ligatures opened, apostrophes and dashes
    /// turned to spaces, runs of spaces collapsed: `"Sainte-Anne L’Été"` → `"sainte anne l ete"`.
    public static func fold(_ s: String) -> String {
        var s = s
        return s.withUTF8 { src in
            // Bytes, not scalars: ASCII (most of any French text) through one table; a longer
            // sequence decoded here (a String's bytes are well-formed UTF-8). The output is
            // never longer than three bytes per input byte (a scalar's folding is at most
            // three times its length), so it is written in place, without a check per byte.
            String(unsafeUninitializedCapacity: src.count * 3 + 4) { out in
                var n = 0
                var lastSpace = true
                @inline(__always) func put(_ b: UInt8) {
                    if b == 0x20 {
                        if !lastSpace { out[n] = 0x20; n += 1; lastSpace = true }
                    } else {
                        out[n] = b
                        n += 1
                        lastSpace = false
                    }
                }
                asciiFold.withUnsafeBufferPointer { table in
                    var i = 0
                    while i < src.count {
                        let lead = src[i]
                        if lead < 0x80 {
                            put(table[Int(lead)])
                            i += 1
                            continue
                        }
                        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                        guard i + length <= src.count else { break }
                        var v = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                        for k in 1..<length { v = v << 6 | UInt32(src[i + k] & 0x3F) }
                        i += length
                        switch v {
                        case 0xC0...0x17F: for b in latinFoldBytes[Int(v - 0xC0)] { put(b) }
                        case 0x300...0x36F: continue
                        case 0xA0, 0x2018, 0x2019, 0x2013, 0x2014, 0x202F, 0xAB, 0xBB: put(0x20)
                        default:
                            // At most 3 bytes out per input byte: a longer folding (none is known) is cut.
                            if let scalar = Unicode.Scalar(v), let mapped = foldScalar(scalar) {
                                for b in mapped.utf8.prefix(length * 3) { put(b) }
                            }
                        }
                    }
                }
                if n > 0, out[n - 1] == 0x20 { n -= 1 }
                return n
            }
        }
    }

    /// ASCII folded: digits and lower-case letters kept, capitals lowered, anything else a space.
    static let asciiFold: [UInt8] = (0..<128).map { (b: Int) -> UInt8 in
        switch b {
        case 0x30...0x39, 0x61...0x7A: return UInt8(b)
        case 0x41...0x5A: return UInt8(b + 32)
        default: return 0x20
        }
    }

    static let latinFoldBytes: [[UInt8]] = latinFold.map { Array($0.utf8) }

    /// Lower-case base letters of U+00C0…U+017F (Latin-1 Supplement and Latin Extended-A).
    static let latinFold: [String] = ["a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", " ", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", " ", "ss", "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", " ", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", " ", "y", "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d", "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g", "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i", "i", "i", " ", " ", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", " ", " ", "l", "l", "n", "n", "n", "n", "n", "n", " ", " ", " ", "o", "o", "o", "o", "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s", "s", "s", "t", "t", "t", "t", " ", " ", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", " "]

    private static func foldScalar(_ c: Unicode.Scalar) -> String? {
        switch c.value {
        case 0x30...0x39, 0x61...0x7A: return String(c)
        case 0x41...0x5A: return String(Unicode.Scalar(c.value + 32)!)
        case 0xC0...0x17F: return latinFold[Int(c.value - 0xC0)]
        case 0x2019, 0x2018, 0x2013, 0x2014, 0xA0, 0x202F: return " "
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
        // Most text is already squeezed: one pass to see it, without copying it.
        var probe = s
        let plain = probe.withUTF8 { b -> Bool in
            guard let first = b.first, let last = b.last else { return true }
            if first == 0x20 || last == 0x20 { return false }
            var previousSpace = false
            for x in b {
                if x < 0x20 || x == 0xC2 || x == 0xE2 { return false }  // controls, and the lead bytes of U+00A0, U+2028…
                if x == 0x20 {
                    if previousSpace { return false }
                    previousSpace = true
                } else {
                    previousSpace = false
                }
            }
            return true
        }
        if plain { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var pendingSpace = false
        var changed = false
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            var space = b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C
            var width = 1
            // U+00A0 (C2 A0), U+202F (E2 80 AF), U+2028/2029 (E2 80 A8/A9)
            if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0xA0 { space = true; width = 2 }
            if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80 {
                switch bytes[i + 2] {
                case 0xAF, 0xA8, 0xA9, 0x89, 0x8A: space = true; width = 3
                default: break
                }
            }
            if space {
                if b != 0x20 || width > 1 || pendingSpace || out.isEmpty { changed = true }
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(contentsOf: bytes[i..<(i + width)])
            }
            i += width
        }
        if pendingSpace { changed = true }
        return changed ? String(decoding: out, as: UTF8.self) : s
    }

    /// A clean display string or nil when nothing is left.
    public static func clean(_ s: String?) -> String? {
        guard let s else { return nil }
        let t = squeeze(s)
        return t.isEmpty ? nil : t
    }

    /// Whether the text holds something that looks like an HTML tag.
    public static func containsMarkup(_ s: String) -> Bool {
        guard s.utf8.contains(UInt8(ascii: "<")) else { return false }
        return s.range(of: #"<\s*/?\s*[a-zA-Z][^>]*>"#, options: .regularExpression) != nil
    }

    /// Substring test on UTF-8 bytes (without Foundation's NSString bridge).
    public static func has(_ haystack: String, _ needle: String) -> Bool {
        var h = haystack, n = needle
        return h.withUTF8 { hb in
            n.withUTF8 { nb in
                let hc = hb.count, nc = nb.count
                guard nc > 0 else { return true }
                guard hc >= nc else { return false }
                let first = nb[0]
                var i = 0
                while i <= hc - nc {
                    if hb[i] == first {
                        var j = 1
                        while j < nc && hb[i + j] == nb[j] { j += 1 }
                        if j == nc { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// Normalises a listing name: spacing, stray quotes around it, separators left
    /// at either end. Capitals are a separate step (``naturalCase(_:)``).
    public static func name(_ s: String) -> String {
        var t = squeeze(s)
        // Quotes around the whole name ("\"GEM X\"") go; quotes inside stay.
        while t.utf8.count > 2, t.utf8.first == 0x22, t.utf8.last == 0x22, !t.utf8.dropFirst().dropLast().contains(0x22) {
            t = String(t.dropFirst().dropLast())
        }
        // Separators left at either end ("GEM X -").
        let trim: Set<Character> = [" ", "-", "–", "—", ",", ";", ":"]
        while let f = t.first, trim.contains(f) { t.removeFirst() }
        while let l = t.last, trim.contains(l) { t.removeLast() }
        return t
    }

    /// A name a source wrote in capitals, in its natural case: « GEM LES AMIS DU JARDIN » →
    /// « GEM Les Amis du Jardin », « MAISON DES USAGERS DE L'HOPITAL » → « Maison des Usagers de
    /// l'Hôpital ». Names with lower-case letters, and short all-capitals names (« UNAFAM »,
    /// « ESPER PRO »: fewer than three words of three letters), are kept as their owners write them.
    /// Acronyms of the field stay in capitals; common words get back the accent capitals drop.
    public static func naturalCase(_ s: String) -> String {
        let letters = s.unicodeScalars.filter { $0.properties.isAlphabetic }
        guard !letters.isEmpty, !letters.contains(where: { $0.properties.isLowercase }) else { return s }
        let words = s.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        guard words.filter({ $0.count >= 3 && $0.allSatisfy(\.isLetter) }).count >= 3 else { return s }
        var out = ""
        var word = ""
        var previousWord: String?
        var afterOpening = true  // start, or after « ( " / : -
        func flush() {
            guard !word.isEmpty else { return }
            let upper = word.uppercased()
            let lower = word.lowercased()
            let written: String
            if acronyms.contains(upper) || (word.count <= 4 && !word.contains(where: { "AEIOUYÀÂÉÈÊËÎÏÔÛÙÜŸ".contains($0) }) && word.allSatisfy(\.isLetter))
                || word.contains(where: \.isNumber) || romanNumerals.contains(upper) {
                written = word
            } else if let accented = accents[lower] {
                written = (afterOpening || !smallWords.contains(lower)) ? accented.prefix(1).uppercased() + accented.dropFirst() : accented
            } else if smallWords.contains(lower) && !afterOpening
                        && !(["le", "la", "les"].contains(lower) && previousWord.map { acronyms.contains($0.uppercased()) } == true) {
                // « GEM de Nice », but « GEM Les Amis du Jardin »: after an acronym an article begins a name.
                written = lower
            } else {
                written = lower.prefix(1).uppercased() + lower.dropFirst()
            }
            out += written
            previousWord = word
            word = ""
            afterOpening = false
        }
        for ch in s {
            if ch.isLetter || ch.isNumber {
                word.append(ch)
            } else {
                let elided = ["L", "D", "QU", "J", "N", "S", "C", "M", "T"].contains(word.uppercased()) && (ch == "'" || ch == "’")
                if elided && !afterOpening {
                    out += word.lowercased()
                    word = ""
                } else {
                    flush()
                }
                out.append(ch)
                if "«(\"/:–—".contains(ch) || (ch == "-" && out.hasSuffix(" -")) { afterOpening = true }
                if elided { afterOpening = false }
            }
        }
        flush()
        return out
    }

    /// Acronyms of French mental health and social care, kept in capitals.
    static let acronyms: Set<String> = [
        "GEM", "UNAFAM", "APAF", "CMP", "CMPP", "CATTP", "CH", "CHU", "CHS", "EPSM", "MDPH", "MDA", "MDU", "CLSM", "ARS", "CCAS", "UDAF",
        "SAVS", "SAMSAH", "ESAT", "SOS", "FNAPSY", "PSSM", "TCA", "TDAH", "TSA", "TOC", "LGBT", "LGBTQ", "LGBTQI", "ESPER", "UNAFAM", "AFTOC",
        "ARGOS", "ASBL", "ADAPEI", "APF", "CRIP", "CRPS", "PTSM", "CPTS", "CAF", "CPAM", "SAMU", "SMS", "LSF", "FALC", "MSA", "URPS", "ESMS",
        "SIAO", "CHRS", "PMI", "CSAPA", "CAARUD", "AAH", "RSA", "IME", "ITEP", "QPV", "ASV", "UDAF", "GHU", "CMPA", "HDJ", "EMPP", "ALD",
    ]
    static let romanNumerals: Set<String> = ["II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XX"]
    /// Lower-case inside a name (not as its first word).
    static let smallWords: Set<String> = [
        "de", "du", "des", "la", "le", "les", "et", "en", "au", "aux", "à", "a", "pour", "sur", "sous", "par", "avec", "chez", "dans", "ou", "un", "une",
    ]
    /// Words whose accent capitals drop (« ECOUTE » → « écoute »), frequent in the field's names.
    static let accents: [String: String] = [
        "a": "à", "ecoute": "écoute", "hopital": "hôpital", "sante": "santé", "etudiants": "étudiants", "etudiant": "étudiant", "equipe": "équipe",
        "entraide": "entraide", "federation": "fédération", "departement": "département", "departementale": "départementale",
        "regionale": "régionale", "region": "région", "prevention": "prévention", "rehabilitation": "réhabilitation", "reseau": "réseau",
        "benevoles": "bénévoles", "famille": "famille", "proches": "proches", "solidarite": "solidarité", "espace": "espace", "etre": "être",
        "mediation": "médiation", "medico": "médico", "therapeutique": "thérapeutique", "creativite": "créativité", "amitie": "amitié",
        "maniaco": "maniaco", "depressifs": "dépressifs", "depression": "dépression", "bipolarite": "bipolarité",
        "schizophrenie": "schizophrénie", "psychiatrie": "psychiatrie", "ete": "été", "cote": "côte", "ecoutants": "écoutants",
        "lumiere": "lumière", "delegation": "délégation", "societe": "société", "therapie": "thérapie", "eclaircie": "éclaircie", "reve": "rêve", "reves": "rêves", "eveil": "éveil", "elan": "élan", "ecole": "école",
    ]

    /// « 1 ajoutée », « 0 ajoutée », « 3 ajoutées » (French counts zero in the singular); the
    /// plural is `singular` + s unless given: `count(n, "mise à jour", "mises à jour")`.
    public static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n)\u{A0}" + (abs(n) >= 2 ? plural ?? singular + "s" : singular)
    }

    /// French alphabetical order: accents, case, ligatures, apostrophes and dashes set aside
    /// (« Écoute-Famille » < « Voix d’usagers »), then the text itself to keep the order total.
    public static func frenchLess(_ a: String, _ b: String) -> Bool {
        let fa = fold(a), fb = fold(b)
        return fa != fb ? fa < fb : a < b
    }

    /// The key of an organization known by its name (case, accents and ligatures set aside): the
    /// store's `organization.id`, and the name of its HSDS UUID.
    public static func organizationKey(_ name: String) -> String { "o" + String(hash(fold(name)).prefix(11)) }

    /// A short stable hash (FNV-1a 64, hex) for identities.
    public static func hash(_ parts: String...) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for var part in parts {
            // Over the contiguous bytes: iterating `utf8` was several times slower.
            part.withUTF8 { bytes in
                for b in bytes {
                    h ^= UInt64(b)
                    h = h &* 0x100_0000_01b3
                }
            }
            h ^= 0x1f
            h = h &* 0x100_0000_01b3
        }
        return String(h, radix: 16).leftPadded(to: 16)
    }
}

extension StringProtocol {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` without Foundation's
    /// round trip through UTF-16 (most of a CSV import's reading time): the
    /// Unicode White_Space property, which is that set.
    public var trimmed: String {
        let u = utf8
        guard let f = u.first else { return "" }
        let l = u[u.index(u.endIndex, offsetBy: -1)]
        if f > 0x20, f < 0x80, l > 0x20, l < 0x80 { return String(self) }
        let scalars = String(self).unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start {
            let p = scalars.index(before: end)
            guard scalars[p].properties.isWhitespace else { break }
            end = p
        }
        return String(scalars[start..<end])
    }
}

extension String {
    func leftPadded(to n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}
