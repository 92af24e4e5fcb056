import Foundation

/// A small thread-safe cache that forgets everything when full (its keys carry their own validity):
/// the search totals of every backend, kept for one data version.
public final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Key: Value] = [:]
    private let capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    public func get(_ key: Key) -> Value? { lock.withLock { values[key] } }

    public func set(_ key: Key, _ value: Value) {
        lock.withLock {
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[key] = value
        }
    }
}

