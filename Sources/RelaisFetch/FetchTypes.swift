import Foundation

/// One request: a URL and what we know of the last successful fetch.
public struct FetchRequest: Sendable {
    public var url: String
    /// Validators from the last run, sent as `If-None-Match` / `If-Modified-Since`.
    public var etag: String?
    public var lastModified: String?
    /// Extra request headers (name, value).
    public var headers: [(String, String)]
    /// Return 4xx and 5xx answers as responses instead of errors (and do not retry them).
    public var acceptErrorStatus: Bool
    public var method: String
    public var body: [UInt8]?
    /// Follow redirections (bounded by the configuration); false returns the 3xx itself.
    public var followRedirects: Bool
    /// The schemes and addresses this request and its redirects may reach;
    /// nil allows http, https and file, and every address (for a URL an admin
    /// wrote, not one a source sent).
    public var policy: FetchPolicy?

    public init(url: String, etag: String? = nil, lastModified: String? = nil, headers: [(String, String)] = [], acceptErrorStatus: Bool = false,
                method: String = "GET", body: [UInt8]? = nil, followRedirects: Bool = true, policy: FetchPolicy? = nil) {
        self.followRedirects = followRedirects
        self.policy = policy
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.headers = headers
        self.acceptErrorStatus = acceptErrorStatus
        self.method = method
        self.body = body
    }
}

/// What came back. A `304` (or an unchanged local file) has `notModified == true` and no body.
public struct FetchResponse: Sendable {
    public var url: String
    public var status: Int
    /// Header names are lower-cased; the headers are those of the final hop.
    public var headers: [String: String]
    public var body: [UInt8]
    public var attempts: Int

    public var notModified: Bool { status == 304 }
    public var etag: String? { headers["etag"] }
    public var lastModified: String? { headers["last-modified"] }
    public var contentType: String? { headers["content-type"] }

    public init(url: String, status: Int, headers: [String: String], body: [UInt8], attempts: Int) {
        self.url = url
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
    }

    /// The charset named by `Content-Type`, lower-cased, if any.
    public var declaredCharset: String? {
        guard let ct = contentType?.lowercased(), let r = ct.range(of: "charset=") else { return nil }
        return String(ct[r.upperBound...]).split(separator: ";").first.map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"'"))
        }
    }
}

/// Why a fetch failed. The description is short, French-free, safe to log
/// (it names the URL, never a request body).
public struct FetchError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Reason: Sendable, Equatable {
        case invalidURL
        case unsupportedScheme(String)
        case connection(String)
        case timeout
        case tooManyRedirects(Int)
        case bodyTooLarge(limit: Int)
        case httpStatus(Int)
        case fileNotFound
        case truncated
        case cancelled
        /// The fetch policy refused a scheme (the first value) for a source whose URL has the second.
        case forbiddenScheme(String, origin: String)
        /// The fetch policy refused to connect to this loopback, private or link-local address.
        case forbiddenAddress(String)
        case other(String)
    }

    public let reason: Reason
    public let url: String
    public let attempts: Int

    public init(_ reason: Reason, url: String, attempts: Int = 1) {
        self.reason = reason
        self.url = url
        self.attempts = attempts
    }

    /// Whether another attempt may succeed: connection errors, timeouts,
    /// truncated transfers and 5xx answers. Never 4xx, size or redirect errors.
    public var isRetryable: Bool {
        switch reason {
        case .connection, .timeout, .truncated: return true
        case .httpStatus(let s): return s >= 500
        default: return false
        }
    }

    public var description: String {
        let what: String
        switch reason {
        case .invalidURL: what = "invalid URL"
        case .unsupportedScheme(let s): what = "unsupported URL scheme '\(s)' (expected http, https or file)"
        case .connection(let m): what = "connection failed: \(m)"
        case .timeout: what = "timed out"
        case .tooManyRedirects(let n): what = "too many redirects (more than \(n))"
        case .bodyTooLarge(let limit): what = "body larger than \(limit) bytes"
        case .httpStatus(let s): what = "HTTP status \(s)"
        case .fileNotFound: what = "file not found"
        case .truncated: what = "transfer truncated"
        case .cancelled: what = "cancelled (shutdown)"
        case .forbiddenScheme(let s, let origin): what = "scheme '\(s)' not allowed for a source served over '\(origin)' (fetch policy)"
        case .forbiddenAddress(let a): what = "connection to private address \(a) refused (fetch policy; set allow_private_network if intended)"
        case .other(let m): what = m
        }
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        return "\(url): \(what)\(tries)"
    }

    /// The failure in French, for admins (ledger, /admin, CLI): the cause first, then the URL.
    public var frenchDescription: String {
        let what: String
        switch reason {
        case .invalidURL: what = "adresse invalide"
        case .unsupportedScheme(let s): what = "schéma d’adresse « \(s) » non pris en charge (http, https ou file attendus)"
        case .connection(let m): what = "connexion impossible (\(m))"
        case .timeout: what = "délai dépassé : le serveur n’a pas répondu à temps"
        case .tooManyRedirects(let n): what = "trop de redirections (plus de \(n)) : boucle probable"
        case .bodyTooLarge(let limit): what = "réponse trop volumineuse (plus de \(limit) octets une fois décompressée) ; options.max_bytes pour relever la limite"
        case .httpStatus(let s): what = "le serveur a répondu \(s)" + (s >= 500 ? " (erreur du serveur)" : s == 404 ? " (introuvable)" : s == 401 || s == 403 ? " (accès refusé)" : "")
        case .fileNotFound: what = "fichier introuvable"
        case .truncated: what = "réponse tronquée : le transfert s’est interrompu avant la fin"
        case .cancelled: what = "arrêt demandé pendant le téléchargement"
        case .forbiddenScheme, .forbiddenAddress: what = policyExplanation ?? "lien refusé"
        case .other(let m): what = m
        }
        let tries = attempts > 1 ? " après \(attempts) tentatives" : ""
        return "\(what)\(tries) — \(url)"
    }

    /// Why the fetch policy refused this request, in French for admins; nil
    /// for any other failure.
    public var policyExplanation: String? {
        switch reason {
        case .forbiddenScheme(let s, let origin):
            let allowed = FetchPolicy.allowedSchemes(forOrigin: origin).sorted().map { "\($0)://" }
            let only = allowed.isEmpty ? "aucun lien n’est suivi" : "seuls les liens \(allowed.joined(separator: " et ")) sont suivis"
            return "lien refusé : \(s):// depuis une source \(origin.isEmpty ? "sans schéma" : "\(origin)://") (\(only))"
        case .forbiddenAddress(let a):
            return "adresse interdite : le lien mène au réseau local (\(a)) ; ajoutez allow_private_network: true aux options du manifeste si c’est voulu"
        default:
            return nil
        }
    }
}
