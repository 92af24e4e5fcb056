import Foundation
import RelaisSources
import RelaisModel
import RelaisNormalize

/// Every reader and parser on inputs of size n and 2n, shaped as hostile sources shape them
/// (a long word, a long run of digits, one series with thousands of events…): the time of
/// 2n over the time of n should stay near 2. A benchmark, not a test: read the ratios.
func benchLinearity(base: Int) throws {
    func time(_ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = now()
            try body()
            best = min(best, now() - t0)
        }
        return best
    }
    let normalizer = RecordNormalizer(data: data, defaultKind: .gem)
    func read(_ format: SourceFormat, _ body: String, options: [String: String] = [:], fields: [String: String] = [:]) throws {
        let m = Manifest(id: "lin", title: "lin", url: "http://example.org/x", format: format, kind: .gem, options: options, fields: fields)
        let ctx = ReaderContext(manifest: m, normalizer: normalizer, now: Date(timeIntervalSince1970: 1_795_431_600))
        let payload = Payload(documents: [Document(url: m.url, body: Array(body.utf8))])
        guard let reader = Readers.reader(for: format) else { return }
        let result = try reader.read(payload, ctx)
        let memo = RecordNormalizer.Memo()
        for r in result.records { _ = normalizer.normalize(r, memo: memo) }
    }
    let csvHeader = "Nom;Adresse;Code postal;Commune;Téléphone;Horaires;Description\n"
    let cases: [(String, (Int) -> () throws -> Void)] = [
        ("csv rows", { n in { try read(.csv, csvHeader + (0..<n / 40).map { "GEM \($0);\($0) rue X;41000;Blois;02 54 00 00 00;du lundi au vendredi de 14h à 18h;Groupe\n" }.joined(), options: ["delimiter": ";"]) } }),
        ("csv long word A.A.", { n in { try read(.csv, csvHeader + "GEM A;1 rue X;41000;Blois;;;" + String(repeating: "A.", count: n / 2) + "\n", options: ["delimiter": ";"]) } }),
        ("csv long digit run", { n in { try read(.csv, csvHeader + "GEM A;1 rue X;41000;Blois;" + String(repeating: "0", count: n) + ";;\n", options: ["delimiter": ";"]) } }),
        ("html items", { n in { try read(.html, "<html><body><main><h2>Nos GEM</h2><ul>" + (0..<n / 60).map { "<li>GEM \($0) – \($0) rue X, 41000 Blois – 02 54 00 00 00</li>" }.joined() + "</ul></main></body></html>") } }),
        ("html long word A.A.", { n in { try read(.html, "<html><body><main><h2>Nos GEM</h2><ul><li>GEM X – 1 rue X, 41000 Blois – " + String(repeating: "A.", count: n / 2) + "</li></ul></main></body></html>") } }),
        ("html long paragraph", { n in { try read(.html, "<html><body><main><h2>Atelier Prospect</h2><p>" + String(repeating: "le samedi 16 janvier 2027 de 9 h à 17 h ", count: n / 40) + "</p></main></body></html>") } }),
        ("ics one series, many events", { n in { try read(.ics, "BEGIN:VCALENDAR\r\n" + (0..<n / 120).map { k in "BEGIN:VEVENT\r\nUID:serie@x\r\nDTSTART:2027\(String(format: "%02d%02d", k % 12 + 1, k % 28 + 1))T140000\r\nSUMMARY:Groupe\r\nEND:VEVENT\r\n" }.joined() + "END:VCALENDAR\r\n") } }),
        ("json records", { n in { try read(.json, "{\"items\":[" + (0..<n / 60).map { "{\"nom\":\"GEM \($0)\",\"cp\":\"41000\",\"ville\":\"Blois\"}" }.joined(separator: ",") + "]}", options: ["records": "items"], fields: ["name": "nom", "postal_code": "cp", "commune": "ville"]) } }),
        ("french schedule sentence", { n in { _ = FrenchSchedule.read(String(repeating: "le lundi de 14h à 18h, ", count: n / 24)) } }),
        ("osm rules", { n in { _ = try? OpeningHours.parse(String(repeating: "Mo 10:00-12:00; ", count: n / 16)) } }),
        ("e-mails in text", { n in { _ = EmailAddress.extract(String(repeating: "A.", count: n / 2)) } }),
        ("phones in text", { n in { _ = PhoneNumber.extract(String(repeating: "0", count: n)) } }),
    ]
    print("reader / parser                     n=\(base) bytes    2n          ratio")
    for (name, make) in cases {
        let a = try time(make(base)), b = try time(make(2 * base))
        print(name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: " %8.3f s  %8.3f s   %5.2f", a, b, b / max(a, 1e-9)))
    }
}
