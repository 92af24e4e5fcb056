import Foundation
import RelaisModel
import RelaisMerge

/// When a source is refreshed: a 5-field cron expression (minute hour
/// day-of-month month day-of-week, Europe/Paris wall clock) or a fixed period.
public enum RefreshSchedule: Sendable, Hashable, CustomStringConvertible {
    case every(hours: Int)
    case cron(Cron)

    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.hasPrefix("every ") {
            let v = t.dropFirst(6).trimmingCharacters(in: .whitespaces)
            guard let unit = v.last, let n = Int(v.dropLast()), n > 0 else { return nil }
            switch unit {
            case "h": self = .every(hours: n)
            case "d": self = .every(hours: n * 24)
            default: return nil
            }
            return
        }
        guard let c = Cron(t) else { return nil }
        self = .cron(c)
    }

    public var description: String {
        switch self {
        case .every(let h): return h % 24 == 0 ? "every \(h / 24)d" : "every \(h)h"
        case .cron(let c): return c.text
        }
    }

    /// The first time after `last` (or now, for a source never run) when the source is due.
    public func next(after last: Date?, now: Date) -> Date {
        switch self {
        case .every(let h):
            guard let last else { return now }
            return last.addingTimeInterval(Double(h) * 3600)
        case .cron(let c):
            return c.next(after: last ?? now.addingTimeInterval(-60)) ?? now.addingTimeInterval(86400)
        }
    }
}

/// A 5-field cron expression: `*`, lists, ranges and steps (`*/15`, `1-5`, `0,30`).
public struct Cron: Sendable, Hashable {
    public let text: String
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let anyDay: Bool, anyWeekday: Bool

    public init?(_ text: String) {
        let f = text.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count == 5,
            let mi = Cron.field(f[0], 0, 59), let h = Cron.field(f[1], 0, 23), let d = Cron.field(f[2], 1, 31),
            let mo = Cron.field(f[3], 1, 12), let w = Cron.field(f[4], 0, 7)
        else { return nil }
        self.text = f.joined(separator: " ")
        minutes = mi
        hours = h
        days = d
        months = mo
        weekdays = Set(w.map { $0 == 7 ? 0 : $0 })
        anyDay = f[2] == "*"
        anyWeekday = f[4] == "*"
    }

    static func field(_ s: Substring, _ lo: Int, _ hi: Int) -> Set<Int>? {
        var out = Set<Int>()
        for part in s.split(separator: ",") {
            var range = part
            var step = 1
            if let slash = part.firstIndex(of: "/") {
                guard let st = Int(part[part.index(after: slash)...]), st > 0 else { return nil }
                step = st
                range = part[..<slash]
            }
            var a = lo, b = hi
            if range != "*" {
                // « - », « -5 », « 1- »: not a range (split drops the empty ends).
                let ends = range.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2, let first = ends.first, let x = Int(first) else { return nil }
                a = x
                b = ends.count == 2 ? (Int(ends[1]) ?? -1) : (part.contains("/") ? hi : x)
                guard ends.count <= 2, a >= lo, b <= hi, a <= b else { return nil }
            }
            out.formUnion(stride(from: a, through: b, by: step))
        }
        return out.isEmpty ? nil : out
    }

    /// The first matching minute strictly after `date`, in Europe/Paris wall-clock time.
    public func next(after date: Date) -> Date? {
        var local = ParisTime.local(atEpoch: Int(date.timeIntervalSince1970))
        local = LocalDateTime(date: local.date, minutes: local.minutes + 1)
        for _ in 0..<(366 * 24 * 60) {
            let d = local.date
            let dayOK: Bool
            let wd = d.weekday % 7  // Sunday = 0
            if anyDay && anyWeekday { dayOK = true }
            else if anyDay { dayOK = weekdays.contains(wd) }
            else if anyWeekday { dayOK = days.contains(d.day) }
            else { dayOK = days.contains(d.day) || weekdays.contains(wd) }
            if !months.contains(d.month) || !dayOK {
                local = LocalDateTime(date: d.adding(days: 1), minutes: 0)
                continue
            }
            if !hours.contains(local.minutes / 60) {
                local = LocalDateTime(date: d, minutes: (local.minutes / 60 + 1) * 60)
                continue
            }
            if minutes.contains(local.minutes % 60) {
                return Date(timeIntervalSince1970: Double(ParisTime.epoch(of: local)))
            }
            local = LocalDateTime(date: d, minutes: local.minutes + 1)
        }
        return nil
    }
}
