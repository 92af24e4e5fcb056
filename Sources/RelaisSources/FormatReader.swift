import Foundation
import RelaisFetch
import RelaisModel
import RelaisMerge

/// One fetched document of a payload.
public struct Document: Sendable {
    public var url: String
    public var status: Int
    public var body: [UInt8]
    public var contentType: String?
    public var charset: String?
    /// The validators the server sent with it, and the URL they were asked for.
    public var etag: String?
    public var lastModified: String?
    public var requestedURL: String?
    /// Where the body waits on disk when a large paged source was spooled (`body` is then empty).
    var spooled: (spool: PageSpool, path: String, bytes: Int)?

    /// The body's size, in memory or on disk.
    public var byteCount: Int { spooled?.bytes ?? body.count }

    public init(url: String, status: Int = 200, body: [UInt8], contentType: String? = nil, charset: String? = nil) {
        self.url = url
        self.status = status
        self.body = body
        self.contentType = contentType
        self.charset = charset
    }

    init(_ r: FetchResponse, requested: String? = nil) {
        self.init(url: r.url, status: r.status, body: r.body, contentType: r.contentType, charset: r.declaredCharset)
        etag = r.etag
        lastModified = r.lastModified
        requestedURL = requested
    }
}

extension Document {
    /// The body, read back from the spool when it waits there.
    public func contents() throws -> [UInt8] {
        guard let spooled else { return body }
        guard let data = FileManager.default.contents(atPath: spooled.path) else {
            throw ReadError("\(url) : page mise de côté sur disque illisible (\(spooled.path))")
        }
        return [UInt8](data)
    }
}

/// Pages of a large paged source, kept on disk between the fetch and the read: a run holds
/// one page in memory, not the source (a million HSDS services are 3 GB of JSON). Pages stay
/// in memory until `threshold` bytes were fetched; the folder goes with the last document.
public final class PageSpool: @unchecked Sendable {
    private let lock = NSLock()
    private let threshold: Int
    private var folder: String?
    private var kept = 0
    private var count = 0

    /// `threshold`: bytes kept in memory before pages go to disk (environment
    /// `RELAIS_SPOOL_BYTES`, default 16 MiB).
    public init(threshold: Int) { self.threshold = threshold }

    convenience init(_ ctx: ReaderContext) {
        self.init(threshold: ctx.environment["RELAIS_SPOOL_BYTES"].flatMap { Int($0) } ?? 16 << 20)
    }

    /// `doc`, with its body on disk once the spool holds more than its threshold.
    func keep(_ doc: Document) throws -> Document {
        var doc = doc
        let path: String? = try lock.withLock {
            kept += doc.body.count
            guard kept > threshold else { return nil }
            if folder == nil {
                let temporary = FileManager.default.temporaryDirectory
                Self.sweep(temporary)
                let f = temporary.appendingPathComponent("relais-pages-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true)
                folder = f
            }
            count += 1
            return "\(folder ?? "")/\(count)"
        }
        guard let path else { return doc }
        guard FileManager.default.createFile(atPath: path, contents: Data(doc.body)) else {
            throw ReadError("\(doc.url) : impossible de mettre la page de côté sur disque (\(path))")
        }
        doc.spooled = (self, path, doc.body.count)
        doc.body = []
        return doc
    }

    deinit {
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// Removes the spools a killed process left (`kill -9` mid-run: a million services are
    /// 3 GB): folders of a process of this machine that is gone, untouched for `age` seconds.
    static func sweep(_ temporary: URL, age: TimeInterval = 6 * 3600, now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporary.path) else { return }
        for name in names where name.hasPrefix("relais-pages-") {
            let parts = name.dropFirst("relais-pages-".count).split(separator: "-", maxSplits: 1)
            guard let first = parts.first, let pid = Int32(first), pid > 0, pid != ProcessInfo.processInfo.processIdentifier,
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            let path = temporary.appendingPathComponent(name).path
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                now.timeIntervalSince(modified) > age
            else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

/// The validators of every page of a paged source (an API read page by page), stored as the
/// source's `etag`: a later run asks each page again conditionally, and when every page answers
/// 304 the source is unchanged without reading a byte of it.
struct PageValidators: Codable, Equatable {
    struct Page: Codable, Equatable {
        var url: String
        var etag: String?
        var lastModified: String?
    }
    var pages: [Page]

    static let prefix = "pages:"

    init(pages: [Page]) { self.pages = pages }

    init?(_ documents: [Document]) {
        let pages = documents.map { Page(url: $0.requestedURL ?? $0.url, etag: $0.etag, lastModified: $0.lastModified) }
        // Only when every page can be asked conditionally.
        guard !pages.isEmpty, pages.allSatisfy({ $0.etag != nil || $0.lastModified != nil }) else { return nil }
        self.pages = pages
    }

    init?(stored: String?) {
        guard let s = stored, s.hasPrefix(Self.prefix),
            let v = try? JSONDecoder().decode(PageValidators.self, from: Data(s.dropFirst(Self.prefix.count).utf8))
        else { return nil }
        self = v
    }

    var stored: String? {
        (try? JSONEncoder().encode(self)).map { Self.prefix + String(decoding: $0, as: UTF8.self) }
    }
}

/// The whole payload of a run: every page, fetched before anything is read.
public struct Payload: Sendable {
    public var documents: [Document]
    /// The source answered 304 (or its file did not change).
    public var notModified: Bool
    public var httpStatus: Int?
    public var etag: String?
    public var lastModified: String?

    /// About how many records the payload holds (a few hundred bytes each): a large run
    /// prepares the store for many writes.
    public var estimatedRecords: Int { documents.reduce(0) { $0 + $1.byteCount } / 400 }

    public init(documents: [Document], notModified: Bool = false, httpStatus: Int? = nil, etag: String? = nil, lastModified: String? = nil) {
        self.documents = documents
        self.notModified = notModified
        self.httpStatus = httpStatus
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// What a reader found: raw records, and items it could not read at all.
public struct ReadResult: Sendable {
    public var records: [RawRecord]
    public var issues: [RunIssue]
    /// Records left out on purpose (cancelled events, past sessions…), not errors.
    public var skipped: Int

    public init(records: [RawRecord] = [], issues: [RunIssue] = [], skipped: Int = 0) {
        self.records = records
        self.issues = issues
        self.skipped = skipped
    }
}

/// A payload that cannot be read: the run fails and the store keeps what it had.
public struct ReadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension ReadError {
    /// A page of HTML where JSON was expected (a maintenance page, an error page).
    static func htmlInsteadOfJSON(_ url: String, status: Int) -> ReadError {
        ReadError("\(url) : expected JSON, got HTML (le serveur a renvoyé une page HTML au lieu de JSON\(status >= 400 ? ", statut \(status)" : ""))")
    }

    /// JSON cut short, or not JSON.
    static func brokenJSON(_ url: String, truncated: Bool, detail: String) -> ReadError {
        ReadError("\(url) : \(truncated ? "unexpected end of input (JSON tronqué)" : "invalid JSON (JSON invalide)") — \(detail)")
    }
}

/// What a reader may use: the manifest, the normaliser (for kind keywords), the clock.
public struct ReaderContext: Sendable {
    public var manifest: Manifest
    public var normalizer: RecordNormalizer
    /// "Now" for deciding what is upcoming (injected in tests).
    public var now: Date
    public var environment: [String: String]

    public init(manifest: Manifest, normalizer: RecordNormalizer, now: Date, environment: [String: String] = [:]) {
        self.manifest = manifest
        self.normalizer = normalizer
        self.now = now
        self.environment = environment
    }

    public var today: LocalDate { ParisTime.local(atEpoch: Int(now.timeIntervalSince1970)).date }
    public var nowLocal: LocalDateTime { ParisTime.local(atEpoch: Int(now.timeIntervalSince1970)) }
}

/// A source format: its id and options, how to fetch the whole payload and how to read it.
/// A new format is one file holding its reader, plus one line in ``Readers/all``.
public protocol FormatReader: Sendable {
    /// The id manifests name it by (`format: csv`).
    var format: SourceFormat { get }
    /// The options it reads besides the common ones (``Manifest/commonOptions``).
    var options: [String] { get }
    /// Whether a manifest's `fields:` mapping applies to it.
    var takesFieldMapping: Bool { get }
    /// An option value it cannot use: the option's name and why, in French (nil: all good).
    func check(options: [String: String]) -> (key: String, message: String)?
    func fetch(_ ctx: ReaderContext, fetcher: Fetcher, etag: String?, lastModified: String?) async throws -> Payload
    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult
    /// Reads the payload a part at a time (a page of an API, a thousand rows of a file) and
    /// hands each part's records to `sink` as soon as they are read, so that a run holds a
    /// part in memory, not the source. Parts come in the source's order; a thrown error
    /// fails the whole run. The default reads the whole payload as one part.
    func read(_ payload: Payload, _ ctx: ReaderContext, into sink: (ReadResult) throws -> Void) throws
}

extension FormatReader {
    public var options: [String] { [] }
    public var takesFieldMapping: Bool { false }
    public func check(options: [String: String]) -> (key: String, message: String)? { nil }
    public func read(_ payload: Payload, _ ctx: ReaderContext, into sink: (ReadResult) throws -> Void) throws {
        try sink(try read(payload, ctx))
    }

    /// The whole payload through the part-by-part reading: for readers that stream.
    func readWhole(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult {
        var all = ReadResult()
        try read(payload, ctx) { part in
            all.records += part.records
            all.issues += part.issues
            all.skipped += part.skipped
        }
        return all
    }

    /// A whole positive number for each of `keys` that is set.
    func positiveIntegers(_ keys: [String], in options: [String: String]) -> (key: String, message: String)? {
        for key in keys {
            if let v = options[key], (Int(v) ?? 0) <= 0 { return (key, "« \(v) » : attendu un entier strictement positif") }
        }
        return nil
    }
    /// Asks every page of the previous run again with its validators. All 304: the source is
    /// unchanged (a payload that says so). Any other answer: nil, and the reader fetches the
    /// whole source afresh.
    func unchangedPages(_ stored: String?, fetcher: Fetcher, headers: [(String, String)], policy: FetchPolicy) async -> Payload? {
        guard let previous = PageValidators(stored: stored) else { return nil }
        for page in previous.pages {
            guard let r = try? await fetcher.fetch(FetchRequest(url: page.url, etag: page.etag, lastModified: page.lastModified, headers: headers, policy: policy)),
                r.notModified
            else { return nil }
        }
        return Payload(documents: [], notModified: true, httpStatus: 304, etag: stored)
    }

    /// A payload of pages with the validators of each, for the next run.
    func pagedPayload(_ docs: [Document], httpStatus: Int?) -> Payload {
        Payload(documents: docs, httpStatus: httpStatus, etag: PageValidators(docs)?.stored)
    }

    /// One conditional GET of the manifest's URL.
    public func fetch(_ ctx: ReaderContext, fetcher: Fetcher, etag: String?, lastModified: String?) async throws -> Payload {
        let r = try await fetcher.fetch(FetchRequest(url: ctx.manifest.url, etag: etag, lastModified: lastModified, policy: ctx.manifest.fetchPolicy))
        if r.notModified { return Payload(documents: [], notModified: true, httpStatus: r.status, etag: r.etag ?? etag, lastModified: r.lastModified ?? lastModified) }
        return Payload(documents: [Document(r)], httpStatus: r.status, etag: r.etag, lastModified: r.lastModified)
    }

    /// The text of a document, decoded per the manifest's `encoding` option.
    func text(_ d: Document, _ ctx: ReaderContext) throws -> String {
        do { return try TextDecoding.decode(try d.contents(), encoding: ctx.manifest.option("encoding") ?? "auto") } catch let e as ReadError {
            throw e
        } catch {
            throw ReadError("\(d.url) : \(error)")
        }
    }

    /// JSON of a document, with clear errors for HTML pages and truncated bodies.
    func json(_ d: Document, _ ctx: ReaderContext) throws -> Any {
        let body = try jsonBody(d)
        do { return try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) } catch {
            let ns = error as NSError
            let detail = (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
            let truncated = detail.lowercased().contains("end") || detail.lowercased().contains("unterminated") || detail.lowercased().contains("premature")
            throw ReadError.brokenJSON(d.url, truncated: truncated, detail: detail)
        }
    }

    /// A document's bytes, refused when they are a page of HTML (a maintenance or error page).
    func jsonBody(_ d: Document) throws -> [UInt8] {
        let body = try d.contents()
        let first = body.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        if first == UInt8(ascii: "<") { throw ReadError.htmlInsteadOfJSON(d.url, status: d.status) }
        return body
    }

    /// A document's JSON as a tape: parsed in one pass, its values read where they lie.
    func tape(_ d: Document) throws -> JSONTape {
        let body = try jsonBody(d)
        do { return try JSONTape(body) } catch {
            throw ReadError.brokenJSON(d.url, truncated: error.truncated, detail: "\(error.reason) (octet \(error.offset))")
        }
    }
}

/// The registry of source formats.
public enum Readers {
    /// Every format Relais reads; a new one is one line here.
    public static let all: [any FormatReader] = [
        CSVReader(), JSONReader(), HTMLReader(), JSONLDReader(), ICSReader(), DataInclusionReader(), HSDSReader(), LaPosteReader(),
    ]

    public static func reader(for format: SourceFormat) -> (any FormatReader)? { all.first { $0.format == format } }
}
