import Foundation

/// A small, safe HTTP(S) and `file://` client over libcurl.
///
/// Each transfer runs on a worker thread with its own easy handle. Connection
/// errors, timeouts, truncated transfers and 5xx answers are retried with a
/// growing delay; 4xx answers, size and redirect errors are not.
public struct Fetcher: Sendable {
    public let configuration: FetchConfiguration

    public init(configuration: FetchConfiguration = .init()) {
        EasyTransfer.initialize()
        self.configuration = configuration
    }

    /// Fetches `request`, retrying as configured. Throws ``FetchError``.
    public func fetch(_ request: FetchRequest) async throws -> FetchResponse {
        var attempt = 1
        while true {
            let result = await Self.perform(request, configuration)
            switch result {
            case .success(var response):
                response.attempts = attempt
                return response
            case .failure(let error):
                if error.isRetryable && attempt < configuration.retry.maxAttempts && !Task.isCancelled {
                    attempt += 1
                    let delay = configuration.retry.delay(beforeAttempt: attempt)
                    try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                    continue
                }
                throw FetchError(error.reason, url: error.url, attempts: attempt)
            }
        }
    }

    /// Convenience: fetch a URL without validators.
    public func fetch(_ url: String) async throws -> FetchResponse {
        try await fetch(FetchRequest(url: url))
    }

    private static func perform(_ request: FetchRequest, _ configuration: FetchConfiguration) async -> Result<FetchResponse, FetchError> {
        let flag = CancelFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .utility).async {
                    continuation.resume(returning: EasyTransfer.run(request, configuration: configuration, cancel: flag))
                }
            }
        } onCancel: {
            flag.cancel()
        }
    }
}
