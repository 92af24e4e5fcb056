import CCurl
import Foundation

/// Where the fetches made for one source may go, derived from the source's own
/// URL (the manifest's, its *origin*).
///
/// Every URL a reader derives from what a source sent — next links, page
/// URLs, datapackage paths — and every redirect is fetched under its source's
/// policy, so a remote source cannot make Relais read local files or reach
/// the local network:
///
/// - **Schemes.** A `file://` origin allows `file` only. An `https` origin
///   allows `https` only: no downgrade to clear text, redirects included. An
///   `http` origin allows `http` and `https`: an upgrade to TLS is harmless, and
///   sites that moved to HTTPS redirect there. `file` is never allowed from
///   `http` or `https`.
/// - **Addresses.** Loopback, private, link-local and carrier-grade NAT
///   addresses (IPv4 and IPv6, IPv4-mapped forms included) are refused when the
///   connection is opened, on the address actually connected to — DNS names
///   resolving there and DNS rebinding included — unless `allowPrivateNetwork`
///   is set (the manifest option `allow_private_network: true`) or the origin's
///   host is itself such an address or `localhost` (a source on the local
///   network is configured on purpose).
public struct FetchPolicy: Sendable, Equatable {
    /// The source's URL the policy derives from.
    public let origin: String
    /// The origin's scheme, lower-cased (empty if it has none).
    public let originScheme: String
    /// Schemes a request (or a redirect) may use.
    public let allowedSchemes: Set<String>
    /// Whether connections to loopback, private and link-local addresses are allowed.
    public let allowsPrivateNetwork: Bool
    /// Testing only: loopback connections to this port are treated as public,
    /// so a test server can stand for a public site.
    public var publicLoopbackPort: UInt16 = 0

    public init(origin: String, allowPrivateNetwork: Bool = false) {
        self.origin = origin
        originScheme = Self.scheme(of: origin) ?? ""
        allowedSchemes = Self.allowedSchemes(forOrigin: originScheme)
        allowsPrivateNetwork = allowPrivateNetwork || Self.host(of: origin).map(Self.isLocalHost) == true
    }

    /// Testing only: a source on the loopback test server at `publicLoopbackPort` stands for a
    /// public site — its own URL is not "the local network", and connections to that port pass.
    public init(origin: String, allowPrivateNetwork: Bool = false, publicLoopbackPort: UInt16) {
        self.origin = origin
        originScheme = Self.scheme(of: origin) ?? ""
        allowedSchemes = Self.allowedSchemes(forOrigin: originScheme)
        allowsPrivateNetwork = allowPrivateNetwork || (publicLoopbackPort == 0 && Self.host(of: origin).map(Self.isLocalHost) == true)
        self.publicLoopbackPort = publicLoopbackPort
    }

    /// Schemes allowed for a source whose URL has `scheme` (lower-cased): none for an unknown one.
    public static func allowedSchemes(forOrigin scheme: String) -> Set<String> {
        switch scheme {
        case "file": return ["file"]
        case "https": return ["https"]
        case "http": return ["http", "https"]
        default: return []
        }
    }

    /// Whether a request may use `scheme` (checked before anything is sent).
    public func allows(scheme: String) -> Bool { allowedSchemes.contains(scheme.lowercased()) }

    /// libcurl's `CURLOPT_PROTOCOLS_STR`.
    var curlProtocols: String { allowedSchemes.sorted().joined(separator: ",") }

    /// libcurl's `CURLOPT_REDIR_PROTOCOLS_STR`; nil when no redirect can be followed (`file`).
    var curlRedirectProtocols: String? {
        let network = allowedSchemes.subtracting(["file"])
        return network.isEmpty ? nil : network.sorted().joined(separator: ",")
    }

    /// The scheme of a URL, lower-cased, or nil without `scheme:`.
    static func scheme(of url: String) -> String? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let s = url[..<colon]
        guard let first = s.first, first.isASCII, first.isLetter,
            s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return s.lowercased()
    }

    /// The host of a URL, without IPv6 brackets or zone, lower-cased.
    static func host(of url: String) -> String? {
        guard var host = URLComponents(string: url)?.host, !host.isEmpty else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let zone = host.firstIndex(of: "%") { host = String(host[..<zone]) }
        return host.lowercased()
    }

    /// `localhost`, `*.localhost`, or a loopback, private or link-local IP literal.
    static func isLocalHost(_ host: String) -> Bool {
        let h = host.hasSuffix(".") ? String(host.dropLast()) : host
        if h == "localhost" || h.hasSuffix(".localhost") { return true }
        return isPrivateAddress(h) == true
    }

    /// Whether an IP literal is loopback, private, link-local, carrier-grade NAT
    /// or unspecified (IPv4, or IPv6 without brackets); nil if `literal` is not an
    /// IP address. The same classifier as the connect-time check.
    public static func isPrivateAddress(_ literal: String) -> Bool? {
        switch relais_address_literal_is_private(literal) {
        case 1: return true
        case 0: return false
        default: return nil
        }
    }
}
