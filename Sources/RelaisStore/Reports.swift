import Foundation

/// "Signaler une erreur": what a reader typed about a listing, for admins to
/// accept or dismiss. Nothing about a patient is asked or kept.
public struct Report: Codable, Sendable, Hashable {
    public var id: Int64
    public var serviceID: String
    public var serviceName: String?
    public var field: String?
    public var message: String
    public var suggestedValue: String?
    public var contactEmail: String?
    public var createdAt: String
    public var status: String
    public var resolvedBy: String?
    public var resolvedAt: String?

    public init(id: Int64, serviceID: String, serviceName: String? = nil, field: String? = nil, message: String, suggestedValue: String? = nil, contactEmail: String? = nil, createdAt: String, status: String, resolvedBy: String? = nil, resolvedAt: String? = nil) {
        self.id = id
        self.serviceID = serviceID
        self.serviceName = serviceName
        self.field = field
        self.message = message
        self.suggestedValue = suggestedValue
        self.contactEmail = contactEmail
        self.createdAt = createdAt
        self.status = status
        self.resolvedBy = resolvedBy
        self.resolvedAt = resolvedAt
    }
}

/// At most `limit` events under `key` within the last `seconds`.
public struct RateWindow: Sendable, Hashable {
    public var key: String
    public var limit: Int
    public var seconds: TimeInterval

    public init(key: String, limit: Int, seconds: TimeInterval) {
        self.key = key
        self.limit = max(0, limit)
        self.seconds = max(1, seconds)
    }
}

public enum ReportOutcome: Sendable, Equatable {
    case added(Int64)
    /// Nothing stored: `window` is full for `retryAfter` seconds more.
    case limited(retryAfter: TimeInterval, window: RateWindow)
}

