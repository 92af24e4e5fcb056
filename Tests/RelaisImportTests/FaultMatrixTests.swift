import Foundation
import RelaisApp
import RelaisMerge
import RelaisSources
import RelaisStoreSQLite
import Hummingbird
import RelaisFetch
import RelaisImport
import RelaisModel
import RelaisStore
import RelaisTestSupport
import Testing

/// Every format against every fault a real source can send, through a real
/// local server: each format's good payload (ten listings) is imported, then
/// each fault in turn. Whatever the fault, no listing is lost or silently
/// hidden — the ten stay live — and when a run is not applied its message
/// names the cause, in French.
@Suite(.serialized) struct FaultMatrixTests {
    enum Format: String, CaseIterable { case csv, json, html, jsonld, ics, hsds, di }

    enum Fault: String, CaseIterable {
        case http500, http404, slow, redirectLoop, gzipBomb, truncated, cutInHalf, shrink, empty, maintenancePage
        case invalidUTF8, hugeField, hostileNumbers, nextFile, nextLoopback

        /// Words the run's message must hold (French), when the run is not applied.
        var cause: [String] {
            switch self {
            case .http500: return ["serveur a répondu 500"]
            case .http404: return ["404"]
            case .slow: return ["délai dépassé"]
            case .redirectLoop: return ["trop de redirections"]
            case .gzipBomb: return ["trop volumineuse"]
            case .truncated: return ["tronqu", "attente de validation", "illisible", "BEGIN sans END"]
            case .cutInHalf, .shrink: return ["attente de validation"]
            case .empty: return ["Aucun enregistrement"]
            case .maintenancePage: return ["HTML", "aucune", "Aucun enregistrement", "iCalendar", "colonne"]
            case .invalidUTF8: return ["UTF-8", "JSON invalide", "illisible"]
            case .hugeField: return ["trop long", "Kio ignorée"]
            // A hostile number is an error naming it, or a value dropped; where it changes a record's
            // identity (an HTML item without an id), the run is held rather than applied.
            case .hostileNumbers: return ["nombre de pages invalide", "pages", "attente de validation", "invalide"]
            case .nextFile: return ["lien refusé"]
            case .nextLoopback: return ["adresse interdite"]
            }
        }

        /// Faults that only make sense for formats that follow links or pages.
        func applies(to format: Format) -> Bool {
            switch self {
            case .nextFile, .nextLoopback: return format == .json
            default: return true
            }
        }
    }

    static let total = 10

    /// One listing of the good payload, by format.
    struct Item {
        var n: Int
        var name: String { "GEM Rempart \(n)" }
        var street: String { "\(n) rue du Rempart" }
        var phone: String { String(format: "02 54 00 %02d %02d", n / 100, n % 100) }
    }

    static func items(_ fault: Fault?) -> [Item] {
        switch fault {
        case .cutInHalf: return (1...total / 2).map(Item.init)
        case .shrink: return [Item(n: 1)]
        case .empty: return []
        default: return (1...total).map(Item.init)
        }
    }

    static let huge = String(repeating: "Personnes en souffrance psychique, proches et aidants bienvenus. ", count: 33_000)
    static let maintenance = Array("<!DOCTYPE html><html><head><title>Maintenance</title></head><body><main><h1>Site en maintenance</h1><p>Revenez plus tard.</p></main></body></html>".utf8)

    /// The body a source of `format` sends for `path` under `fault` (nil: 404).
    static func body(_ format: Format, _ fault: Fault?, path: String, page: Int, secretPort: Int) -> [UInt8]? {
        let items = items(fault)
        let hostile = fault == .hostileNumbers
        func description(_ i: Item) -> String { fault == .hugeField && i.n == 3 ? huge : "Groupe d’entraide mutuelle \(i.n)" }
        switch format {
        case .csv:
            var s = "Identifiant;Nom;Type;Adresse;Code postal;Commune;Téléphone;Horaires;Description;Lat;Lon\n"
            for i in items {
                let (lat, lon) = hostile ? (i.n % 2 == 0 ? "nan" : "1e400", "inf") : ("47.58", "1.33")
                s += "r\(i.n);\(i.name);gem;\(i.street);41000;Blois;\(i.phone);\(hostile ? "-" : "du lundi au vendredi de 14h à 18h");\(description(i));\(lat);\(lon)\n"
            }
            return Array(s.utf8)
        case .json:
            let pageItems = page == 1 ? Array(items.prefix(5)) : Array(items.dropFirst(5))
            var o: [String: Any] = ["items": pageItems.map { ["id": "r\($0.n)", "nom": $0.name, "type": "gem", "adresse": $0.street, "cp": "41000", "ville": "Blois", "description": description($0)] }]
            if page == 1 {
                switch fault {
                case .nextFile: o["next"] = "file:///etc/hostname"
                case .nextLoopback: o["next"] = "http://127.0.0.1:\(secretPort)/secret.json"
                case .hostileNumbers: o["total_pages"] = 1e300
                default: if items.count > 5 { o["next"] = "/src/json/\(fault?.rawValue ?? "good")/data?page=2" }
                }
            }
            return json(o)
        case .html:
            var s = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>GEM du Loir-et-Cher</title></head><body><main><h2>Nos groupes d’entraide mutuelle</h2><ul>"
            for i in items { s += "<li>\(i.name) – \(i.street), 41000 Blois – \(hostile ? String(repeating: "9", count: 400) : i.phone) – \(description(i))</li>" }
            s += "</ul></main></body></html>"
            return Array(s.utf8)
        case .jsonld:
            let graph: [[String: Any]] = items.map { i in
                ["@type": "NGO", "@id": "https://example.org/gem/\(i.n)", "name": i.name, "telephone": i.phone, "description": description(i),
                 "address": ["@type": "PostalAddress", "streetAddress": i.street, "postalCode": "41000", "addressLocality": "Blois"],
                 "geo": ["@type": "GeoCoordinates", "latitude": hostile ? "1e999" : "47.58", "longitude": hostile ? "nan" : "1.33"]]
            }
            let script = String(decoding: json(["@context": "https://schema.org", "@graph": graph]), as: UTF8.self)
            return Array("<!DOCTYPE html><html><head><title>GEM</title><script type=\"application/ld+json\">\(script)</script></head><body><main><h1>GEM</h1></main></body></html>".utf8)
        case .ics:
            var s = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Relais//Tests//FR\r\n"
            for i in items {
                let rule = hostile ? "RRULE:FREQ=WEEKLY;INTERVAL=0;COUNT=999999999999999999999;BYDAY=TU" : "RRULE:FREQ=WEEKLY;BYDAY=TU"
                s += "BEGIN:VEVENT\r\nUID:rempart-\(i.n)@example.org\r\nDTSTART;TZID=Europe/Paris:20261103T140000\r\n"
                s += hostile ? "DURATION:P99999999999999W\r\n" : "DTEND;TZID=Europe/Paris:20261103T160000\r\n"
                s += "\(rule)\r\nSUMMARY:Groupe de parole \(i.name)\r\nLOCATION:\(i.street)\\, 41000 Blois\r\nDESCRIPTION:\(description(i))\r\nEND:VEVENT\r\n"
            }
            s += "END:VCALENDAR\r\n"
            return Array(s.utf8)
        case .hsds:
            let pageItems = page == 1 ? Array(items.prefix(5)) : Array(items.dropFirst(5))
            let contents: [[String: Any]] = pageItems.map { i in
                ["id": "r\(i.n)", "name": i.name, "description": description(i),
                 "attributes": [["taxonomy_term": ["code": "gem", "term": "gem"]]],
                 "phones": [["number": i.phone]],
                 "schedules": hostile ? [["freq": "WEEKLY", "byday": "TU", "opens_at": "14:00", "closes_at": "16:00", "interval": "inf", "count": 1e300]] : [],
                 "service_at_locations": [["location": ["name": i.name, "addresses": [["address_1": i.street, "city": "Blois", "postal_code": "41000", "country": "FR"]]]]]]
            }
            let pages = items.count > 5 ? 2 : 1
            return json(["contents": contents, "total_items": items.count, "total_pages": hostile ? "inf" as Any : pages, "page_number": page,
                         "size": 5, "first_page": page == 1, "last_page": page >= pages, "empty": contents.isEmpty])
        case .di:
            let isServices = path.hasSuffix("/services")
            let pageItems = isServices ? [] : (page == 1 ? Array(items.prefix(5)) : Array(items.dropFirst(5)))
            let objects: [[String: Any]] = pageItems.map { i in
                ["id": "r\(i.n)", "source": "tests", "nom": i.name, "adresse": i.street, "code_postal": "41000", "commune": "Blois",
                 "telephone": i.phone, "presentation_resume": description(i), "date_maj": "2026-11-01"]
            }
            let pages = isServices ? 1 : (items.count > 5 ? 2 : 1)
            return json(["items": objects, "total": isServices ? 0 : items.count, "page": page, "size": 5, "pages": hostile ? 1e300 : pages])
        }
    }

    static func json(_ o: Any) -> [UInt8] {
        (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])).map { [UInt8]($0) } ?? []
    }

    static func router(port: @escaping @Sendable () -> Int) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/secret.json") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: json(["items": [["id": "s1", "nom": "FICHIER LOCAL SECRET", "type": "gem", "cp": "41000", "ville": "Blois"]]]))))
        }
        router.get("/redirect-loop") { _, _ in Response(status: .found, headers: [.location: "/redirect-loop"]) }
        router.get("/src/{format}/{fault}/**") { request, context in
            let format = Format(rawValue: context.parameters.get("format") ?? "") ?? .csv
            let faultName = context.parameters.get("fault") ?? "good"
            let fault = Fault(rawValue: faultName)
            let page = Int(request.uri.queryParameters.get("page") ?? "1") ?? 1
            switch fault {
            case .http500: return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom")))
            case .http404: return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "introuvable")))
            case .slow:
                try await Task.sleep(nanoseconds: 3_000_000_000)
            case .redirectLoop: return Response(status: .found, headers: [.location: "/redirect-loop"])
            case .gzipBomb:
                return Response(status: .ok, headers: [.contentType: "text/plain", .contentEncoding: "gzip"], body: .init(byteBuffer: ByteBuffer(bytes: GzipBomb.body)))
            case .maintenancePage:
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: maintenance)))
            default: break
            }
            guard var body = body(format, fault, path: request.uri.path, page: page, secretPort: port()) else {
                return Response(status: .notFound)
            }
            if fault == .truncated { body = Array(body.prefix(body.count * 6 / 10)) }
            if fault == .invalidUTF8, let k = body.firstIndex(of: UInt8(ascii: "R")) { body.replaceSubrange(k..<(k + 1), with: [0xFF, 0xFE, 0xC3]) }
            return Response(status: .ok, headers: [.contentLength: "\(body.count)"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return router
    }

    func manifest(_ env: TestEnvironment, _ format: Format, _ fault: Fault?, base: String, port: Int) -> Manifest {
        let path = "\(base)/src/\(format.rawValue)/\(fault?.rawValue ?? "good")"
        // A small body limit, so that the gzip bomb (20 MB once inflated) is one; the huge field (2 MiB) fits.
        // A 1-second timeout for the slow server only (it answers after 3 s): on a loaded machine
        // the 2 MiB field or the gzip bomb may take longer than that, and must fail for their own cause.
        var options: [String: String] = ["timeout": fault == .slow ? "1" : "30", "max_bytes": "4000000"]
        var fields: [String: String] = [:]
        let url: String
        let f: SourceFormat
        switch format {
        case .csv:
            (url, f) = ("\(path)/data.csv", .csv)
            options["delimiter"] = ";"
            options["encoding"] = "utf-8"
            fields = ["id": "Identifiant", "name": "Nom", "kind": "Type", "street": "Adresse", "postal_code": "Code postal", "commune": "Commune",
                      "phones": "Téléphone", "hours": "Horaires", "description": "Description", "latitude": "Lat", "longitude": "Lon"]
        case .json:
            (url, f) = ("\(path)/data", .json)
            options["records"] = "items"
            fields = ["id": "id", "name": "nom", "kind": "type", "street": "adresse", "postal_code": "cp", "commune": "ville", "description": "description"]
        case .html: (url, f) = ("\(path)/page.html", .html)
        case .jsonld: (url, f) = ("\(path)/page.html", .jsonld)
        case .ics: (url, f) = ("\(path)/agenda.ics", .ics)
        case .hsds: (url, f) = ("\(path)/services", .hsds)
        case .di: (url, f) = (path, .dataInclusion)
        }
        var m = env.manifest("matrix-\(format.rawValue)", url: url, format: f, kind: .gem, options: options, fields: fields)
        // Links to the loopback test server count as the public internet only for `nextLoopback`:
        // the source stands for a public site whose page links into the local network.
        if fault == .nextLoopback { m.testingPublicLoopbackPort = UInt16(port) }
        return m
    }

    func live(_ env: TestEnvironment) throws -> [Listing] {
        try env.all().filter { !$0.stale && !$0.hidden && $0.content.name.contains("Rempart") }
    }

    @Test(arguments: Format.allCases)
    func everyFaultLeavesTheDirectoryWhole(format: Format) async throws {
        let env = try TestEnvironment(environment: ["RELAIS_SPOOL_BYTES": "0"])  // every page through the disk spool
        let portBox = PortBox()
        // A second server on loopback holds what a hostile page would link to (a local service).
        let secret = try await TestHTTPServer.start(Self.router(port: { 0 }))
        defer { Task { await secret.stop() } }
        try await TestHTTPServer.with(Self.router(port: { portBox.port })) { server in
            portBox.port = secret.port
            // The good payload first: ten live listings.
            let good = await env.importer.run(manifest(env, format, nil, base: server.baseURL, port: server.port))
            #expect(good.status == .success, "\(format) good: \(good.message ?? "")")
            let before = try live(env).count
            #expect(before == Self.total, "\(format): \(before) listings from the good payload")
            for fault in Fault.allCases where fault.applies(to: format) {
                let run = await env.importer.run(manifest(env, format, fault, base: server.baseURL, port: server.port))
                let now = try live(env)
                #expect(now.count == Self.total, "\(format) × \(fault): \(now.count) live listings after a \(run.status.rawValue) run — \(run.message ?? "")")
                #expect(try env.all().allSatisfy { !$0.content.name.contains("SECRET") }, "\(format) × \(fault): a local file was published")
                let issues = try env.store.issues(runID: run.id).map(\.reason).joined(separator: " | ")
                let said = (run.message ?? "") + " | " + issues
                if run.status != .success && run.status != .unchanged || fault == .hugeField {
                    #expect(fault.cause.contains { said.contains($0) }, "\(format) × \(fault): \(run.status.rawValue) — « \(said.prefix(300)) » names no cause among \(fault.cause)")
                }
                if run.status == .held {
                    // Nothing of a held run is applied; reject it so the next fault starts from the same state.
                    try env.store.rejectShrink(sourceID: "matrix-\(format.rawValue)")
                }
            }
        }
    }
}

final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var port: Int {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
