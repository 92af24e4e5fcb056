import Foundation
import RelaisFetch
import RelaisModel
import RelaisStore

/// One fetched document of a payload.
public struct Document: Sendable {
    public var url: String
    public var status: Int
    public var body: [UInt8]
    public var contentType: String?
    public var charset: String?

    public init(url: String, status: Int = 200, body: [UInt8], contentType: String? = nil, charset: String? = nil) {
        self.url = url
        self.status = status
        self.body = body
        self.contentType = contentType
        self.charset = charset
    }

    init(_ r: FetchResponse) {
        self.init(url: r.url, status: r.status, body: r.body, contentType: r.contentType, charset: r.declaredCharset)
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

/// A source format: how to fetch the whole payload and how to read it.
public protocol FormatReader: Sendable {
    func fetch(_ ctx: ReaderContext, fetcher: Fetcher, etag: String?, lastModified: String?) async throws -> Payload
    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult
}

extension FormatReader {
    /// One conditional GET of the manifest's URL.
    public func fetch(_ ctx: ReaderContext, fetcher: Fetcher, etag: String?, lastModified: String?) async throws -> Payload {
        let r = try await fetcher.fetch(FetchRequest(url: ctx.manifest.url, etag: etag, lastModified: lastModified))
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

public enum Readers {
    public static func reader(for format: SourceFormat) -> any FormatReader {
        switch format {
        case .csv: return CSVReader()
        case .json: return JSONReader()
        case .html: return HTMLReader()
        case .jsonld: return JSONLDReader()
        case .ics: return ICSReader()
        case .dataInclusion: return DataInclusionReader()
        case .hsds: return HSDSReader()
        case .laposte: return LaPosteReader()
        }
    }
}
