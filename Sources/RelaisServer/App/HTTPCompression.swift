import CDeflate
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// gzip for clients that accept it (`Accept-Encoding: gzip`): JSON, HTML, CSS, JavaScript, SVG,
/// CSV and plain text of 1 KiB and more, whose length is known. An answer of the referral API
/// (9 KB) travels in 2 KB.
///
/// Speed first: libdeflate at level 1 (zlib at its fastest took a fifth of the server's time at
/// 2,500 answers a second; preparing a zlib stream cost as much as compressing an answer), and
/// the compressors are kept between responses. The ETag of a compressed response becomes weak (`W/"…"`): the same
/// content, another encoding. `Vary: Accept-Encoding` tells caches that the encoding depends on it.
struct HTTPCompression<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard ContentCoding.compressible(response) else { return response }
        response.headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
        guard ContentCoding.gzips(request), let length = response.body.contentLength, ContentCoding.worthCompressing(length) else { return response }
        let bytes = try await response.body.collected()
        guard let compressed = bytes.withUnsafeReadableBytes({ GzipCompressors.shared.compress($0) }) else { return response }
        response.body = ResponseBody(byteBuffer: compressed)
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = String(compressed.readableBytes)
        if let etag = response.headers[.eTag], !etag.hasPrefix("W/") { response.headers[.eTag] = "W/" + etag }
        return response
    }
}

/// When and how a response is gzipped: the rules of ``HTTPCompression``, also applied by an
/// answer written as text (``JSONResponse``), which compresses its own bytes — no copy of the
/// body to collect it again.
enum ContentCoding {
    static var minimumBytes: Int { 1024 }
    static var maximumBytes: Int { 32 << 20 }

    /// Whether the request lets gzip through (and is not a `HEAD`, which has no body to encode).
    static func gzips(_ request: Request) -> Bool {
        request.method != .head && acceptsGzip(request.headers[values: .acceptEncoding])
    }

    static func worthCompressing(_ length: Int) -> Bool { length >= minimumBytes && length <= maximumBytes }

    /// `text` as the body of `headers`' response: gzipped when the request accepts it and it is
    /// worth it (`Content-Encoding`, `Vary`), as it is otherwise.
    static func body(_ text: String, for request: Request, headers: inout HTTPFields) -> ByteBuffer {
        headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
        var text = text
        if gzips(request), worthCompressing(text.utf8.count),
           let compressed = text.withUTF8({ GzipCompressors.shared.compress(UnsafeRawBufferPointer($0)) }) {
            headers[.contentEncoding] = "gzip"
            return compressed
        }
        return ByteBuffer(string: text)
    }

    /// A response worth compressing: a body of a textual type, not already encoded.
    static func compressible(_ response: Response) -> Bool {
        guard response.status.code != 204, response.status.code != 304, response.headers[.contentEncoding] == nil,
              let type = response.headers[.contentType]
        else { return false }
        return compressible(type: type)
    }

    /// Whether a media type (before its parameters, any case: RFC 9110 §8.3.1) is textual.
    static func compressible(type: String) -> Bool {
        // The media type's bytes, lower-cased, without parameters nor spaces: no allocation
        // for the usual « application/json; charset=utf-8 ».
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for b in type.utf8 {
            if b == 0x3B { break }  // ;
            if b == 0x20 || b == 0x09 { continue }
            bytes.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
        }
        func starts(_ p: StaticString) -> Bool { p.withUTF8Buffer { bytes.starts(with: $0) } }
        func ends(_ p: StaticString) -> Bool { p.withUTF8Buffer { bytes.count >= $0.count && bytes.suffix($0.count).elementsEqual($0) } }
        func equals(_ p: StaticString) -> Bool { p.withUTF8Buffer { bytes.elementsEqual($0) } }
        return starts("text/") || equals("application/json") || ends("+json") || equals("application/x-ndjson")
            || equals("application/javascript") || equals("image/svg+xml") || equals("application/xml") || ends("+xml")
    }

    /// Whether `Accept-Encoding` (RFC 9110 §12.5.3) lets gzip through: `gzip`, `x-gzip` or `*`,
    /// with a weight above zero (`gzip;q=0` refuses it, and so does `*;q=0` without a gzip entry).
    /// Read byte by byte: it comes with nearly every request.
    static func acceptsGzip(_ values: [String]) -> Bool {
        var gzip: Double?
        var any: Double?
        for var value in values {
            value.withUTF8 { b in
                var start = 0
                while start < b.count {
                    var end = start
                    while end < b.count, b[end] != 0x2C { end += 1 }  // ,
                    var cut = start
                    while cut < end, b[cut] != 0x3B { cut += 1 }  // ;
                    let coding = Coding(b[start..<cut])
                    var q = 1.0
                    while cut < end {  // the parameters, each after a ;
                        var next = cut + 1
                        while next < end, b[next] != 0x3B { next += 1 }
                        if let weight = weight(b[(cut + 1)..<next]) { q = weight }
                        cut = next
                    }
                    switch coding {
                    case .gzip: gzip = max(gzip ?? 0, q)
                    case .any: any = q
                    case .other, .none: break
                    }
                    start = end + 1
                }
            }
        }
        return (gzip ?? any ?? 0) > 0
    }

    /// A content coding's name, blanks left out and case ignored.
    private enum Coding {
        case gzip, any, other, none

        init(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
            var key: UInt64 = 0
            var count = 0
            for b in bytes where b != 0x20 && b != 0x09 {
                count += 1
                if count > 6 { self = .other; return }
                key = key << 8 | UInt64(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
            }
            switch key {
            case _ where count == 0: self = .none
            case 0x677A_6970, 0x782D_677A_6970: self = .gzip  // gzip, x-gzip
            case 0x2A: self = .any  // *
            default: self = .other
            }
        }
    }

    /// The weight of a `q=…` parameter (0 when it is not a number), nil for another parameter.
    private static func weight(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
        let kept = bytes.filter { $0 != 0x20 && $0 != 0x09 }
        guard kept.starts(with: [0x71]) || kept.starts(with: [0x51]), kept.dropFirst().first == 0x3D else { return nil }  // q= or Q=
        return Double(String(decoding: kept.dropFirst(2), as: UTF8.self)) ?? 0
    }
}

/// The body's bytes, gathered.
extension ResponseBody {
    /// The whole body, written into one buffer (for a body of known, bounded length).
    func collected() async throws -> ByteBuffer {
        let box = CollectedBody()
        try await write(BodyCollector(box: box))
        return box.buffer
    }
}

private final class CollectedBody: @unchecked Sendable {
    var buffer = ByteBuffer()
}

private struct BodyCollector: ResponseBodyWriter {
    let box: CollectedBody
    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        box.buffer.writeBuffer(&buffer)
    }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// libdeflate compressors kept between responses (one per response at a time, as many as ever
/// ran at once; a few: one per core and connection burst). libdeflate compresses a whole buffer
/// at once, two to three times as fast as zlib at its fastest level.
final class GzipCompressors: Sendable {
    static let shared = GzipCompressors()

    private final class Compressor: @unchecked Sendable {
        let handle: OpaquePointer?
        init() { handle = libdeflate_alloc_compressor(1) }
        deinit { if let handle { libdeflate_free_compressor(handle) } }
    }

    private let idle = Mutex<[Compressor]>([])

    /// `input` as a gzip stream, written straight into the response's buffer, or nil if it cannot
    /// be (the response then goes uncompressed).
    func compress(_ input: UnsafeRawBufferPointer) -> ByteBuffer? {
        let compressor = idle.withLock { $0.popLast() } ?? Compressor()
        defer { idle.withLock { if $0.count < 16 { $0.append(compressor) } } }
        guard let handle = compressor.handle, let base = input.baseAddress else { return nil }
        let bound = libdeflate_gzip_compress_bound(handle, input.count)
        var output = ByteBufferAllocator().buffer(capacity: bound)
        let written = output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { buffer in
            libdeflate_gzip_compress(handle, base, input.count, buffer.baseAddress, bound)
        }
        return written > 0 ? output : nil
    }
}
