import Foundation
import RelaisFetch
import RelaisModel
import RelaisMerge

/// Helpers over `JSONSerialization` values.
enum JSONPath {
    /// `a.b.0.c` in nested objects and arrays.
    static func get(_ root: Any?, _ path: String) -> Any? {
        guard !path.isEmpty else { return root }
        var cur: Any? = root
        for part in path.split(separator: ".") {
            if let d = cur as? [String: Any] { cur = d[String(part)] }
            else if let a = cur as? [Any], let i = Int(part), a.indices.contains(i) { cur = a[i] }
            else { return nil }
        }
        return cur is NSNull ? nil : cur
    }

    static func string(_ v: Any?) -> String? {
        switch v {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        case let a as [Any]: return a.compactMap { string($0) }.joined(separator: ", ")
        default: return nil
        }
    }

    static func double(_ v: Any?) -> Double? {
        switch v {
        case let n as NSNumber: return n.doubleValue
        case let s as String: return Double(s.replacingOccurrences(of: ",", with: "."))
        default: return nil
        }
    }

    static func strings(_ v: Any?) -> [String] {
        if let a = v as? [Any] { return a.compactMap { string($0) } }
        return string(v).map { [$0] } ?? []
    }

    /// The records of a page: an explicit path, else a top-level array, else the
    /// first well-known key holding objects.
    static func records(in root: Any, path: String?) -> [[String: Any]]? {
        if let path { return get(root, path) as? [[String: Any]] }
        if let a = root as? [[String: Any]] { return a }
        guard let d = root as? [String: Any] else { return nil }
        for key in ["items", "data", "results", "contents", "records", "features", "structures", "services", "listings", "resultats"] {
            if let a = d[key] as? [[String: Any]] { return a }
        }
        return d.values.first { $0 is [[String: Any]] } as? [[String: Any]]
    }

    /// The page count an answer announces: a whole number from 1 to `maxPages`. Anything
    /// else (`1e300`, `"inf"`, `"nan"`, -1, 2.5) fails the run: reading fewer pages than
    /// the source has would mark the listings of the others stale.
    static func pageCount(_ value: Any?, url: String, maxPages: Int) throws -> Int {
        guard let raw = value, !(raw is NSNull) else { return 1 }
        let text = JSONPath.string(raw) ?? "\(raw)"
        guard let d = JSONPath.double(raw), let n = Int(checked: d, in: 0...Int(Int32.max)), Double(n) == d else {
            throw ReadError("\(url) : nombre de pages invalide (« \(text.prefix(40)) ») : l’API doit annoncer un nombre entier de pages")
        }
        guard n <= maxPages else {
            throw ReadError("\(url) : la source annonce \(n) pages, plus que la limite de \(maxPages) (options.max_pages) : rien n’a été importé pour ne pas lire une source incomplète")
        }
        return max(1, n)
    }

    /// Keys of an object, nested objects flattened one level as `parent.child`.
    static func keys(_ o: [String: Any]) -> [String] {
        var out: [String] = []
        for (k, v) in o {
            out.append(k)
            if let sub = v as? [String: Any] { out += sub.keys.map { "\(k).\($0)" } }
        }
        return out
    }
}

/// Generic JSON APIs and exports: a records path, and pagination by page
/// number or by a next link, bounded by `max_pages`.
struct JSONReader: FormatReader {
    var format: SourceFormat { .json }
    var options: [String] { ["records", "pagination", "page_param", "first_page", "next", "total_pages"] }
    var takesFieldMapping: Bool { true }
    func check(options: [String: String]) -> (key: String, message: String)? {
        if let p = options["pagination"], !["none", "page", "next"].contains(p) { return ("pagination", "« \(p) » : attendu none, page ou next") }
        return nil
    }

    func fetch(_ ctx: ReaderContext, fetcher: Fetcher, etag: String?, lastModified: String?) async throws -> Payload {
        let m = ctx.manifest
        // A source of several pages is unchanged only when every page is.
        if let unchanged = await unchangedPages(etag, fetcher: fetcher, headers: [], policy: m.fetchPolicy) { return unchanged }
        let paged = PageValidators(stored: etag) != nil
        let first = try await fetcher.fetch(FetchRequest(url: m.url, etag: paged ? nil : etag, lastModified: paged ? nil : lastModified, policy: m.fetchPolicy))
        if first.notModified { return Payload(documents: [], notModified: true, httpStatus: 304, etag: first.etag ?? etag, lastModified: first.lastModified ?? lastModified) }
        let spool = PageSpool(ctx)
        let firstDoc = Document(first, requested: m.url)
        var root = try json(firstDoc, ctx)
        var docs = [try spool.keep(firstDoc)]
        let maxPages = m.intOption("max_pages", default: 50)
        let mode = m.option("pagination") ?? "auto"
        var pageNumber = m.intOption("first_page", default: 1)
        var seen: Set<String> = [first.url, m.url]
        while true {
            var nextURL: String?
            if mode == "next" || mode == "auto" {
                let paths = m.option("next").map { [$0] } ?? ["next", "links.next", "_links.next.href", "pagination.next", "next_page_url", "meta.next"]
                if let n = paths.lazy.compactMap({ JSONPath.string(JSONPath.get(root, $0)) }).first(where: { !$0.isEmpty }) {
                    nextURL = URL(string: n, relativeTo: URL(string: docs.last?.url ?? m.url))?.absoluteString ?? n
                }
            }
            if nextURL == nil && (mode == "page" || mode == "auto") {
                let totalPath = (m.option("total_pages").map { [$0] } ?? ["pages", "total_pages", "last_page_number", "meta.pages", "pagination.pages"])
                    .first { JSONPath.get(root, $0) != nil }
                let total = try totalPath.map { try JSONPath.pageCount(JSONPath.get(root, $0), url: docs.last?.url ?? m.url, maxPages: maxPages + pageNumber) }
                let lastFlag = JSONPath.get(root, "last_page") as? Bool
                let count = JSONPath.records(in: root, path: m.option("records"))?.count ?? 0
                let more = total.map { pageNumber < $0 } ?? (lastFlag.map { !$0 } ?? (mode == "page" && count > 0))
                if more {
                    pageNumber += 1
                    nextURL = Self.url(m.url, setting: m.option("page_param") ?? "page", to: pageNumber)
                }
            }
            guard let next = nextURL else { break }
            // A link back to a page already read ends a loop; more pages than allowed is an error, not a silent cut.
            guard seen.insert(next).inserted else { break }
            guard docs.count < maxPages else {
                throw ReadError("\(m.url) : plus de \(maxPages) pages (options.max_pages) : rien n’a été importé pour ne pas lire une source incomplète")
            }
            let r = try await fetcher.fetch(FetchRequest(url: next, policy: m.fetchPolicy))
            let doc = Document(r, requested: next)
            root = try json(doc, ctx)
            docs.append(try spool.keep(doc))
        }
        if docs.count > 1 { return pagedPayload(docs, httpStatus: first.status) }
        return Payload(documents: docs, httpStatus: first.status, etag: first.etag, lastModified: first.lastModified)
    }

    /// `url` with the query parameter `name` set to `value`.
    static func url(_ url: String, setting name: String, to value: Int) -> String {
        guard var c = URLComponents(string: url) else { return url }
        var items = (c.queryItems ?? []).filter { $0.name != name }
        items.append(URLQueryItem(name: name, value: String(value)))
        c.queryItems = items
        return c.string ?? url
    }

    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult {
        try readWhole(payload, ctx)
    }

    /// One page at a time.
    func read(_ payload: Payload, _ ctx: ReaderContext, into sink: (ReadResult) throws -> Void) throws {
        for (p, doc) in payload.documents.enumerated() {
            var result = ReadResult()
            let root = try json(doc, ctx)
            guard let records = JSONPath.records(in: root, path: ctx.manifest.option("records")) else {
                throw ReadError("\(doc.url) : aucune liste d’enregistrements trouvée\(ctx.manifest.option("records").map { " au chemin « \($0) »" } ?? "") ; précisez options: records:")
            }
            let available = Array(Set(records.prefix(50).flatMap { JSONPath.keys($0) }))
            let mapping = FieldMapping(explicit: ctx.manifest.fields, available: available)
            for (i, o) in records.enumerated() {
                let item = payload.documents.count > 1 ? "page \(p + 1), élément \(i + 1)" : "élément \(i + 1)"
                result.records.append(mapping.record(item: item) { JSONPath.string(JSONPath.get(o, $0)) })
            }
            try sink(result)
        }
    }
}

extension SourceFormat {
    public static let json = SourceFormat("json")
}
