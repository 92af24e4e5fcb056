import Foundation
import RelaisSources
import Testing

/// A manifest's `schedule` is admin input: a malformed cron field is refused, never a trap
/// (the fuzzer found « 0 4 - * * »: a range with no ends).
@Suite struct CronTests {
    @Test func malformedRangesAreRefused() {
        for text in ["0 4 - * *", "0 4 -5 * *", "0 4 1- * *", "0 4 1-2-3 * *", "- - - - -", "0 4 --1 * *", "0 4 , * *", "0 4 */0 * *", "0 4 5-1 * *"] {
            #expect(Cron(text) == nil, "\(text)")
        }
        #expect(Cron("0 4 1-5 * *") != nil && Cron("*/15 * * * 1-5") != nil && Cron("0 3 * * 1,3") != nil)
    }
}
