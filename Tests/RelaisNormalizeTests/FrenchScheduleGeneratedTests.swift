import Foundation
import RelaisModel
import RelaisNormalize
import RelaisTestSupport
import Testing

/// Sentences composed from the grammar's pieces (day sets × time sets × ranks ×
/// seasons × connectors, seeded), each with the schedule it must give; and
/// mangled variants of them, which must never trap and, when read, always give
/// a valid OSM string.
@Suite struct FrenchScheduleGeneratedTests {
    struct Piece {
        var text: String
        var days: [WeekdaySelector]
        var weeks: [WeekRange] = []
    }

    struct Sentence {
        var text: String
        var expected: Schedule
    }

    static let names = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    static let abbreviations = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]
    static func plain(_ d: [Int]) -> [WeekdaySelector] { d.map { WeekdaySelector(weekday: $0) } }

    static func daySet(_ g: inout SeededRandom) -> Piece {
        let a = Int.random(in: 1...7, using: &g)
        var b = Int.random(in: 1...7, using: &g)
        if b == a { b = a % 7 + 1 }
        let (x, y) = (min(a, b), max(a, b))
        let na = names[x - 1], nb = names[y - 1]
        switch Int.random(in: 0..<16, using: &g) {
        case 0: return Piece(text: ["le \(na)", "les \(na)s", na.capitalized, "chaque \(na)", "tous les \(na)s"].randomElement(using: &g) ?? na, days: plain([x]))
        case 1: return Piece(text: ["le \(na) et le \(nb)", "les \(na)s et \(nb)s", "\(na), \(nb)", "\(na)/\(nb)"].randomElement(using: &g) ?? na, days: plain([x, y]))
        case 2:
            let c = (1...7).filter { $0 != x && $0 != y }.randomElement(using: &g) ?? 1
            let three = [x, y, c].sorted()
            return Piece(text: "\(names[three[0] - 1]), \(names[three[1] - 1]) et \(names[three[2] - 1])", days: plain(three))
        case 3 where y - x >= 2:
            return Piece(text: ["du \(na) au \(nb)", "\(na.capitalized) au \(nb)", "de \(na) à \(nb)", "\(na)-\(nb)", "du \(abbreviations[x - 1]) au \(abbreviations[y - 1])"].randomElement(using: &g) ?? na, days: plain(Array(x...y)))
        case 4: return Piece(text: ["tous les jours", "chaque jour", "7 jours sur 7", "7j/7", "du lundi au dimanche"].randomElement(using: &g) ?? "", days: plain(Array(1...7)))
        case 5: return Piece(text: ["en semaine", "du lundi au vendredi", "tous les jours de la semaine", "les jours ouvrés"].randomElement(using: &g) ?? "", days: plain(Array(1...5)))
        case 6: return Piece(text: ["le week-end", "le weekend", "les samedis et dimanches", "les week-ends"].randomElement(using: &g) ?? "", days: plain([6, 7]))
        case 7, 8:
            let ordinals: [(String, String, Int)] = [("1er", "1ers", 1), ("2e", "2es", 2), ("3e", "3es", 3), ("4e", "4es", 4), ("premier", "premiers", 1), ("deuxième", "deuxièmes", 2), ("troisième", "troisièmes", 3), ("quatrième", "quatrièmes", 4), ("dernier", "derniers", -1)]
            let o = ordinals.randomElement(using: &g) ?? ordinals[0]
            let form = Int.random(in: 0..<4, using: &g)
            switch form {
            case 0: return Piece(text: "le \(o.0) \(na) du mois", days: [WeekdaySelector(weekday: x, nth: [o.2])])
            case 1: return Piece(text: "chaque \(o.0) \(na) du mois", days: [WeekdaySelector(weekday: x, nth: [o.2])])
            case 2: return Piece(text: "tous les \(o.1) \(na)s du mois", days: [WeekdaySelector(weekday: x, nth: [o.2])])
            default:
                let p = ordinals.filter { $0.2 != o.2 }.randomElement(using: &g) ?? ordinals[1]
                let nth = Array(Set([o.2, p.2])).sorted(by: WeekdaySelector.nthOrder)
                return Piece(text: "le \(o.0) et le \(p.0) \(na) de chaque mois", days: [WeekdaySelector(weekday: x, nth: nth)])
            }
        case 9:
            let odd = Bool.random(using: &g)
            return Piece(text: "les \(na)s des semaines \(odd ? "impaires" : "paires")", days: plain([x]), weeks: [odd ? WeekRange(from: 1, to: 53, step: 2) : WeekRange(from: 2, to: 52, step: 2)])
        case 10: return Piece(text: "\(abbreviations[x - 1]), \(abbreviations[y - 1])", days: plain([x, y]))
        default:
            if Bool.random(using: &g) { return Piece(text: ["le \(na)", "les \(na)s"].randomElement(using: &g) ?? na, days: plain([x])) }
            return Piece(text: "le \(na) et le \(nb)", days: plain([x, y]))
        }
    }

    static func hour(_ m: Int, _ g: inout SeededRandom) -> String {
        let h = m / 60, mm = m % 60
        let two = mm < 10 ? "0\(mm)" : "\(mm)"
        if mm == 0 {
            return ["\(h)h", "\(h)h00", "\(h < 10 ? "0" : "")\(h):00", "\(h) heures", "\(h) h"].randomElement(using: &g) ?? "\(h)h"
        }
        return ["\(h)h\(two)", "\(h) h \(two)", "\(h < 10 ? "0" : "")\(h):\(two)", "\(h) heures \(two)"].randomElement(using: &g) ?? "\(h)h\(two)"
    }

    /// A time set and its spans.
    static func timeSet(_ g: inout SeededRandom) -> (String, [TimeSpan]) {
        let open = Int.random(in: 7...18, using: &g) * 60 + [0, 0, 15, 30, 45].randomElement(using: &g)!
        let close = min(23 * 60 + 30, open + Int.random(in: 2...10, using: &g) * 30)
        let a = hour(open, &g), b = hour(close, &g)
        switch Int.random(in: 0..<12, using: &g) {
        case 0, 1, 2: return ("de \(a) à \(b)", [TimeSpan(open: open, close: close)])
        case 3: return ("entre \(a) et \(b)", [TimeSpan(open: open, close: close)])
        case 4: return ("\(a)-\(b)", [TimeSpan(open: open, close: close)])
        case 5: return ("\(a) - \(b)", [TimeSpan(open: open, close: close)])
        case 6:
            let o1 = Int.random(in: 8...10, using: &g) * 60, c1 = o1 + 150, o2 = Int.random(in: 13...14, using: &g) * 60, c2 = o2 + Int.random(in: 2...4, using: &g) * 60
            let form = Int.random(in: 0..<3, using: &g)
            let (w, x, y, z) = (hour(o1, &g), hour(c1, &g), hour(o2, &g), hour(c2, &g))
            let text = form == 0 ? "de \(w) à \(x) et de \(y) à \(z)" : form == 1 ? "\(w)-\(x)/\(y)-\(z)" : "\(w)-\(x), \(y)-\(z)"
            return (text, [TimeSpan(open: o1, close: c1), TimeSpan(open: o2, close: c2)])
        case 7: return (["à \(a)", "dès \(a)", "à partir de \(a)"].randomElement(using: &g)!, [TimeSpan(open: open, close: nil)])
        case 8: return ("de \(a) à minuit", [TimeSpan(open: open, close: 1440)])
        case 9:
            let late = Int.random(in: 20...22, using: &g) * 60, early = Int.random(in: 1...3, using: &g) * 60 + [0, 30].randomElement(using: &g)!
            return ("de \(hour(late, &g)) à \(hour(early, &g))", [TimeSpan(open: late, close: early)])
        case 10: return ("de midi à \(hour(max(13 * 60, close), &g))", [TimeSpan(open: 720, close: max(13 * 60, close))])
        default: return ("de \(open / 60) à \(close / 60) h", [TimeSpan(open: open / 60 * 60, close: close / 60 * 60)])
        }
    }

    static func sentence(_ g: inout SeededRandom) -> Sentence {
        let prefix = ["", "", "Accueil ", "Le GEM est ouvert ", "Permanence ", "Groupe de parole ", "Ligne d’écoute ouverte "].randomElement(using: &g)!
        let kind = Int.random(in: 0..<10, using: &g)
        var d = daySet(&g)
        var (t, spans) = timeSet(&g)
        var timesFirst = false
        func clause(_ d: Piece, _ t: String) -> String {
            switch Int.random(in: 0..<5, using: &g) {
            case 0: return "\(d.text), \(t)"
            case 1 where !d.text.hasPrefix("les ") || d.weeks.isEmpty: return "\(d.text) : \(t)"
            case 2 where d.weeks.isEmpty:
                timesFirst = true
                return "\(t) \(d.text)"
            default: return "\(d.text) \(t)"
            }
        }
        var rules = [ScheduleRule(weeks: d.weeks, days: d.days, times: spans)]
        var text = prefix + clause(d, t)
        if kind >= 7 {
            // A second clause on other plain days.
            let used = Set(d.days.map(\.weekday))
            var e = daySet(&g)
            var tries = 0
            while tries < 20, !e.weeks.isEmpty || e.days.contains(where: { !$0.nth.isEmpty || used.contains($0.weekday) }) || d.days.contains(where: { !$0.nth.isEmpty }) {
                e = daySet(&g)
                tries += 1
                if tries == 20 {
                    d = Piece(text: "le lundi", days: plain([1]))
                    e = Piece(text: "le jeudi", days: plain([4]))
                    (t, spans) = ("de 9h à 12h", [TimeSpan(open: 540, close: 720)])
                    rules = [ScheduleRule(days: d.days, times: spans)]
                    text = prefix + "le lundi de 9h à 12h"
                }
            }
            let (u, spans2) = timeSet(&g)
            // After hours said first (« de 9h à 12h le lundi »), only a stop tells the next clause.
            let join = (timesFirst ? [" ; ", ". "] : [", ", " et ", " ; ", ". ", " "]).randomElement(using: &g)!
            text += join + "\(e.text) \(u)"
            rules.append(ScheduleRule(days: e.days, times: spans2))
        }
        switch kind {
        case 1:
            text += [", sauf jours fériés", " hors jours fériés", ", fermé les jours fériés"].randomElement(using: &g)!
            rules.append(ScheduleRule(publicHolidays: true, off: true))
        case 2:
            text += [", sauf en août", " (fermé en août)", ". Fermeture annuelle en août."].randomElement(using: &g)!
            rules.append(ScheduleRule(months: [8], off: true))
        case 3:
            text = ["D’octobre à juin, ", "De octobre à juin : "].randomElement(using: &g)! + text.prefix(1).lowercased() + text.dropFirst()
            for k in rules.indices { rules[k].months = [10, 11, 12, 1, 2, 3, 4, 5, 6] }
        case 4:
            text += [" hors vacances scolaires", " en période scolaire", ", sauf pendant les vacances scolaires"].randomElement(using: &g)!
            rules.append(ScheduleRule(schoolHolidays: true, off: true))
        default: break
        }
        if Bool.random(using: &g) { text += "." }
        return Sentence(text: text, expected: Schedule(rules: rules))
    }

    static func same(_ a: Schedule, _ b: Schedule) -> Bool {
        let ea = ScheduleEvaluator(a), eb = ScheduleEvaluator(b)
        var d = LocalDate(year: 2026, month: 1, day: 1)
        for _ in 0..<372 {
            if ea.spans(on: d) != eb.spans(on: d) { return false }
            d = d.adding(days: 1)
        }
        return true
    }

    @Test func generatedSentencesGiveTheirSchedule() {
        var g = SeededRandom(seed: 20_261_206)
        var failures: [String] = []
        let total = 2000
        for _ in 0..<total {
            let s = Self.sentence(&g)
            let r = FrenchSchedule.read(s.text)
            guard let got = r.schedule, Self.same(got, s.expected) else {
                failures.append("\(s.text) → \(r.openingHours ?? "nil") (expected \(OpeningHours.format(s.expected) ?? "?"))")
                continue
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(total) misread:\n\(failures.prefix(40).joined(separator: "\n"))")
    }

    @Test func mangledVariantsNeverTrapAndGiveValidOSM() {
        var g = SeededRandom(seed: 7)
        let noise: [String] = ["(", ")", ",", ";", "h", "à", "-", "/", ":", "24", "7", "0", "99999999999999999999", "1er", "sauf", "du", "au", "janvier", "2025", "h30", "’", "«", " "]
        var read = 0
        for _ in 0..<600 {
            let s = Self.sentence(&g).text
            var chars = Array(s)
            var variants: [String] = []
            if !chars.isEmpty {
                variants.append(String(chars.prefix(Int.random(in: 0..<chars.count, using: &g))))
                var deleted = chars
                deleted.remove(at: Int.random(in: 0..<deleted.count, using: &g))
                variants.append(String(deleted))
                chars.insert(contentsOf: Array(noise.randomElement(using: &g)!), at: Int.random(in: 0...chars.count, using: &g))
                variants.append(String(chars))
            }
            var words = s.split(separator: " ").map(String.init)
            words.shuffle(using: &g)
            variants.append(words.joined(separator: " "))
            variants.append(String(repeating: s + " ", count: 3))
            for v in variants {
                let r = FrenchSchedule.read(v)
                read += 1
                if let oh = r.openingHours {
                    #expect(OpeningHours.isValid(oh), "\(v) → \(oh) is not valid OSM")
                } else {
                    #expect(r.reason != nil, "\(v): no schedule and no reason")
                }
            }
        }
        #expect(read >= 2400)
    }
}
