import Foundation

/// The timestamps Relais writes and reads back (runs, leases, edits): ISO 8601, UTC,
/// to the second — `2026-12-06T21:15:00Z`.
public enum Timestamp {
    public static func string(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    public static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}
