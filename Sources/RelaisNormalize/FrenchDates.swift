import RelaisModel

/// Dated sessions written in French prose: "à Nice, les samedis 16, 23 et 30
/// janvier 2027, de 9 h à 17 h 30, Maison des associations" — "19 et 26 mars
/// et 2 avril 2027" (a month or a year stated once for several days).
public enum FrenchDates {
    public struct DatedClause: Sendable, Equatable {
        public var city: String?
        public var dates: [LocalDate]
        public var start: Int?
        public var end: Int?
        /// What follows the dates and hours: usually the place.
        public var place: String?
        public var full: Bool
    }

    /// Explicit dates of a text (day + month, year stated or inferred as the next
    /// such date on or after `today`).
    public static func dates(in text: String, today: LocalDate) -> [LocalDate] {
        let tokens = FrenchSchedule.tokenize(text)
        var out: [LocalDate] = []
        var pendingDays: [Int] = []
        var pendingMonths: [(Int, Int)] = []  // (day, month) waiting for a year
        for (i, t) in tokens.enumerated() {
            switch t {
            case .number(let n) where (1...31).contains(n):
                pendingDays.append(n)
            case .ordinal(1):
                pendingDays.append(1)
            case .month(let m):
                for d in pendingDays { pendingMonths.append((d, m)) }
                pendingDays = []
                // A year right after: "30 janvier 2027".
                if i + 1 < tokens.count, case .number(let y) = tokens[i + 1], (2000...2100).contains(y) {
                    for (d, mm) in pendingMonths {
                        out.append(LocalDate(year: y, month: mm, day: min(d, LocalDate.daysIn(month: mm, year: y))))
                    }
                    pendingMonths = []
                }
            case .number(let n) where n >= 2000 && n <= 2100:
                break
            case .word(let w) where ["et", "le", "les", "du", "au", "samedis", "vendredis", "a"].contains(w):
                break
            case .punct(","), .day:
                break
            default:
                // Flush: dates without a year are the next such dates from today.
                for (d, m) in pendingMonths { out.append(nextDate(day: d, month: m, from: today)) }
                pendingMonths = []
                pendingDays = []
            }
        }
        for (d, m) in pendingMonths { out.append(nextDate(day: d, month: m, from: today)) }
        return out
    }

    static func nextDate(day: Int, month: Int, from today: LocalDate) -> LocalDate {
        var y = today.year
        if LocalDate(year: y, month: month, day: min(day, LocalDate.daysIn(month: month, year: y))) < today { y += 1 }
        return LocalDate(year: y, month: month, day: min(day, LocalDate.daysIn(month: month, year: y)))
    }

    static let timeExpression: NSRegularExpression = {
        // A constant pattern: it compiles.
        guard let re = try? NSRegularExpression(pattern: #"\d{1,2}\s*h(\s*\d{2})?"#) else { preconditionFailure("time pattern") }
        return re
    }()

    /// Splits a paragraph into clauses with dates (";" or sentence ends), each with
    /// its city ("à Nice"), dates, hours and the place text after them.
    public static func clauses(in paragraph: String, today: LocalDate) -> [DatedClause] {
        var out: [DatedClause] = []
        let pieces = paragraph.replacingOccurrences(of: "\u{A0}", with: " ").split(whereSeparator: { $0 == ";" }).flatMap { $0.components(separatedBy: ". ") }
        for raw in pieces {
            let clause = raw.trimmed
            let dates = dates(in: clause, today: today)
            guard !dates.isEmpty else { continue }
            var c = DatedClause(city: nil, dates: dates, start: nil, end: nil, place: nil, full: false)
            let folded = Text.fold(clause)
            c.full = folded.contains("complet") || folded.contains("complete")
            // Hours: the first time range.
            let tokens = FrenchSchedule.tokenize(clause)
            for (i, t) in tokens.enumerated() {
                if case .time(let a, _) = t {
                    c.start = a
                    if i + 2 < tokens.count, case .time(let b, _) = tokens[i + 2] { c.end = b }
                    break
                }
                if case .number(let a) = t, i + 2 < tokens.count, case .word("a") = tokens[i + 1], case .time(let b, _) = tokens[i + 2], a <= 24, !dates.contains(where: { $0.day == a }) {
                    c.start = a * 60
                    c.end = b
                    break
                }
            }
            // City: "à Nice," at the start, or "de Cannes" in "La session de Cannes".
            let words = clause.split(separator: " ").map(String.init)
            let firstDateWord = words.firstIndex { w in w.first?.isNumber == true } ?? words.count
            if let i = words.firstIndex(where: { $0 == "à" || $0 == "a" }), i < firstDateWord, i + 1 < words.count,
                words[i + 1].first?.isUppercase == true
            {
                c.city = words[i + 1].trimmingCharacters(in: CharacterSet(charactersIn: ",.;:()"))
            } else if let r = clause.range(of: #"session de ([A-ZÉÈ][\p{L}\-]+)"#, options: .regularExpression) {
                c.city = String(clause[r].split(separator: " ").last!)
            }
            // Place: the text after the last time expression.
            // The last time expression, found in one pass (a look-ahead for "no later time" was quadratic).
            let ns = clause as NSString
            if let last = Self.timeExpression.matches(in: clause, range: NSRange(location: 0, length: ns.length)).last,
                let hRange = Range(last.range, in: clause)
            {
                let after = clause[hRange.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: " ,.;:"))
                if !after.isEmpty { c.place = after }
            }
            out.append(c)
        }
        return out
    }
}

import Foundation
