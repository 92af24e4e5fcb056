import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelaisAuth

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as bytes (4 or 16). IPv4-mapped IPv6 addresses
/// (`::ffff:192.0.2.1`) are read as IPv4.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Parses `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`; nil for anything else (never traps).
    public init?(_ text: some StringProtocol) {
        var s = text.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("["), s.hasSuffix("]"), s.count >= 2 { s = String(s.dropFirst().dropLast()) }
        if let percent = s.firstIndex(of: "%") { s = String(s[..<percent]) }  // IPv6 zone
        guard !s.isEmpty, s.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, s, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, s, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        guard raw.count == 16 else { return nil }
        if raw[0..<10].allSatisfy({ $0 == 0 }), raw[10] == 0xff, raw[11] == 0xff {
            bytes = Array(raw[12..<16])
        } else {
            bytes = raw
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        var i = 0
        while i + 1 < bytes.count {
            groups.append(String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16))
            i += 2
        }
        return groups.joined(separator: ":")
    }

    /// The first `bits` bits, the rest zeroed.
    func prefix(_ bits: Int) -> IPAddress {
        IPAddress(bytes: bytes.enumerated().map { i, b in
            let keep = min(8, max(0, bits - i * 8))
            return keep == 8 ? b : b & UInt8(truncatingIfNeeded: 0xff << (8 - keep))
        })
    }
}

/// An address or a network (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let bits: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = IPAddress(first) else { return nil }
        let width = address.bytes.count * 8
        var bits = width
        if parts.count == 2 {
            guard let last = parts.last, let b = Int(last), (0...width).contains(b) else { return nil }
            bits = b
        }
        self.address = address.prefix(bits)
        self.bits = bits
    }

    public func contains(_ a: IPAddress) -> Bool {
        a.bytes.count == address.bytes.count && a.prefix(bits) == address
    }

    public var description: String { bits == address.bytes.count * 8 ? address.description : "\(address)/\(bits)" }
}

/// The reverse proxies whose forwarding header is believed. Empty (the
/// default): the client is the socket's peer and forwarding headers are
/// ignored — a client cannot choose its own address by sending one.
public struct TrustedProxies: Sendable, Hashable {
    public enum Header: String, Sendable, Hashable, CaseIterable {
        /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, Caddy, HAProxy).
        case xForwardedFor = "x-forwarded-for"
        /// `Forwarded: for=client, for="[2001:db8::1]:4711"` (RFC 7239).
        case forwarded
    }

    public var networks: [IPNetwork]
    /// The one header the proxy writes: the other one, which a proxy passes
    /// through untouched, is never read.
    public var header: Header

    public init(_ networks: [IPNetwork] = [], header: Header = .xForwardedFor) {
        self.networks = networks
        self.header = header
    }

    /// Parses a comma- or space-separated list (`127.0.0.1, 10.0.0.0/8`); a failure names the first invalid item.
    public static func parse(_ text: String, header: Header = .xForwardedFor) -> Result<TrustedProxies, InvalidItem> {
        var out: [IPNetwork] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            guard let n = IPNetwork(item) else { return .failure(InvalidItem(item: String(item))) }
            out.append(n)
        }
        return .success(TrustedProxies(out, header: header))
    }

    public struct InvalidItem: Error, Sendable { public let item: String }

    public func trusts(_ a: IPAddress) -> Bool { networks.contains { $0.contains(a) } }

    /// The client behind `peer`: the peer itself unless it is a trusted proxy;
    /// then the right-most address of the header that is not a trusted proxy
    /// (what the last trusted proxy saw). Addresses to its left were written
    /// by the client and are never believed.
    public func client(peer: IPAddress?, headers: HTTPFields) -> IPAddress? {
        guard let peer, trusts(peer) else { return peer }
        var hops: [Substring] = []
        switch header {
        case .xForwardedFor:
            if let name = HTTPField.Name("X-Forwarded-For") { for value in headers[values: name] { hops += value.split(separator: ",") } }
        case .forwarded:
            for value in HTTPField.Name("Forwarded").map({ headers[values: $0] }) ?? [] {
                for element in value.split(separator: ",") {
                    for pair in element.split(separator: ";") {
                        let kv = pair.split(separator: "=", maxSplits: 1)
                        guard kv.count == 2, let key = kv.first, let v = kv.last,
                              key.trimmingCharacters(in: .whitespaces).lowercased() == "for" else { continue }
                        hops.append(v)
                    }
                }
            }
        }
        var candidate = peer
        for hop in hops.reversed() {
            guard let a = Self.address(hop) else { return candidate }  // unreadable hop: stop at the last trusted one
            candidate = a
            if !trusts(a) { return a }
        }
        return candidate
    }

    /// `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
    static func address(_ hop: Substring) -> IPAddress? {
        var s = hop.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("\""), s.hasSuffix("\""), s.count >= 2 { s = String(s.dropFirst().dropLast()) }
        if let a = IPAddress(s) { return a }
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") { return IPAddress(s[s.index(after: s.startIndex)..<close]) }
        let parts = s.split(separator: ":")
        if parts.count == 2, let host = parts.first { return IPAddress(host) }  // IPv4 with a port
        return nil
    }
}

/// Who sends a request, for rate limiting: never logged, never stored in clear.
public struct ClientAddress: Sendable, Hashable {
    /// The address, when known.
    public let address: IPAddress?

    public init(address: IPAddress?) { self.address = address }

    /// What limits count against: an IPv4 address, or an IPv6 /64 (one
    /// subscriber's network: its 2^64 addresses are one client).
    public var key: String {
        guard let address else { return "inconnu" }
        return address.isIPv4 ? address.description : "\(address.prefix(64))/64"
    }
}

/// Who a request comes from, for the limits that count per client: the one reader of
/// the client's address (login throttling, report limits), and the salted keys the
/// store counts under.
public struct Clients: Sendable {
    let proxies: TrustedProxies
    /// The store's salt for throttle keys.
    let salt: [UInt8]

    public init(proxies: TrustedProxies, salt: [UInt8]) {
        self.proxies = proxies
        self.salt = salt
    }

    /// The socket's peer, or — only when it is a configured trusted proxy — the address
    /// its forwarding header gives.
    public func client(of request: Request, context: RelaisRequestContext) -> ClientAddress {
        let peer = context.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        return ClientAddress(address: proxies.client(peer: peer, headers: request.headers))
    }

    /// A throttle key: a salted hash of its kind and value, so that the store
    /// holds neither addresses nor typed account names.
    func throttleKey(_ kind: String, _ value: String) -> String {
        kind + ":" + Secrets.hex(Secrets.sha256(salt + Array((kind + "\n" + value).utf8)))
    }
}
