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
}

extension FormatReader {
    public var options: [String] { [] }
    public var takesFieldMapping: Bool { false }
    public func check(options: [String: String]) -> (key: String, message: String)? { nil }

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
        do { return try TextDecoding.decode(d.body, encoding: ctx.manifest.option("encoding") ?? "auto") } catch {
            throw ReadError("\(d.url) : \(error)")
        }
    }

    /// JSON of a document, with clear errors for HTML pages and truncated bodies.
    func json(_ d: Document, _ ctx: ReaderContext) throws -> Any {
        let first = d.body.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        if first == UInt8(ascii: "<") {
            throw ReadError("\(d.url) : expected JSON, got HTML (le serveur a renvoyé une page HTML au lieu de JSON\(d.status >= 400 ? ", statut \(d.status)" : ""))")
        }
        do { return try JSONSerialization.jsonObject(with: Data(d.body), options: [.fragmentsAllowed]) } catch {
            let ns = error as NSError
            let detail = (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
            let truncated = detail.lowercased().contains("end") || detail.lowercased().contains("unterminated") || detail.lowercased().contains("premature")
            throw ReadError("\(d.url) : \(truncated ? "unexpected end of input (JSON tronqué)" : "invalid JSON (JSON invalide)") — \(detail)")
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
