import RelaisModel
import RelaisNormalize
import Synchronization

/// Each distinct schedule's next opening, kept across questions for as long as it stays true.
///
/// The next opening found at `t0` is still the next one at any later `t1` before it ends: every
/// occurrence that came before it in the evaluator's order had ended by `t0`, so by `t1` too.
/// « Nothing ahead » stays true for the rest of that day (the search window is counted in days
/// from the question's date). Earlier times and other days evaluate again. One per index (one
/// data version): a new version starts empty. Also whether each schedule is always open.
final class OpeningCache: Sendable {
    struct Key: Hashable {
        var schedule: Int32
        var zone: CivilZone
        var horizonDays: Int
    }

    struct Known {
        var from: LocalDateTime
        var next: Occurrence?

        func holds(at now: LocalDateTime) -> Bool {
            guard from <= now else { return false }
            guard let next else { return now.date == from.date }
            return now < (next.end ?? LocalDateTime(date: next.start.date, minutes: 1440)) || now <= next.start
        }
    }

    private let table = Mutex<[Key: Known]>([:])
    private let alwaysOpen = Mutex<[Int32: Bool]>([:])

    /// Whether schedule `id` is open at every hour of every day (« 24 h/24, 7 j/7 »).
    func isAlwaysOpen(_ id: Int32, _ schedule: Schedule) -> Bool {
        guard id >= 0 else { return ScheduleEvaluator.isAlwaysOpen(schedule) }
        if let known = alwaysOpen.withLock({ $0[id] }) { return known }
        let open = ScheduleEvaluator.isAlwaysOpen(schedule)
        alwaysOpen.withLock { $0[id] = open }
        return open
    }

    /// The next opening of schedule `key.schedule` after `now`, from the table when it holds,
    /// else from `evaluate` (run outside the lock), which is then kept.
    func next(_ key: Key, after now: LocalDateTime, evaluate: () -> Occurrence?) -> Occurrence? {
        if let known = table.withLock({ $0[key] }), known.holds(at: now) { return known.next }
        let next = evaluate()
        table.withLock { $0[key] = Known(from: now, next: next) }
        return next
    }
}
