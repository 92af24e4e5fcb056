import Foundation
import RelaisModel

/// The drafts of one run, handed to its write transaction while they are
/// still being produced: on this 2-core machine, normalising the next records
/// overlaps writing the previous ones instead of waiting for them.
///
/// Producers add numbered chunks, in any order and from any thread; each
/// chunk's rows are prepared (`ServiceRows`) by the thread that adds it. The
/// writer takes the chunks in order. Nothing is committed before the producer
/// `finish`es with its verdict: a refused or interrupted run is rolled back,
/// and the store keeps exactly what it had.
public final class DraftFeed: @unchecked Sendable {
    /// What the producer decided once every record was read and normalised.
    public enum Verdict: Sendable {
        /// Apply the run; `issues` are its rejected rows and warnings.
        case apply(issues: [RunIssue])
        /// Too many rows rejected: nothing is applied.
        case refuse(message: String, issues: [RunIssue])
        /// Stopped on request (shutdown): nothing is applied.
        case interrupt(message: String, issues: [RunIssue])
    }

    private let condition = NSCondition()
    private var chunks: [Int: [Prepared]] = [:]
    private var taken = 0
    private var chunkCount: Int?
    private var verdict: Verdict?
    private var stopped = false
    /// Nanoseconds the writer spent waiting for the producer (profiling).
    private(set) var waited: UInt64 = 0

    struct Prepared {
        var draft: ListingDraft
        var rows: ServiceRows
    }

    public init() {}

    /// A feed already holding every draft (one chunk) and its verdict.
    public convenience init(drafts: [ListingDraft], verdict: Verdict) {
        self.init()
        chunks[0] = drafts.map { Prepared(draft: $0, rows: ServiceRows($0.content)) }
        chunkCount = 1
        self.verdict = verdict
    }

    /// Adds chunk number `index` (from 0), preparing its rows on the calling thread.
    public func add(_ drafts: [ListingDraft], chunk index: Int) {
        let prepared = drafts.map { Prepared(draft: $0, rows: ServiceRows($0.content)) }
        condition.lock()
        chunks[index] = prepared
        condition.broadcast()
        condition.unlock()
    }

    /// Declares the end: `count` chunks in all, and what to do with them.
    public func finish(chunks count: Int, verdict: Verdict) {
        condition.lock()
        chunkCount = count
        self.verdict = verdict
        condition.broadcast()
        condition.unlock()
    }

    /// Asks the producer to stop early (the run's task was cancelled).
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// True once `stop()` was called: producers check it between chunks.
    public var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// The next chunk in order, waiting for it; nil after the last one.
    func nextChunk() -> [Prepared]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let chunk = chunks.removeValue(forKey: taken) {
                taken += 1
                return chunk
            }
            if let n = chunkCount, taken >= n { return nil }
            // Refused or interrupted: the rest would be rolled back anyway.
            if let v = verdict, case .apply = v {} else if verdict != nil { return nil }
            let t0 = Profiling.clock()
            condition.wait()
            waited &+= Profiling.clock() &- t0
        }
    }

    /// The producer's verdict (waiting for it).
    func finalVerdict() -> Verdict {
        condition.lock()
        defer { condition.unlock() }
        while verdict == nil { condition.wait() }
        return verdict!
    }
}

/// A run the producer refused or interrupted: rolled back, nothing applied.
public struct RunNotApplied: Error, Sendable {
    public var status: RunRecord.Status
    public var message: String
    public var issues: [RunIssue]
}
