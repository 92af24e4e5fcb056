import RelaisModel
import RelaisNormalize

extension FrenchFormat {
    static let weekdayPlural = ["lundis", "mardis", "mercredis", "jeudis", "vendredis", "samedis", "dimanches"]

    static func ordinal(_ n: Int) -> String {
        switch n {
        case 1: return "1er"
        case -1: return "dernier"
        case -2: return "avant-dernier"
        default: return n > 0 ? "\(n)e" : "\(n)"
        }
    }

    /// "du lundi au vendredi", "le mardi et le jeudi", "le 1er et le 3e mardi du mois".
    static func days(_ days: [WeekdaySelector]) -> String {
        let plain = days.filter { $0.nth.isEmpty }.map(\.weekday).sorted()
        var parts: [String] = []
        if !plain.isEmpty {
            if plain.count == 7 {
                parts.append("tous les jours")
            } else if plain.count >= 3, plain.last! - plain.first! == plain.count - 1 {
                parts.append("du \(weekdays[plain.first! - 1]) au \(weekdays[plain.last! - 1])")
            } else {
                parts.append(list(plain.map { "le " + weekdays[$0 - 1] }))
            }
        }
        for d in days where !d.nth.isEmpty {
            let ranks = d.nth.sorted(by: WeekdaySelector.nthOrder).map { "le " + ordinal($0) }
            parts.append(list(ranks) + " \(weekdays[d.weekday - 1]) du mois")
        }
        return list(parts)
    }

    static func months(_ months: [Int]) -> String {
        let sorted = months
        if sorted.count >= 2 {
            return "de \(self.months[sorted.first! - 1]) à \(self.months[sorted.last! - 1])"
        }
        return "en " + list(sorted.map { self.months[$0 - 1] })
    }

    /// A schedule in plain French, one sentence per rule:
    /// "Du lundi au vendredi, de 14 h à 18 h." "Fermé en août." "Un mercredi sur deux, de 14 h à 16 h, à partir du 4 novembre 2026."
    public static func schedule(_ s: Schedule) -> [String] {
        // Round the clock, every day: said as French says it, not « de 0 h à 0 h ».
        if ScheduleEvaluator.isAlwaysOpen(s) { return ["24\u{A0}h/24, 7\u{A0}j/7."] }
        var out: [String] = []
        for rule in s.rules {
            if rule.off {
                if rule.publicHolidays && rule.days.isEmpty { out.append("Fermé les jours fériés."); continue }
                if !rule.months.isEmpty { out.append("Fermé \(rule.months.count == 1 ? "en " + self.months[rule.months[0] - 1] : months(rule.months).replacingOccurrences(of: "de ", with: "de ", options: [], range: nil))."); continue }
                out.append("Fermé " + days(rule.days) + ".")
                continue
            }
            var when: String
            if !rule.dates.isEmpty {
                when = list(rule.dates.map { "le " + date($0) })
            } else if rule.interval == 2 && !rule.isMonthly {
                when = list(rule.days.map { "un \(weekdays[$0.weekday - 1]) sur deux" })
            } else if rule.days.isEmpty {
                when = "tous les jours"
            } else {
                when = days(rule.days)
            }
            let hours = rule.times.map { t in t.close.map { "de \(time(t.open)) à \(time($0))" } ?? "à partir de \(time(t.open))" }
            var sentence = when.prefix(1).uppercased() + when.dropFirst()
            if !hours.isEmpty { sentence += ", " + list(hours) }
            if !rule.months.isEmpty { sentence += ", " + months(rule.months) }
            if let from = rule.validFrom ?? rule.anchor, rule.interval > 1 || rule.count != nil { sentence += ", à partir du \(date(from, weekday: false))" }
            if let until = rule.validUntil { sentence += ", jusqu’au \(date(until, weekday: false))" }
            out.append(sentence + ".")
        }
        if s.rules.count == 1, s.rules[0].times == [TimeSpan(open: 0, close: 1440)], s.rules[0].days.isEmpty { return ["Tous les jours, 24 h/24."] }
        return out
    }
}
