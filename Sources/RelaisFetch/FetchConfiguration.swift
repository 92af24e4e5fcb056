/// How the fetcher talks to sources. Every limit has a documented default.
public struct FetchConfiguration: Sendable {
    /// Connect and whole-transfer timeouts.
    public struct Timeouts: Sendable {
        /// Seconds to establish the connection (default 10).
        public var connect: Double
        /// Seconds for the whole transfer, redirects included (default 120).
        public var total: Double
        public init(connect: Double = 10, total: Double = 120) {
            self.connect = connect
            self.total = total
        }
    }

    /// Retries on connection errors, timeouts and 5xx answers — never on 4xx.
    public struct Retry: Sendable {
        /// Attempts in all, the first included (default 3).
        public var maxAttempts: Int
        /// Delay before the second attempt, doubled each time (default 1 s).
        public var baseDelay: Double
        /// Longest delay between two attempts (default 30 s).
        public var maxDelay: Double
        public init(maxAttempts: Int = 3, baseDelay: Double = 1, maxDelay: Double = 30) {
            self.maxAttempts = max(1, maxAttempts)
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
        }
        /// Delay before attempt `attempt` (2-based: the first retry).
        public func delay(beforeAttempt attempt: Int) -> Double {
            guard attempt > 1 else { return 0 }
            var d = baseDelay
            for _ in 2..<attempt { d *= 2 }
            return min(d, maxDelay)
        }
    }

    public var timeouts: Timeouts
    public var retry: Retry
    /// Redirects followed before giving up (default 5).
    public var maxRedirects: Int
    /// Largest body accepted, counted after decompression (default 64 MiB).
    public var maxBodyBytes: Int
    /// Sent with every request.
    public var userAgent: String

    public init(
        timeouts: Timeouts = .init(),
        retry: Retry = .init(),
        maxRedirects: Int = 5,
        maxBodyBytes: Int = 64 << 20,
        userAgent: String = FetchConfiguration.defaultUserAgent
    ) {
        self.timeouts = timeouts
        self.retry = retry
        self.maxRedirects = maxRedirects
        self.maxBodyBytes = maxBodyBytes
        self.userAgent = userAgent
    }

    public static let defaultUserAgent =
        "Relais/1.0 (annuaire de la pair-aidance en santé mentale; importeur de sources publiques)"
}
