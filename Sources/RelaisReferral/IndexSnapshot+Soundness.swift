import RelaisModel

/// What a schedule or a session read back from an index file may hold before the engine
/// evaluates it. Relais's readers never make anything else; a damaged file can say anything
/// (a month 13, a minute past the day, a year past Int's arithmetic), and the engine's calendar
/// arithmetic and French dates assume these bounds. A file that breaks one is not used: the index
/// is built from the store, as when there is no file. The bounds are wide on purpose: one that
/// refused a legitimate index would only cost a rebuild.
extension IndexSnapshot {
    static func isSound(_ s: Schedule) -> Bool {
        s.rules.allSatisfy(isSound) && s.exceptions.allSatisfy(isSound)
    }

    static func isSound(_ r: ScheduleRule) -> Bool {
        r.months.allSatisfy(isMonth)
            && r.monthDays.allSatisfy { isMonth($0.fromMonth) && isMonth($0.toMonth) && isMonthDay($0.fromDay) && isMonthDay($0.toDay) }
            && r.weeks.allSatisfy { isWeek($0.from) && isWeek($0.to) && isWeek($0.step) }
            && r.days.allSatisfy { (1...7).contains($0.weekday) && $0.nth.allSatisfy { $0 != 0 && (-5...5).contains($0) } }
            && r.dates.allSatisfy(isSound)
            && r.times.allSatisfy { isMinute($0.open) && ($0.close.map(isMinute) ?? true) }
            && (1...limit).contains(r.interval)
            && (r.count.map { (0...limit).contains($0) } ?? true)
            && [r.anchor, r.validFrom, r.validUntil].allSatisfy { $0.map(isSound) ?? true }
    }

    static func isSound(_ s: Session) -> Bool {
        s.occurrences.allSatisfy { isSound($0.start) && ($0.end.map(isSound) ?? true) }
    }

    static func isSound(_ t: LocalDateTime) -> Bool { isSound(t.date) && (0..<1440).contains(t.minutes) }

    static func isSound(_ d: LocalDate) -> Bool { (1...9999).contains(d.year) && d.isValid }

    private static let limit = 1_000_000
    private static func isMonth(_ m: Int) -> Bool { (1...12).contains(m) }
    private static func isMonthDay(_ d: Int) -> Bool { (1...31).contains(d) }
    private static func isWeek(_ w: Int) -> Bool { (1...53).contains(w) }
    /// Minutes from midnight; OSM's extended hours reach into the next day (`22:00-26:00`).
    private static func isMinute(_ m: Int) -> Bool { (0...2880).contains(m) }
}
