import Foundation
import RelaisModel
import RelaisNormalize

/// What a listing's content alone decides, for any store: its canonical JSON,
/// the hash that tells a changed record from an unchanged one, and the keys
/// that find the same resource in other sources.
public struct ListingFingerprint: Sendable {
    public var json: String
    public var hash: String
    public var keys: [String]

    public init(_ content: ListingContent, json: String? = nil) {
        let json = json ?? content.jsonString
        self.json = json
        hash = Text.hash(json)
        var unique = Set<String>()
        keys = ListingMerger.identityKeys(content).filter { unique.insert($0).inserted }
    }
}

/// One draft of a run, prepared on the thread that produced it: its fingerprint, and
/// whatever the store's writer asked to have prepared ahead (its own rows).
public struct PreparedDraft: Sendable {
    public var draft: ListingDraft
    public var fingerprint: ListingFingerprint
    public var prepared: (any Sendable)?
}

/// The drafts of one run, handed to its write transaction while they are still
/// being produced: on a 2-core machine, normalising the next records overlaps
/// writing the previous ones instead of waiting for them.
///
/// Producers add numbered chunks, in any order and from any thread; each chunk is
/// prepared (fingerprints, and the store's own rows through `prepare`) by the
/// thread that adds it. The store takes the chunks in order. Nothing is
/// committed before the producer `finish`es with its verdict: a refused or
/// interrupted run is rolled back, and the store keeps exactly what it had.
public final class RunFeed: @unchecked Sendable {
    /// What the producer decided once every record was read and normalised.
    public enum Verdict: Sendable {
        /// Apply the run; `issues` are its rejected rows and warnings.
        case apply(issues: [RunIssue])
        /// Too many rows rejected: nothing is applied.
        case refuse(message: String, issues: [RunIssue])
        /// Stopped on request (shutdown): nothing is applied.
        case interrupt(message: String, issues: [RunIssue])
        /// The source could not be read to its end (a page of invalid JSON…): nothing is applied.
        case fail(message: String, issues: [RunIssue])
    }

    private let condition = NSCondition()
    private var chunks: [Int: [PreparedDraft]] = [:]
    private var taken = 0
    private var chunkCount: Int?
    private var verdict: Verdict?
    private var stopped = false
    private let prepare: @Sendable (ListingContent, ListingFingerprint) -> (any Sendable)?
    /// How many chunks past the one the store takes next may wait in memory: a producer
    /// ahead of the writer by more waits for it, so that a run's memory is bounded by a few
    /// chunks, not by the source.
    private let window: Int
    /// Nanoseconds the consumer spent waiting for the producer (profiling).
    public private(set) var waited: UInt64 = 0

    /// `prepare`: the store's own rows for a listing, computed by the producing threads.
    public init(window: Int = 8, prepare: @escaping @Sendable (ListingContent, ListingFingerprint) -> (any Sendable)? = { _, _ in nil }) {
        self.window = max(1, window)
        self.prepare = prepare
    }

    /// A feed already holding every draft (one chunk) and its verdict.
    public convenience init(drafts: [ListingDraft], verdict: Verdict, prepare: @escaping @Sendable (ListingContent, ListingFingerprint) -> (any Sendable)? = { _, _ in nil }) {
        self.init(prepare: prepare)
        chunks[0] = drafts.map(self.prepared)
        chunkCount = 1
        self.verdict = verdict
    }

    func prepared(_ d: ListingDraft) -> PreparedDraft {
        let f = ListingFingerprint(d.content)
        return PreparedDraft(draft: d, fingerprint: f, prepared: prepare(d.content, f))
    }

    /// Adds chunk number `index` (from 0), preparing it on the calling thread.
    /// Waits while `index` is more than `window` chunks ahead of the store (the chunk the
    /// store needs next never waits, so producers cannot block one another for good), unless
    /// the feed was stopped or concluded.
    public func add(_ drafts: [ListingDraft], chunk index: Int) {
        let ready = drafts.map(prepared)
        condition.lock()
        while index >= taken + window, !stopped, !concluded {
            condition.wait()
        }
        chunks[index] = ready
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
    public func nextChunk() -> [PreparedDraft]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let chunk = chunks.removeValue(forKey: taken) {
                taken += 1
                condition.broadcast()  // a producer waiting for room
                return chunk
            }
            if let n = chunkCount, taken >= n { return nil }
            // Refused or interrupted: the rest would be rolled back anyway.
            if let v = verdict, case .apply = v {} else if verdict != nil { return nil }
            let t0 = DispatchTime.now().uptimeNanoseconds
            condition.wait()
            waited &+= DispatchTime.now().uptimeNanoseconds &- t0
        }
    }

    /// Refused, interrupted or failed: the store takes nothing more.
    private var concluded: Bool {
        guard let verdict else { return false }
        if case .apply = verdict { return false }
        return true
    }

    /// The producer's verdict (waiting for it).
    public func finalVerdict() -> Verdict {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let verdict { return verdict }
            condition.wait()
        }
    }
}

/// A run not applied: refused (too many rows rejected), interrupted, or held by the
/// shrink guard. Everything of it was rolled back.
public struct RunNotApplied: Error, Sendable {
    public var status: RunRecord.Status
    public var message: String
    public var issues: [RunIssue]

    public init(status: RunRecord.Status, message: String, issues: [RunIssue]) {
        self.status = status
        self.message = message
        self.issues = issues
    }
}
