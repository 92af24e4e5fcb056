import COpenSSL
import Foundation

/// Random secrets, hashes and comparisons for admin credentials, over OpenSSL's
/// libcrypto. Nothing here touches the store: callers keep only hashes.
public enum Secrets {
    /// `count` bytes from OpenSSL's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "RAND_bytes failed")
        return out
    }

    /// A random token in URL-safe base64 (no padding): `bytes` of entropy.
    public static func randomToken(bytes: Int = 32) -> String {
        base64URL(randomBytes(bytes))
    }

    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { _ = SHA256(b.baseAddress, b.count, $0.baseAddress) } }
        return out
    }

    public static func sha256Hex(_ text: String) -> String { hex(sha256(Array(text.utf8))) }

    /// SHA-256 over bytes given a piece at a time (a whole table, row by row). A value: the
    /// digest so far can be read at any time, and more added after.
    public struct SHA256Stream {
        private var context = SHA256_CTX()

        public init() { SHA256_Init(&context) }

        public mutating func update(_ text: String) {
            var text = text
            text.withUTF8 { b in _ = SHA256_Update(&context, b.baseAddress, b.count) }
        }

        /// The digest of what was added so far, in lowercase hex.
        public var hex: String {
            var copy = context
            var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
            out.withUnsafeMutableBufferPointer { _ = SHA256_Final($0.baseAddress, &copy) }
            return Secrets.hex(out)
        }
    }

    /// Compares two byte strings in time that depends only on their length.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 } }
    }

    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        constantTimeEquals(Array(a.utf8), Array(b.utf8))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64Decode(_ text: String) -> [UInt8]? {
        var t = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return Data(base64Encoded: t).map { Array($0) }
    }
}

/// Admin passwords, hashed with scrypt (memory-hard). The stored form carries
/// its parameters — `scrypt$N$r$p$salt$hash` — so that the cost can be raised
/// later without invalidating existing passwords.
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's N. 17 (N = 131072, r = 8: 128 MiB, about 0.3 s here) is
    /// OWASP's recommendation; tests use a lower cost.
    public var logN: Int
    public var r: Int
    public var p: Int

    public init(logN: Int = 17, r: Int = 8, p: Int = 1) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    public static let standard = PasswordHasher()

    public enum Failure: Error, CustomStringConvertible {
        case tooShort(Int)
        case hashing
        public var description: String {
            switch self {
            case .tooShort(let n): return "mot de passe trop court : \(n) caractères au moins"
            case .hashing: return "le calcul scrypt a échoué"
            }
        }
    }

    public static let minimumLength = 12

    public func hash(_ password: String) throws -> String {
        guard password.count >= Self.minimumLength else { throw Failure.tooShort(Self.minimumLength) }
        let salt = Secrets.randomBytes(16)
        guard let key = Self.scrypt(password, salt: salt, logN: logN, r: r, p: p) else { throw Failure.hashing }
        return "scrypt$\(logN)$\(r)$\(p)$\(Secrets.base64URL(salt))$\(Secrets.base64URL(key))"
    }

    /// Checks a password against a stored hash, in constant time once the hash is computed.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            (1...20).contains(logN), (1...16).contains(r), (1...16).contains(p), (128 * r) << logN <= 1 << 30,
            let salt = Secrets.base64Decode(parts[4]), let expected = Secrets.base64Decode(parts[5]),
            let key = scrypt(password, salt: salt, logN: logN, r: r, p: p, length: expected.count)
        else { return false }
        return Secrets.constantTimeEquals(key, expected)
    }

    static func scrypt(_ password: String, salt: [UInt8], logN: Int, r: Int, p: Int, length: Int = 32) -> [UInt8]? {
        let pw = Array(password.utf8)
        var key = [UInt8](repeating: 0, count: length)
        let n = UInt64(1) << UInt64(logN)
        let maxMem = UInt64(r) * n * 128 * 2 + (1 << 20)
        let ok = pw.withUnsafeBufferPointer { pwb in
            salt.withUnsafeBufferPointer { sb in
                key.withUnsafeMutableBufferPointer { kb in
                    pwb.withMemoryRebound(to: CChar.self) { pwc in
                        EVP_PBE_scrypt(pwc.baseAddress, pw.count, sb.baseAddress, salt.count, n, UInt64(r), UInt64(p), maxMem, kb.baseAddress, length)
                    }
                }
            }
        }
        return ok == 1 ? key : nil
    }
}

/// API tokens: `relais_<id>_<secret>`. The id finds the row; only the SHA-256
/// of the whole token is stored. A token carries 256 random bits, so a fast
/// hash is enough — a slow one would only make every API call a denial of
/// service — while passwords, which people choose, get scrypt.
public struct APIToken: Sendable, Hashable {
    public let prefix: String
    public let value: String

    public static func generate() -> APIToken {
        let prefix = Secrets.hex(Secrets.randomBytes(4))
        return APIToken(prefix: prefix, value: "relais_\(prefix)_\(Secrets.randomToken())")
    }

    public var hash: String { Secrets.sha256Hex(value) }

    /// The lookup prefix of a presented token, or nil when it is not shaped like one.
    public static func prefix(of presented: String) -> String? {
        let parts = presented.split(separator: "_", maxSplits: 2)
        guard parts.count == 3, parts[0] == "relais", parts[1].count == 8, parts[2].count >= 40 else { return nil }
        return String(parts[1])
    }
}
