import Foundation
import RelaisModel

/// Languages as sources write them — « français, LSF », « Français et arabe »,
/// « anglais / espagnol », `ar`, « Arabic » — read into ISO 639 codes.
public enum LanguageNames {
    /// Folded names and aliases → code. Multi-word names are matched before their parts.
    static let aliases: [(String, String)] = {
        var out: [String: String] = [:]
        for (code, name) in Language.names {
            // « langue des signes française (LSF) » → « langue des signes francaise »
            let plain = Text.fold(name.split(separator: "(").first.map(String.init) ?? name)
            out[plain] = code
        }
        let extra: [String: String] = [
            "francais": "fr", "french": "fr", "francophone": "fr", "english": "en", "anglophone": "en", "arabic": "ar", "arabophone": "ar",
            "arabe dialectal": "ar", "arabe maghrebin": "ar", "darija": "ar", "spanish": "es", "castillan": "es", "espanol": "es", "portuguese": "pt",
            "italian": "it", "german": "de", "russian": "ru", "ukrainian": "uk", "turkish": "tr", "chinese": "zh", "mandarin": "zh", "cantonais": "zh",
            "vietnamese": "vi", "farsi": "fa", "dari": "fa", "pashto": "ps", "pachtou": "ps", "kurdish": "ku", "armenian": "hy", "georgian": "ka",
            "albanian": "sq", "serbian": "sr", "romanian": "ro", "polish": "pl", "dutch": "nl", "greek": "el", "hebrew": "he", "tamil": "ta",
            "somali": "so", "tigrinya": "ti", "amharic": "am", "wolof": "wo", "peul": "ff", "pulaar": "ff", "fula": "ff", "bambara": "bm",
            "lingala": "ln", "malagasy": "mg", "creole haitien": "ht", "haitian creole": "ht", "tamazight": "ber", "berbere": "ber", "amazigh": "ber",
            "kabyle": "kab", "creole reunionnais": "rcf", "creole guadeloupeen": "gcf", "creole martiniquais": "gcf", "creole guyanais": "gcr",
            "lsf": "fsl", "langue des signes": "fsl", "langue des signes francaise": "fsl", "langage des signes": "fsl", "french sign language": "fsl",
            "sign language": "sgn", "langue des signes internationale": "sgn", "asl": "ase", "bsl": "bfi",
        ]
        out.merge(extra) { _, new in new }
        return out.sorted { a, b in a.key.count != b.key.count ? a.key.count > b.key.count : a.key < b.key }
    }()

    /// One language, named or coded: nil when it is neither.
    public static func code(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = t.lowercased()
        if Language.isCode(lower), Language.names[lower] != nil { return lower }
        let folded = Text.fold(t)
        return aliases.first { $0.0 == folded }?.1
    }

    /// Every language a text names, in the order written, each once; and the pieces not
    /// understood (for the run's warnings).
    public static func parse(_ text: String) -> (codes: [String], unknown: [String]) {
        var codes: [String] = []
        var unknown: [String] = []
        func add(_ c: String) { if !codes.contains(c) { codes.append(c) } }
        let separators: Set<Character> = [",", ";", "/", "|", "·", "\n", "+"]
        let pieces = text.split { separators.contains($0) }.flatMap { $0.components(separatedBy: " et ") }.flatMap { $0.components(separatedBy: " ou ") }
        for piece in pieces {
            let p = piece.trimmingCharacters(in: .whitespacesAndNewlines.union(.init(charactersIn: ".:()")))
            guard !p.isEmpty else { continue }
            if let c = code(p) {
                add(c)
                continue
            }
            // « accueil en arabe », « Langues parlées : français » : every known name inside.
            let folded = " " + Text.fold(p) + " "
            var found: [(Int, String)] = []
            var taken = folded
            for (alias, c) in aliases where alias.count > 2 || alias == "lsf" {
                guard let r = taken.range(of: " \(alias) ") else { continue }
                found.append((folded.distance(from: folded.startIndex, to: r.lowerBound), c))
                taken.replaceSubrange(r, with: String(repeating: "#", count: alias.count + 2))
            }
            if found.isEmpty {
                if p.count <= 40 { unknown.append(p) }
            } else {
                found.sorted { $0.0 < $1.0 }.forEach { add($0.1) }
            }
        }
        return (codes, unknown)
    }
}

/// Accessibility as sources write it — « boucle magnétique à l’accueil, plain-pied »,
/// « Accès de plain-pied, utilisable en fauteuil roulant », « accès par ascenseur »,
/// an Accèslibre link — read into features, the words kept as they were.
public enum AccessibilityText {
    /// Folded keywords → feature. A keyword right after a negation (« pas », « non »,
    /// « sans », « aucun ») does not count: « pas d’ascenseur », « non accessible en fauteuil ».
    static let keywords: [(String, AccessFeature)] = [
        ("fauteuil", .fauteuil), ("fauteuils", .fauteuil), ("pmr", .fauteuil), ("mobilite reduite", .fauteuil), ("wheelchair", .fauteuil),
        ("handicap moteur", .fauteuil), ("accessible aux personnes handicapees", .fauteuil), ("accessibilite totale", .fauteuil),
        ("plain pied", .plain_pied), ("sans marche", .plain_pied), ("rampe d acces", .plain_pied), ("step free", .plain_pied),
        ("ascenseur", .ascenseur), ("elevator", .ascenseur), ("lift", .ascenseur),
        ("toilettes adaptees", .toilettes_adaptees), ("toilettes accessibles", .toilettes_adaptees), ("wc adaptes", .toilettes_adaptees),
        ("wc accessibles", .toilettes_adaptees), ("sanitaires adaptes", .toilettes_adaptees), ("accessible toilets", .toilettes_adaptees),
        ("boucle magnetique", .boucle_magnetique), ("boucle a induction", .boucle_magnetique), ("boucle auditive", .boucle_magnetique),
        ("hearing loop", .boucle_magnetique), ("induction loop", .boucle_magnetique),
        ("lsf", .lsf), ("langue des signes", .lsf), ("interprete en langue des signes", .lsf), ("interpretation lsf", .lsf), ("sign language", .lsf),
        ("falc", .falc), ("facile a lire", .falc), ("easy to read", .falc), ("easy read", .falc),
    ]
    static let negations: Set<String> = ["pas", "non", "sans", "aucun", "aucune", "ni", "inaccessible", "no", "not"]

    /// The features a text names (in the order of ``AccessFeature``), and an Accèslibre or
    /// other link it holds.
    public static func parse(_ text: String) -> (features: [AccessFeature], url: String?) {
        var found = Set<AccessFeature>()
        // A negation holds within its clause: « pas d’ascenseur, boucle magnétique » has the loop.
        let clauses = text.split { ",;.:()/\n•·".contains($0) }.map { Text.fold(String($0)).split(separator: " ").map(String.init) }
        for words in clauses where !words.isEmpty {
            for (keyword, feature) in keywords {
                let k = keyword.split(separator: " ").map(String.init)
                guard k.count <= words.count else { continue }
                for i in 0...(words.count - k.count) where Array(words[i..<(i + k.count)]) == k {
                    // « sans marche » is itself a positive phrase; any other keyword after a negation is not.
                    let before = words[max(0, i - 3)..<i]
                    let negated = keyword != "sans marche" && before.contains { negations.contains($0) }
                    if !negated { found.insert(feature) }
                }
            }
        }
        // A place usable in a wheelchair is step-free; « inaccessible » alone says nothing to add.
        if found.contains(.fauteuil) { found.insert(.plain_pied) }
        let url = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == ";" }).first {
            let l = $0.lowercased()
            return l.hasPrefix("https://") || l.hasPrefix("http://")
        }.map { String($0).trimmingCharacters(in: .init(charactersIn: ".)")) }
        return (AccessFeature.allCases.filter(found.contains), url)
    }

    /// An ``Accessibility`` from free text (nil when the text is empty).
    public static func accessibility(_ text: String?, details: String? = nil, url: String? = nil) -> Accessibility? {
        let description = Text.clean(text), more = Text.clean(details)
        guard description != nil || more != nil || url != nil else { return nil }
        let parsed = parse([description, more].compactMap { $0 }.joined(separator: " ; "))
        // A bare link is a link, not a description.
        let onlyLink = description.map { $0.lowercased().hasPrefix("http") && !$0.contains(" ") } ?? false
        return Accessibility(
            features: parsed.features, description: onlyLink ? nil : description, details: more, url: url ?? parsed.url)
    }
}

extension Text {
    /// The candidate closest to `word` in spelling, when it is close enough to be a typo
    /// (« famile » → « famille »): at most a third of its letters differ.
    public static func closest(_ word: String, among candidates: [String]) -> String? {
        let w = Array(fold(word).unicodeScalars)
        var best: (String, Int)?
        for c in candidates {
            let d = distance(w, Array(fold(c).unicodeScalars))
            if d <= max(1, w.count / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        // A prefix typed in full (« logem » → « logement ») is a near miss too.
        if best == nil, w.count >= 3 { return candidates.first { fold($0).hasPrefix(String(String.UnicodeScalarView(w))) } }
        return best?.0
    }

    /// Levenshtein distance.
    public static func distance<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
