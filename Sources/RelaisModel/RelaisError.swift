/// An error of Relais: what went wrong in French, safe to show and to log (it never
/// holds a query's free text nor personal data), and its kind, which decides how it
/// is answered. The HTTP status and the CLI exit code are chosen in one place each
/// (the server's `HTTPErrorMapping`, the CLI's `ExitCodes`).
///
/// The kind is a public struct over a private code: new kinds can be added without
/// breaking a `switch` elsewhere, and nothing outside can invent one.
public struct RelaisError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: String, Sendable, Hashable {
            case invalid, notFound, conflict, tooMany, unauthorized, forbidden, tooLarge, unsupportedMedia, unavailable, `internal`
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// Bad input from the person or the source (400, exit 2).
        public static let invalid = Kind(.invalid)
        /// What was asked for does not exist (404, exit 3).
        public static let notFound = Kind(.notFound)
        /// The state forbids it now: already there, already running, already handled (409, exit 4).
        public static let conflict = Kind(.conflict)
        /// Too many requests: wait `retryAfter` seconds (429).
        public static let tooMany = Kind(.tooMany)
        public static let unauthorized = Kind(.unauthorized)
        public static let forbidden = Kind(.forbidden)
        public static let tooLarge = Kind(.tooLarge)
        /// A body in a form Relais does not read (415).
        public static let unsupportedMedia = Kind(.unsupportedMedia)
        /// A dependency is down: the store, a source (503, exit 5).
        public static let unavailable = Kind(.unavailable)
        /// A bug or a broken store (500, exit 1).
        public static let `internal` = Kind(.internal)

        /// A stable name for logs and JSON (`invalid`, `not_found`…).
        public var description: String {
            switch code {
            case .notFound: "not_found"
            case .tooMany: "too_many"
            case .tooLarge: "too_large"
            case .unsupportedMedia: "unsupported_media"
            default: code.rawValue
            }
        }
    }

    public let kind: Kind
    public let message: String
    /// The request parameter at fault, when there is one.
    public var parameter: String?
    /// Valid values or choices that help the person fix it (`valid`, `choices`).
    public var details: [String: [String]]
    public var retryAfter: Double?

    public init(_ kind: Kind, _ message: String, parameter: String? = nil, details: [String: [String]] = [:], retryAfter: Double? = nil) {
        self.kind = kind
        self.message = message
        self.parameter = parameter
        self.details = details
        self.retryAfter = retryAfter
    }

    public var description: String { message }
}
