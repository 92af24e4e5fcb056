import RelaisNormalize

/// French as it is written: the spaces that must not break, and counted words.
///
/// Rules (Lexique des règles typographiques en usage à l’Imprimerie nationale):
/// - a no-break space before « : » and a narrow one before « ; ! ? » (when a space is there:
///   `https://` and `?page=2` are left alone);
/// - no-break spaces inside guillemets: « texte »;
/// - a number holds to what it counts or measures: « 3 ateliers », « 14 h 30 », « 24 h/24 »,
///   « 7 j/7 », « 30 km », « 6 décembre »;
/// - a dash between two times or dates holds to what precedes it: « 14 h – 17 h ».
/// Only spaces already there are changed, except inside guillemets, where a missing space is added.
public enum FrenchTypography {
    static let nbsp: Character = "\u{A0}"
    static let narrow: Character = "\u{202F}"

    /// `text` with French no-break spaces.
    public static func text(_ text: String) -> String {
        let chars = Array(text)
        guard !chars.isEmpty else { return text }
        var out: [Character] = []
        out.reserveCapacity(chars.count + 8)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " {
                let prev = out.last
                let next = i + 1 < chars.count ? chars[i + 1] : nil
                if let next {
                    switch next {
                    case ":":
                        out.append(nbsp); i += 1; continue
                    case ";", "!", "?", "»":
                        out.append(next == "»" ? nbsp : narrow); i += 1; continue
                    case "–":
                        if prev.map(isTimeOrNumberEnd) ?? false { out.append(nbsp); i += 1; continue }
                    default: break
                    }
                }
                if let prev {
                    if prev == "«" { out.append(nbsp); i += 1; continue }
                    // A number and what follows it: « 3 ateliers », « 24 h/24 », « 6 décembre ».
                    if prev.isNumber, let next, next.isLetter || next == "%" || next == "€" {
                        // Not a run of numbers (« 1 2 3 ») nor inside a longer word-number mix like a phone.
                        out.append(nbsp); i += 1; continue
                    }
                    // « 14 h 30 »: the h holds to the minutes.
                    if prev == "h", out.count >= 3, out[out.count - 2] == nbsp || out[out.count - 2] == " ", out[out.count - 3].isNumber,
                       let next, next.isNumber {
                        out.append(nbsp); i += 1; continue
                    }
                }
            }
            if c == "«", let next = i + 1 < chars.count ? chars[i + 1] : nil, next != " ", next != nbsp, next != narrow {
                out.append(c); out.append(nbsp); i += 1; continue
            }
            if c == "»", let prev = out.last, prev != " ", prev != nbsp, prev != narrow, prev != "\n" {
                out.append(nbsp); out.append(c); i += 1; continue
            }
            out.append(c)
            i += 1
        }
        return String(out)
    }

    static func isTimeOrNumberEnd(_ c: Character) -> Bool { c.isNumber || c == "h" || c == "i" /* minuit, midi */ }

    /// `HTML` with ``text(_:)`` applied to its text only: tags and attribute values, and the
    /// content of `script`, `style`, `textarea` and `pre`, are left as they are.
    public static func html(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count + 256)
        var rest = Substring(html)
        var raw: String?  // inside an element whose text is left alone, until its closing tag
        while !rest.isEmpty {
            guard let lt = rest.firstIndex(of: "<") else {
                out += raw == nil ? text(String(rest)) : String(rest)
                break
            }
            let chunk = rest[rest.startIndex..<lt]
            out += raw == nil ? text(String(chunk)) : String(chunk)
            guard let gt = rest[lt...].firstIndex(of: ">") else {
                out += rest[lt...]
                break
            }
            let tag = rest[lt...gt]
            out += tag
            let name = tag.dropFirst().prefix { $0.isLetter || $0 == "/" }.lowercased()
            if let r = raw {
                if name == "/" + r { raw = nil }
            } else if ["script", "style", "textarea", "pre"].contains(name) {
                raw = name
            }
            rest = rest[rest.index(after: gt)...]
        }
        return out
    }
}

extension FrenchFormat {
    /// « 1 ressource », « 2 ressources », « 0 ressource » (French counts zero in the singular).
    /// The plural is `singular` + s unless given: `count(n, "mise à jour", "mises à jour")`.
    public static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String { Text.count(n, singular, plural) }

    /// Just the word: `word(n, "ressource")` → « ressources » when n ≥ 2.
    public static func word(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        abs(n) >= 2 ? plural ?? singular + "s" : singular
    }
}
