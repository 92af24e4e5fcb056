import CCurl
import Foundation
import Synchronization

/// Set when the task awaiting a transfer is cancelled; libcurl's progress
/// callback sees it and aborts the transfer.
final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func cancel() { flag.store(true, ordering: .relaxed) }
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Collects what libcurl's callbacks deliver for one transfer.
/// Lives for one `perform` on one thread; reached from C through `Unmanaged`.
final class TransferSink {
    let limit: Int
    var body: [UInt8] = []
    var exceeded = false
    var headerLines: [String] = []
    let cancel: CancelFlag

    init(limit: Int, cancel: CancelFlag) {
        self.limit = limit
        self.cancel = cancel
    }

    func append(_ ptr: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if body.count + count > limit {
            exceeded = true
            return false
        }
        body.append(contentsOf: UnsafeBufferPointer(start: ptr, count: count))
        return true
    }

    func header(_ line: String) {
        // Each redirect hop starts with a status line: keep only the last hop's headers.
        if line.hasPrefix("HTTP/") { headerLines.removeAll() }
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { headerLines.append(trimmed) }
    }

    /// The `Location` of the last hop, if it was a redirect.
    var location: String? {
        headerLines.lazy.compactMap { line -> String? in
            guard let colon = line.firstIndex(of: ":"), line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "location" else { return nil }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }.first
    }

    var headers: [String: String] {
        var h: [String: String] = [:]
        for line in headerLines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if let old = h[name] { h[name] = old + ", " + value } else { h[name] = value }
        }
        return h
    }
}

private let writeCallback: relais_curl_write_cb = { ptr, size, nmemb, userdata in
    guard let ptr, let userdata else { return 0 }
    let sink = Unmanaged<TransferSink>.fromOpaque(userdata).takeUnretainedValue()
    let n = size * nmemb
    return ptr.withMemoryRebound(to: UInt8.self, capacity: n) { sink.append($0, n) } ? n : 0
}

private let headerCallback: relais_curl_write_cb = { ptr, size, nmemb, userdata in
    guard let ptr, let userdata else { return 0 }
    let sink = Unmanaged<TransferSink>.fromOpaque(userdata).takeUnretainedValue()
    let n = size * nmemb
    let line = ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
        String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
    }
    sink.header(line)
    return n
}

private let progressCallback: relais_curl_xferinfo_cb = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    return Unmanaged<TransferSink>.fromOpaque(userdata).takeUnretainedValue().cancel.isCancelled ? 1 : 0
}

/// One blocking transfer through a libcurl easy handle. The handle is created,
/// used and freed inside `run`, on the calling thread.
enum EasyTransfer {
    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    static func initialize() { _ = globalInit }

    static func run(_ request: FetchRequest, configuration c: FetchConfiguration, cancel: CancelFlag = CancelFlag()) -> Result<FetchResponse, FetchError> {
        initialize()
        let url = request.url
        let scheme = url.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        guard url.contains("://") else { return .failure(FetchError(.invalidURL, url: url)) }
        guard ["http", "https", "file"].contains(scheme) else {
            return .failure(FetchError(.unsupportedScheme(scheme), url: url))
        }
        if let policy = request.policy, !policy.allows(scheme: scheme) {
            return .failure(FetchError(.forbiddenScheme(scheme, origin: policy.originScheme), url: url))
        }
        guard let handle = curl_easy_init() else { return .failure(FetchError(.other("curl_easy_init failed"), url: url)) }
        defer { curl_easy_cleanup(handle) }

        let sink = TransferSink(limit: c.maxBodyBytes, cancel: cancel)
        let sinkPtr = Unmanaged.passUnretained(sink).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        // Read by the open-socket callback during `perform`; tells whether it refused an address.
        let socketGuard = UnsafeMutablePointer<relais_socket_guard>.allocate(capacity: 1)
        socketGuard.initialize(to: relais_socket_guard())
        defer { socketGuard.deallocate() }
        let protocols = request.policy?.curlProtocols ?? "http,https,file"
        let redirectProtocols: String? = if let policy = request.policy { policy.curlRedirectProtocols } else { "http,https" }

        let isFile = scheme == "file"
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errBuf in
            relais_curl_setopt_string(handle, CURLOPT_URL, url)
            relais_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errBuf.baseAddress)
            relais_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            relais_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, protocols)
            if let redirectProtocols { relais_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, redirectProtocols) }
            relais_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, request.followRedirects && redirectProtocols != nil ? 1 : 0)
            if let policy = request.policy {
                socketGuard.pointee.allow_private = policy.allowsPrivateNetwork ? 1 : 0
                socketGuard.pointee.public_loopback_port = policy.publicLoopbackPort
                relais_curl_set_socket_guard(handle, socketGuard)
            }
            relais_curl_setopt_long(handle, CURLOPT_MAXREDIRS, c.maxRedirects)
            relais_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(c.timeouts.connect * 1000))
            relais_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(c.timeouts.total * 1000))
            relais_curl_setopt_string(handle, CURLOPT_USERAGENT, c.userAgent)
            // Empty string: every encoding libcurl supports (gzip, deflate…), decoded on the fly.
            relais_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
            relais_curl_setopt_long(handle, CURLOPT_FILETIME, 1)
            relais_curl_setopt_write_cb(handle, CURLOPT_WRITEFUNCTION, writeCallback)
            relais_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPtr)
            relais_curl_setopt_write_cb(handle, CURLOPT_HEADERFUNCTION, headerCallback)
            relais_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPtr)
            relais_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
            relais_curl_setopt_xferinfo_cb(handle, CURLOPT_XFERINFOFUNCTION, progressCallback)
            relais_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, sinkPtr)

            if !isFile {
                var lines = request.headers.map { "\($0.0): \($0.1)" }
                if let etag = request.etag { lines.append("If-None-Match: \(etag)") }
                if let lm = request.lastModified { lines.append("If-Modified-Since: \(lm)") }
                for line in lines { headerList = curl_slist_append(headerList, line) }
                if headerList != nil { relais_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) }
                // HEAD through CURLOPT_NOBODY: as a custom method, libcurl would wait for the body.
                if request.method == "HEAD" {
                    relais_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
                } else if request.method != "GET" {
                    relais_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
                }
                if let body = request.body {
                    relais_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
                    relais_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, String(decoding: body, as: UTF8.self))
                }
            }
            return curl_easy_perform(handle)
        }

        var status = 0
        relais_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var effective: UnsafeMutablePointer<CChar>? = nil
        relais_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)
        let finalURL = effective.map { String(cString: $0) } ?? url

        if code != CURLE_OK {
            if let policy = request.policy, let refusal = policyRefusal(code, policy: policy, socketGuard: socketGuard.pointee, sink: sink) {
                return .failure(FetchError(refusal, url: url))
            }
            let message = cString(errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(FetchError(reason(for: code, message: message, sink: sink, limit: c.maxBodyBytes, maxRedirects: c.maxRedirects), url: url))
        }

        var headers = sink.headers
        if isFile {
            // Local files have no ETag: one made of the content (a modification time
            // misses a rewrite within the same second) plays the part of a 304.
            var filetime: curl_off_t = -1
            relais_curl_getinfo_off(handle, CURLINFO_FILETIME_T, &filetime)
            if filetime >= 0 { headers["last-modified"] = httpDate(Int(filetime)) }
            headers.removeValue(forKey: "content-length")
            let etag = "\"" + String(Gzip.crc(sink.body), radix: 16) + "-" + String(sink.body.count) + "\""
            headers["etag"] = etag
            let unchanged = request.etag == etag
            return .success(FetchResponse(url: finalURL, status: unchanged ? 304 : 200, headers: headers, body: unchanged ? [] : sink.body, attempts: 1))
        }
        if status >= 400 && !request.acceptErrorStatus {
            return .failure(FetchError(.httpStatus(status), url: url))
        }
        return .success(FetchResponse(url: finalURL, status: status, headers: headers, body: status == 304 ? [] : sink.body, attempts: 1))
    }

    /// The policy's refusal behind a failed transfer, if it was one: an address
    /// the open-socket callback refused, or a redirect to a scheme libcurl was
    /// told not to follow.
    private static func policyRefusal(_ code: CURLcode, policy: FetchPolicy, socketGuard: relais_socket_guard, sink: TransferSink) -> FetchError.Reason? {
        if code == CURLE_COULDNT_CONNECT && socketGuard.refused != 0 {
            let address = withUnsafeBytes(of: socketGuard.refused_address) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return .forbiddenAddress(address)
        }
        if code == CURLE_UNSUPPORTED_PROTOCOL, let location = sink.location, let scheme = FetchPolicy.scheme(of: location), !policy.allows(scheme: scheme) {
            return .forbiddenScheme(scheme, origin: policy.originScheme)
        }
        return nil
    }

    private static func reason(for code: CURLcode, message: String, sink: TransferSink, limit: Int, maxRedirects: Int) -> FetchError.Reason {
        if sink.exceeded { return .bodyTooLarge(limit: limit) }
        if sink.cancel.isCancelled { return .cancelled }
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_TOO_MANY_REDIRECTS: return .tooManyRedirects(maxRedirects)
        case CURLE_FILE_COULDNT_READ_FILE: return .fileNotFound
        case CURLE_PARTIAL_FILE: return .truncated
        case CURLE_FILESIZE_EXCEEDED: return .bodyTooLarge(limit: limit)
        case CURLE_UNSUPPORTED_PROTOCOL: return .unsupportedScheme(message)
        case CURLE_URL_MALFORMAT: return .invalidURL
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
             CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SSL_CONNECT_ERROR:
            return .connection(message.isEmpty ? String(cString: curl_easy_strerror(code)) : message)
        default:
            return .other(message.isEmpty ? String(cString: curl_easy_strerror(code)) : message)
        }
    }

    static func cString(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// RFC 7231 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 64)
        strftime(&buf, buf.count, "%a, %d %b %Y %H:%M:%S GMT", &tmv)
        return cString(buf)
    }
}
