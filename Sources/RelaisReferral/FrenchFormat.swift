import RelaisModel
import Synchronization

/// Dates and hours as French readers write them: "jeudi 26 novembre 2026, 18 h – 20 h".
public enum FrenchFormat {
    public static let weekdays = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    public static let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]

    /// "jeudi 26 novembre 2026" (1er for the first day of a month).
    /// A date that does not exist (only a damaged file could hold one) is written as digits.
    public static func date(_ d: LocalDate, weekday: Bool = true) -> String {
        guard d.isValid else { return d.description }
        let day = d.day == 1 ? "1er" : "\(d.day)"
        return (weekday ? weekdays[d.weekday - 1] + " " : "") + "\(day) \(months[d.month - 1]) \(d.year)"
    }

    /// "18 h", "17 h 30", "midi".
    public static func time(_ minutes: Int) -> String {
        let m = minutes % 1440
        let h = m / 60, mm = m % 60
        return mm == 0 ? "\(h) h" : "\(h) h \(mm < 10 ? "0\(mm)" : "\(mm)")"
    }

    /// A closing time: "18 h", and "minuit" rather than "0 h".
    public static func endTime(_ minutes: Int) -> String { minutes % 1440 == 0 ? "minuit" : time(minutes) }

    /// "jeudi 26 novembre 2026, 18 h – 20 h" / "samedi 6 février 2027 (toute la journée)" /
    /// "vendredi 4 décembre 2026, 21 h – 2 h 30" (past midnight) / "mardi 1er décembre 2026, à partir de 14 h 30".
    public static func occurrence(_ o: Occurrence) -> String {
        occurrenceTexts.text(o, zone: nil) { spelled(o) }
    }

    /// The same, ISO 8601 with `zone`'s offset: the start (a date alone for a whole day), the end.
    public static func iso(_ o: Occurrence, zone: CivilZone) -> (start: String, end: String?) {
        let start = occurrenceTexts.text(o, zone: zone) { o.allDay ? o.start.date.description : zone.iso(o.start) }
        let end = o.end.map { e in occurrenceTexts.text(Occurrence(start: e, end: nil, allDay: false), zone: zone, part: 1) { zone.iso(e) } }
        return (start, end)
    }

    /// Spelling an occurrence out costs more than the rest of an answer line: the few thousand
    /// distinct ones of the coming weeks are spelled once (a pure function, kept in memory).
    static let occurrenceTexts = Memo()

    final class Memo: Sendable {
        struct Key: Hashable {
            var occurrence: Occurrence
            var zone: CivilZone?
            var part: Int
        }

        private let table = Mutex<[Key: String]>([:])

        func text(_ o: Occurrence, zone: CivilZone?, part: Int = 0, spell: () -> String) -> String {
            let key = Key(occurrence: o, zone: zone, part: part)
            if let known = table.withLock({ $0[key] }) { return known }
            let text = spell()
            table.withLock { t in
                if t.count >= 8192 { t = [:] }  // bounded: the coming weeks' come back at once
                t[key] = text
            }
            return text
        }
    }

    static func spelled(_ o: Occurrence) -> String {
        if o.allDay { return date(o.start.date) + " (toute la journée)" }
        guard let e = o.end else { return date(o.start.date) + ", à partir de " + time(o.start.minutes) }
        let minutes = (e.date.dayNumber - o.start.date.dayNumber) * 1440 + e.minutes - o.start.minutes
        if o.start.minutes == 0 && minutes == 1440 { return date(o.start.date) + " (24\u{A0}h/24)" }
        // Ends the next day before noon: a night span ("21 h – 2 h 30"), not another date.
        if e.date == o.start.date || (minutes > 0 && minutes < 1440 && e.minutes <= 720) {
            return date(o.start.date) + ", " + time(o.start.minutes) + "\u{A0}– " + endTime(e.minutes)
        }
        return date(o.start.date) + ", " + time(o.start.minutes) + "\u{A0}– " + date(e.date, weekday: false) + ", " + endTime(e.minutes)
    }

    /// "3,2 km", "800 m".
    public static func distance(_ km: Double) -> String {
        if km < 1 { return "\(Int((km * 1000 / 100).rounded() * 100)) m" }
        if km < 10 { return String(format1(km)) + " km" }
        return "\(Int(km.rounded())) km"
    }

    static func format1(_ v: Double) -> String {
        let t = (v * 10).rounded() / 10
        let i = Int(t)
        let dec = Int(((t - Double(i)) * 10).rounded())
        return dec == 0 ? "\(i)" : "\(i),\(dec)"
    }

    /// "Rompre l’isolement et Soutien aux proches", "A, B et C".
    public static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " et " + items.last!
        }
    }
}
