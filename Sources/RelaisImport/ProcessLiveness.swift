import Foundation

/// Whether the process that opened a run or holds a lease is still there. Owners are
/// written `host:pid` (runs) or `host:pid:random` (leases).
public enum ProcessLiveness {
    /// This host's name in owners: `RELAIS_INSTANCE` when set (instances in containers that
    /// share a host name, or a test playing two hosts), the system's host name otherwise.
    public static let hostName: String = {
        let set = ProcessInfo.processInfo.environment["RELAIS_INSTANCE"].map { $0.replacingOccurrences(of: ":", with: "-") } ?? ""
        return set.isEmpty ? ProcessInfo.processInfo.hostName : set
    }()

    /// An owner's host and process id: `host:pid` (runs) or `host:pid:random` (leases); the
    /// host itself contains no ':'. nil for anything else.
    private static func parse(_ owner: String) -> (host: String, pid: String)? {
        let parts = owner.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 2: return (parts[0], parts[1])  // (indexes within the count matched)
        case 3...: return (parts[parts.count - 3], parts[parts.count - 2])
        default: return nil
        }
    }

    /// Whether the owner names a process of this host (alive or not).
    public static func isOnThisHost(owner: String) -> Bool {
        parse(owner)?.host == hostName
    }

    /// True only when the owner names a process of this host that no longer exists;
    /// an owner on another host, or unreadable, is never declared gone.
    public static func isGoneLocally(owner: String) -> Bool {
        guard let (host, pidText) = parse(owner), host == hostName, let pid = Int32(pidText), pid > 0 else { return false }
        if pid == ProcessInfo.processInfo.processIdentifier { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
