import RelaisModel

/// The tokenizer of the French schedule grammar: folded lower-case words,
/// numbers, times, ordinals, months, weekdays and punctuation, each with the
/// span of the original text it came from (to quote exceptions in notes).
extension FrenchSchedule {
    enum Token: Equatable {
        case day(Int)
        case ordinal(Int)
        case month(Int)
        /// Minutes from midnight; `explicit` when written with digits ("14h30"),
        /// not in words ("huit heures"), which is read only inside a range.
        case time(Int, explicit: Bool)
        case number(Int)
        case word(String)
        case punct(Character)
    }

    /// A token and the original unicode scalars it was read from.
    struct Lexeme {
        var token: Token
        var start: Int
        var end: Int
    }

    /// Folded characters and, for each, the index of the original scalar and whether it is a letter.
    struct Prepared {
        var chars: [Character] = []
        var origin: [Int] = []
        var letter: [Bool] = []
    }

    /// Words that link days in a list: « lun, mar et jeu », « du lundi au mercredi ».
    static let dayConnectors: Set<String> = ["et", "au", "a", "du", "ou", "de", "des", "le", "les", "entre", "partir", "d"]

    static let dayWords: [String: Int] = [
        "lundi": 1, "lundis": 1, "mardi": 2, "mardis": 2, "mercredi": 3, "mercredis": 3, "jeudi": 4, "jeudis": 4,
        "vendredi": 5, "vendredis": 5, "samedi": 6, "samedis": 6, "dimanche": 7, "dimanches": 7,
    ]
    /// Abbreviations are days only next to another day or a time ("lun, mar : 14h-17h"), never "la mer" or "le jeu".
    static let dayAbbreviations: [String: Int] = [
        "lun": 1, "mar": 2, "mer": 3, "merc": 3, "jeu": 4, "ven": 5, "vend": 5, "sam": 6, "dim": 7,
    ]
    static let monthWords: [String: Int] = [
        "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
        "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    ]
    static let monthAbbreviations: [String: Int] = [
        "janv": 1, "fev": 2, "fevr": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    ]
    static let ordinalWords: [String: Int] = [
        "premier": 1, "premiere": 1, "premiers": 1, "premieres": 1, "deuxieme": 2, "deuxiemes": 2, "second": 2, "seconde": 2,
        "seconds": 2, "secondes": 2, "troisieme": 3, "troisiemes": 3, "quatrieme": 4, "quatriemes": 4, "cinquieme": 5,
        "cinquiemes": 5, "dernier": -1, "derniere": -1, "derniers": -1, "dernieres": -1,
    ]
    static let ordinalSuffixes: Set<String> = ["er", "ere", "re", "ers", "eres", "e", "es", "eme", "emes", "ieme", "iemes", "nd", "nde", "nds", "ndes"]
    /// Hours written in words ("de huit heures à minuit"); "une heure" is a duration, not one o'clock.
    static let hourWords: [String: Int] = [
        "zero": 0, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
        "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20,
    ]
    static let minuteWords: [String: Int] = ["quinze": 15, "trente": 30, "quarante": 40, "cinquante": 50]

    /// Lower-case, accent-free characters with the punctuation that matters kept.
    /// Text glued from HTML nodes ("samediFermé") is split where a lower-case
    /// letter meets an upper-case one.
    static func prepared(_ raw: String) -> Prepared {
        var p = Prepared()
        var previousLower = false
        for (k, scalar) in raw.unicodeScalars.enumerated() {
            func put(_ s: String) {
                for ch in s {
                    p.chars.append(ch)
                    p.origin.append(k)
                    p.letter.append(ch.isLetter)
                }
            }
            // ASCII, most of any text, without Unicode property lookups.
            if scalar.isASCII {
                let v = UInt8(scalar.value)
                let upper = v >= 0x41 && v <= 0x5A, lower = v >= 0x61 && v <= 0x7A
                if upper && previousLower { put(" ") }
                previousLower = lower
                switch v {
                case 0x27, 0x60, 0x0A, 0x0D, 0x09, 0x22:  // ' ` \n \r \t "
                    p.chars.append(" ")
                default:
                    p.chars.append(Character(Unicode.Scalar(upper ? v + 0x20 : v)))
                }
                p.origin.append(k)
                p.letter.append(upper || lower)
                continue
            }
            let props = scalar.properties
            if props.isUppercase && previousLower { put(" ") }
            previousLower = props.isLowercase
            switch scalar {
            case "–", "—", "‑", "−", "‐": put("-")
            case "’", "‘", "'", "`", "´", "\u{A0}", "\u{202F}", "\u{2009}", "\n", "\r", "\t", "«", "»", "\"", "“", "”": put(" ")
            case "…": put(".")
            case "•", "▪", "◦", "●": put(";")
            case "œ", "Œ": put("oe")
            case "æ", "Æ": put("ae")
            default:
                if (0xC0...0x17F).contains(scalar.value) {
                    put(Text.latinFold[Int(scalar.value - 0xC0)])
                } else if (0x300...0x36F).contains(scalar.value) {
                    continue
                } else {
                    put(String(scalar).lowercased())
                }
            }
        }
        return p
    }

    /// Lower-case, accent-free text with the punctuation that matters kept.
    static func prepare(_ raw: String) -> [Character] { prepared(raw).chars }

    static func tokenize(_ raw: String) -> [Token] { lex(raw).map(\.token) }

    /// The tokens of a text. Total: every index is checked, numbers are capped.
    static func lex(_ raw: String) -> [Lexeme] {
        let p = prepared(raw)
        let c = p.chars
        let letter = p.letter
        var out: [Lexeme] = []
        var weak: [(index: Int, word: String)] = []  // abbreviated days to confirm
        var i = 0

        func emit(_ t: Token, _ a: Int, _ b: Int) {
            let start = a < p.origin.count ? p.origin[a] : 0
            let end = b - 1 < p.origin.count && b > 0 ? p.origin[b - 1] + 1 : start
            out.append(Lexeme(token: t, start: start, end: end))
        }
        func skipSpaces(_ j: inout Int) { while j < c.count && c[j] == " " { j += 1 } }
        func isDigit(_ j: Int) -> Bool { j < c.count && c[j].isASCII && c[j].isNumber }
        func readInt(_ j: inout Int) -> (value: Int, digits: Int)? {
            var v = 0, n = 0
            // A long run of digits (a phone number, an id) is one number, kept below any
            // meaningful value so that it never overflows nor reads as an hour or a day.
            while j < c.count, c[j].isASCII, let d = c[j].wholeNumberValue {
                if n < 9 { v = v * 10 + d } else { v = 999_999_999 }
                j += 1
                n += 1
            }
            return n > 0 ? (v, n) : nil
        }
        func wordAt(_ j: Int) -> String {
            var k = j
            var w = ""
            while k < c.count && letter[k] {
                w.append(c[k])
                k += 1
            }
            return w
        }
        /// Minutes after an hour: "30", "trente", "et demie", "et quart", "quarante-cinq".
        func minutes(after j: Int) -> (Int, Int)? {
            var k = j
            skipSpaces(&k)
            if isDigit(k) {
                var q = k
                if let v = readInt(&q), v.digits == 2, v.value < 60 {
                    var r = q
                    skipSpaces(&r)
                    let unit = wordAt(r)
                    // « 12h 13h30 »: the next number is another time, not minutes.
                    if r < c.count, c[r] == ":" || ["h", "heure", "heures", "hr", "hrs"].contains(unit) { return nil }
                    if ["min", "mn", "minutes"].contains(unit) { q = r + unit.count }
                    return (v.value, q)
                }
                return nil
            }
            let w = wordAt(k)
            if w == "et" {
                var r = k + 2
                skipSpaces(&r)
                let w2 = wordAt(r)
                if w2 == "demie" || w2 == "demi" { return (30, r + w2.count) }
                if w2 == "quart" { return (15, r + w2.count) }
                return nil
            }
            guard let tens = minuteWords[w] else { return nil }
            var r = k + w.count
            if tens >= 40, r < c.count, c[r] == "-" || c[r] == " " {
                var s = r + 1
                skipSpaces(&s)
                if let unit = hourWords[wordAt(s)], unit < 10 {
                    r = s + wordAt(s).count
                    return (tens + unit, r)
                }
            }
            return (tens, r)
        }
        /// "huit heures", "dix-huit heures trente", "vingt et une heures".
        func writtenHour(at j: Int) -> (Int, Int)? {
            let w = wordAt(j)
            var value: Int
            var k = j + w.count
            if let v = hourWords[w] {
                value = v
            } else {
                return nil
            }
            func nextWord(_ from: Int) -> (String, Int) {
                var r = from
                if r < c.count && c[r] == "-" { r += 1 }
                skipSpaces(&r)
                if r < c.count && c[r] == "-" { r += 1 }
                let x = wordAt(r)
                return (x, r + x.count)
            }
            if value == 10 {
                let (x, e) = nextWord(k)
                if let u = hourWords[x], (7...9).contains(u) {
                    value = 10 + u
                    k = e
                }
            } else if value == 20 {
                let (x, e) = nextWord(k)
                if x == "et" {
                    let (y, e2) = nextWord(e)
                    if y == "une" || y == "un" {
                        value = 21
                        k = e2
                    }
                } else if let u = hourWords[x], (2...4).contains(u) {
                    value = 20 + u
                    k = e
                }
            }
            var h = k
            skipSpaces(&h)
            let unit = wordAt(h)
            guard unit == "heure" || unit == "heures" else { return nil }
            var end = h + unit.count
            var m = 0
            if let (mm, e) = minutes(after: end) {
                m = mm
                end = e
            }
            return (value * 60 + m, end)
        }

        while i < c.count {
            let ch = c[i]
            if ch == " " {
                i += 1
                continue
            }
            if ch.isASCII, ch.isNumber {
                var j = i
                guard let (n, digits) = readInt(&j) else {
                    i += 1
                    continue
                }
                // Ordinal: 1er, 2e, 3ème, 2nd; "33e" is a number.
                let suffix = wordAt(j)
                if ordinalSuffixes.contains(suffix) {
                    emit((1...5).contains(n) ? .ordinal(n) : .number(n), i, j + suffix.count)
                    i = j + suffix.count
                    continue
                }
                // Time: 14h, 14h30, 14 h 30, 14:30, 20 heures, 20 heures 30.
                var k = j
                skipSpaces(&k)
                if k < c.count, c[k] == ":", digits <= 2, isDigit(k + 1), isDigit(k + 2), !isDigit(k + 3) {
                    let mm = (c[k + 1].wholeNumberValue ?? 0) * 10 + (c[k + 2].wholeNumberValue ?? 0)
                    if n <= 24 && mm < 60 {
                        emit(.time(n * 60 + mm, explicit: true), i, k + 3)
                        i = k + 3
                        continue
                    }
                }
                let w = wordAt(k)
                if ["h", "heure", "heures", "hr", "hrs"].contains(w) {
                    var end = k + w.count
                    var m = 0
                    if let (mm, e) = minutes(after: end) {
                        m = mm
                        end = e
                    }
                    // « 24h24 » is « 24h/24 ».
                    if n == 24, m == 24 {
                        emit(.time(24 * 60, explicit: true), i, end)
                        emit(.punct("/"), i, end)
                        emit(.number(24), i, end)
                        i = end
                        continue
                    }
                    // « 42 heures par semaine » is an amount of hours, not a time.
                    emit(n <= 24 && digits <= 2 ? .time(n * 60 + m, explicit: true) : .word("heures-invalides"), i, end)
                    i = end
                    continue
                }
                emit(.number(n), i, j)
                i = j
                continue
            }
            if letter[i] {
                let w = wordAt(i)
                let start = i
                i += w.count
                if let (v, end) = writtenHour(at: start) {
                    emit(.time(v, explicit: false), start, end)
                    i = end
                    continue
                }
                let previous = out.last?.token
                if w == "midi" {
                    // Noon, except the part of the day: "l’après-midi", "le midi", "le samedi midi".
                    var partOfDay = false
                    switch previous {
                    case .word(let x)? where ["apres", "le", "les", "ce", "chaque", "au"].contains(x): partOfDay = true
                    case .punct("-")? where out.count >= 2 && out[out.count - 2].token == .word("apres"): partOfDay = true
                    case .day?: partOfDay = true
                    default: break
                    }
                    emit(partOfDay ? .word(w) : .time(12 * 60, explicit: true), start, i)
                    continue
                }
                if w == "minuit" {
                    emit(.time(24 * 60, explicit: true), start, i)
                    continue
                }
                if let d = dayWords[w] {
                    emit(.day(d), start, i)
                    continue
                }
                if let d = dayAbbreviations[w] {
                    // "Cagnes-sur-Mer": a word glued by a hyphen to another word is no day.
                    let hyphenated = start >= 2 && c[start - 1] == "-" && letter[start - 2] && {
                        guard out.count >= 2, case .word = out[out.count - 2].token else { return false }
                        return true
                    }()
                    let glued = start > 0 && letter[start - 1]
                    if hyphenated || glued {
                        emit(.word(w), start, i)
                        continue
                    }
                    let dotted = i < c.count && c[i] == "."
                    if dotted { i += 1 }
                    // "le jeu", "la mer": an article makes it a noun.
                    if !dotted, case .word(let x)? = previous, ["le", "la", "un", "une", "ce", "mon", "son", "notre", "votre"].contains(x) {
                        emit(.word(w), start, i)
                        continue
                    }
                    emit(.day(d), start, i)
                    // « lun », « ven » are no French words; « mar », « mer », « jeu », « sam », « dim » may be.
                    if !["lun", "ven", "merc", "vend"].contains(w) { weak.append((out.count - 1, w)) }
                    continue
                }
                if w == "sept" {
                    // Seven, or September in a date ("1er sept", "7 sept 2025", "sept.").
                    var k = i
                    let dotted = k < c.count && c[k] == "."
                    if dotted { k += 1 }
                    skipSpaces(&k)
                    var q = k
                    let yearNext = readInt(&q).map { $0.digits == 4 } ?? false
                    var dayBefore = false
                    switch previous {
                    case .number(let n)? where (1...31).contains(n): dayBefore = true
                    case .ordinal(1)?: dayBefore = true
                    default: break
                    }
                    if dayBefore || yearNext || dotted {
                        if dotted { i += 1 }
                        emit(.month(9), start, i)
                    } else {
                        emit(.word(w), start, i)
                    }
                    continue
                }
                if let m = monthWords[w] {
                    emit(.month(m), start, i)
                    continue
                }
                if let m = monthAbbreviations[w] {
                    if i < c.count, c[i] == "." { i += 1 }
                    emit(.month(m), start, i)
                    continue
                }
                if let o = ordinalWords[w] {
                    emit(.ordinal(o), start, i)
                    continue
                }
                emit(.word(w), start, i)
                continue
            }
            emit(.punct(ch), i, i + 1)
            i += 1
        }

        // Abbreviated days are days in a run of days linked by list connectors ("lun, mar
        // et jeu"), when the run holds a full day name or is followed by a time.
        let connectors = dayConnectors
        func isConnector(_ t: Token) -> Bool {
            switch t {
            case .punct(let p): return [",", "-", "/", ":", "&"].contains(p)
            case .word(let w): return connectors.contains(w)
            default: return false
            }
        }
        func nextNonConnector(_ k: Int, _ step: Int) -> Int? {
            var j = k + step
            var hops = 0
            while j >= 0, j < out.count, isConnector(out[j].token), hops < 4 {
                j += step
                hops += 1
            }
            return j >= 0 && j < out.count ? j : nil
        }
        func timeFollows(_ k: Int) -> Bool {
            guard let j = nextNonConnector(k, 1) else { return false }
            switch out[j].token {
            case .time: return true
            case .number(let n) where n <= 24:
                guard j + 2 < out.count else { return false }
                if case .time = out[j + 2].token, out[j + 1].token == .word("a") || out[j + 1].token == .punct("-") { return true }
                return false
            default: return false
            }
        }
        let weakWords = Dictionary(weak.map { ($0.index, $0.word) }, uniquingKeysWith: { a, _ in a })
        var k = 0
        while k < out.count {
            guard case .day = out[k].token else {
                k += 1
                continue
            }
            // The run of days starting at k.
            var run = [k]
            var last = k
            while let j = nextNonConnector(last, 1), case .day = out[j].token {
                run.append(j)
                last = j
            }
            // « de 9h à 12h mar. et jeu. »: a time just before the run confirms it too.
            let timeBefore: Bool = {
                guard let j = nextNonConnector(k, -1) else { return false }
                if case .time = out[j].token { return true }
                return false
            }()
            let confirmed = timeBefore || run.contains { weakWords[$0] == nil } || run.contains(where: timeFollows)
            if !confirmed {
                for j in run {
                    if let w = weakWords[j] { out[j].token = .word(w) }
                }
            }
            k = last + 1
        }
        return out
    }

}
