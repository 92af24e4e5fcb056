import Foundation
import Hummingbird
import RelaisFetch

/// What the fixture server was asked, in order: "GET /agenda.ics 304".
public actor RequestLog {
    public private(set) var lines: [String] = []
    public private(set) var userAgents: [String] = []
    public init() {}
    func record(_ line: String, userAgent: String?) {
        lines.append(line)
        if let userAgent { userAgents.append(userAgent) }
    }
    public func count(_ prefix: String) -> Int { lines.filter { $0.hasPrefix(prefix) }.count }
}

/// Routes that answer like the real sources (and like
/// `../shared/acceptance/fixture-server.py`): files with ETag and
/// Last-Modified honouring conditional GETs, paged APIs, and faults.
///
/// - `/di/structures?page=N`, `/di/services?page=N` → `data-inclusion-…-pN.json`
/// - `/hsds/services?page=N` → `hsds-services-pN.json`
/// - `/fault/500`, `/fault/404`, `/fault/slow` (30 s), `/fault/redirect-loop`, `/fault/gzip-bomb`
/// - `/fault/flaky`: 503 twice, then 200 (per server)
/// - anything else: the file under `directory`
public enum FixtureRoutes {
    public static func router(serving directory: URL, log: RequestLog = RequestLog(), contentTypes: [String: String] = [:]) -> Router<BasicRequestContext> {
        let router = Router()
        let flaky = FlakyCounter()
        let types = [
            "json": "application/json; charset=utf-8", "csv": "text/csv; charset=windows-1252",
            "html": "text/html; charset=utf-8", "ics": "text/calendar; charset=utf-8", "yml": "text/yaml",
        ].merging(contentTypes) { _, new in new }

        @Sendable func respond(_ request: Request, _ status: HTTPResponse.Status, _ body: [UInt8] = [], _ headers: HTTPFields = [:]) async -> Response {
            await log.record("\(request.method) \(request.uri.path) \(status.code)", userAgent: request.headers[.userAgent])
            var h = headers
            h[.contentLength] = "\(body.count)"
            return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }

        router.get("/fault/500") { request, _ in await respond(request, .internalServerError, Array("boom".utf8)) }
        router.get("/fault/404") { request, _ in await respond(request, .notFound, Array("not found".utf8)) }
        router.get("/fault/slow") { request, _ in
            try await Task.sleep(nanoseconds: 30_000_000_000)
            return await respond(request, .ok, Array("late".utf8))
        }
        router.get("/fault/redirect-loop") { request, _ in
            await respond(request, .found, [], [.location: "/fault/redirect-loop"])
        }
        router.get("/fault/redirect-once") { request, _ in
            await respond(request, .movedPermanently, [], [.location: "/agenda.ics"])
        }
        router.get("/fault/gzip-bomb") { request, _ in
            await respond(request, .ok, GzipBomb.body, [.contentType: "text/csv", .contentEncoding: "gzip"])
        }
        router.get("/fault/flaky") { request, _ in
            if await flaky.next() <= 2 { return await respond(request, .serviceUnavailable, Array("retry".utf8)) }
            return await respond(request, .ok, Array("ok after retries".utf8))
        }
        router.get("/fault/html-503") { request, _ in
            let body = (try? Data(contentsOf: directory.appendingPathComponent("faults/html-not-json.json"))).map { [UInt8]($0) } ?? Array("<html>".utf8)
            return await respond(request, .serviceUnavailable, body, [.contentType: "text/html; charset=utf-8"])
        }
        router.get("**") { request, _ in
            let page = request.uri.queryParameters.get("page") ?? "1"
            let routes = [
                "/di/structures": "data-inclusion-structures-p\(page).json",
                "/di/services": "data-inclusion-services-p\(page).json",
                "/hsds/services": "hsds-services-p\(page).json",
            ]
            let path = request.uri.path
            let relative = routes[path] ?? String(path.drop { $0 == "/" })
            let file = directory.appendingPathComponent(relative).standardizedFileURL
            guard file.path.hasPrefix(directory.standardizedFileURL.path), let data = FileManager.default.contents(atPath: file.path) else {
                return await respond(request, .notFound, Array("not found".utf8))
            }
            let body = [UInt8](data)
            let etag = "\"" + String(Gzip.crc(body), radix: 16) + "-\(body.count)\""
            let mtime = (try? FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
            let lastModified = httpDate(mtime)
            let validators: HTTPFields = [.eTag: etag, .lastModified: lastModified]
            if let inm = request.headers[.ifNoneMatch] {
                if inm == etag { return await respond(request, .notModified, [], validators) }
            } else if request.headers[.ifModifiedSince] == lastModified {
                return await respond(request, .notModified, [], validators)
            }
            var headers = validators
            headers[.contentType] = types[file.pathExtension] ?? "application/octet-stream"
            return await respond(request, .ok, body, headers)
        }
        return router
    }

    static func httpDate(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: date)
    }
}

actor FlakyCounter {
    var n = 0
    func next() -> Int {
        n += 1
        return n
    }
}

public enum GzipBomb {
    /// 20 MB of zeros, gzip-compressed (about 20 KB on the wire).
    public static let body: [UInt8] = Gzip.compress([UInt8](repeating: 0x30, count: 20_000_000))
}
