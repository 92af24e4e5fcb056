import Foundation
import RelaisModel
import RelaisMerge
import RelaisNormalize

/// CSV exports: UTF-8 (with or without BOM), Windows-1252 or Latin-1; `;`, `,`
/// or tab; RFC 4180 quoting (separators and newlines inside quotes); CRLF;
/// blank lines skipped; columns mapped by header.
struct CSVReader: FormatReader {
    var format: SourceFormat { .csv }
    var options: [String] { ["delimiter", "header_row"] }
    var takesFieldMapping: Bool { true }
    func check(options: [String: String]) -> (key: String, message: String)? {
        if let d = options["delimiter"], !["auto", ";", ",", "\t", "tab", "|"].contains(d) {
            return ("delimiter", "« \(d) » : attendu auto, « ; », « , », « | » ou tab")
        }
        return positiveIntegers(["header_row"], in: options)
    }

    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult {
        guard let doc = payload.documents.first else { return ReadResult() }
        let text = try self.text(doc, ctx)
        let delimiterOption = ctx.manifest.option("delimiter") ?? "auto"
        let delimiter: UInt8
        switch delimiterOption {
        case ";": delimiter = UInt8(ascii: ";")
        case ",": delimiter = UInt8(ascii: ",")
        case "|": delimiter = UInt8(ascii: "|")
        case "\t", "tab": delimiter = 0x09
        default: delimiter = Self.detectDelimiter(text)
        }
        var rows = Self.parse(text, delimiter: delimiter)
        let headerRow = ctx.manifest.intOption("header_row", default: 1)
        guard rows.count >= headerRow else { return ReadResult() }
        rows.removeFirst(headerRow - 1)
        let header = rows.removeFirst().fields.map { $0.trimmed }
        let mapping = FieldMapping(explicit: ctx.manifest.fields, available: header)
        for (field, column) in ctx.manifest.fields where !header.contains(column) {
            throw ReadError("\(doc.url) : la colonne « \(column) » (champ \(field) du manifeste) est absente de l’en-tête (\(header.joined(separator: " | ")))")
        }
        guard mapping.columns["name"] != nil else {
            throw ReadError("\(doc.url) : aucune colonne ne donne le nom des ressources (en-tête : \(header.joined(separator: " | "))) ; indiquez-la dans fields: name:")
        }
        let index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        // Rows map to records independently: a large file is mapped on every core, in order.
        let headerCount = header.count
        @Sendable func map(_ rows: ArraySlice<Row>) -> ReadResult {
            var result = ReadResult()
            for row in rows {
                if row.fields.allSatisfy({ $0.trimmed.isEmpty }) { continue }
                let item = row.startLine == row.endLine ? "ligne \(row.startLine)" : "lignes \(row.startLine)–\(row.endLine)"
                if row.fields.count != headerCount {
                    result.issues.append(RunIssue(item: item, field: nil, reason: "wrong column count: \(row.fields.count) fields instead of \(headerCount) (nombre de colonnes incorrect)", severity: .rejected))
                    continue
                }
                // A field longer than any field can be is dropped here (the normaliser applies each
                // field's own limit): the record stays, flagged.
                var fields = row.fields
                var dropped: [Flag] = []
                for k in fields.indices where fields[k].utf8.count > RecordNormalizer.maxFieldLength {
                    dropped.append(Flag("field_too_long", field: header[k], "Colonne « \(header[k]) » trop longue dans la source (\(fields[k].utf8.count) octets) : ignorée."))
                    result.issues.append(RunIssue(item: item, field: header[k], reason: "champ trop long (\(fields[k].utf8.count) octets, au plus \(RecordNormalizer.maxFieldLength)) : ignoré, le reste de la ligne est importé", severity: .warning))
                    fields[k] = ""
                }
                var record = mapping.record(item: item) { col in index[col].map { fields[$0] } }
                record.flags += dropped
                result.records.append(record)
            }
            return result
        }
        let workers = rows.count < 4000 ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard workers > 1 else { return map(rows[...]) }
        let chunk = (rows.count + workers - 1) / workers
        let parts = OrderedParts<ReadResult>(workers)
        let all = rows
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            parts.set(w, map(all[min(all.count, w * chunk)..<min(all.count, (w + 1) * chunk)]))
        }
        var result = ReadResult()
        for part in parts.all() {
            result.records += part.records
            result.issues += part.issues
        }
        return result
    }

    struct Row {
        var fields: [String]
        var startLine: Int
        var endLine: Int
    }

    /// The separator that occurs most in the header line (outside quotes).
    static func detectDelimiter(_ text: String) -> UInt8 {
        var counts: [UInt8: Int] = [UInt8(ascii: ";"): 0, UInt8(ascii: ","): 0, 0x09: 0, UInt8(ascii: "|"): 0]
        var quoted = false
        for b in text.utf8 {
            if b == UInt8(ascii: "\"") { quoted.toggle() }
            if b == 0x0A && !quoted { break }
            if !quoted, counts[b] != nil { counts[b]! += 1 }
        }
        return counts.max { ($0.value, $0.key) < ($1.value, $1.key) }.map { $0.value > 0 ? $0.key : UInt8(ascii: ";") } ?? UInt8(ascii: ";")
    }

    /// RFC 4180 over UTF-8 bytes: quoted fields may hold separators, quotes (doubled) and newlines.
    static func parse(_ text: String, delimiter: UInt8) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        field.reserveCapacity(256)
        var quoted = false
        var line = 1
        var rowStart = 1
        var atFieldStart = true
        let bytes = Array(text.utf8)
        var i = 0
        let quote = UInt8(ascii: "\"")
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            atFieldStart = true
        }
        func endRow() {
            endField()
            rows.append(Row(fields: fields, startLine: rowStart, endLine: line))
            fields = []
        }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == quote {
                    if i + 1 < bytes.count && bytes[i + 1] == quote {
                        field.append(quote)
                        i += 2
                        continue
                    }
                    quoted = false
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case quote where atFieldStart:
                quoted = true
                atFieldStart = false
            case delimiter:
                endField()
            case 0x0D:
                break
            case 0x0A:
                endRow()
                line += 1
                rowStart = line
            default:
                field.append(b)
                atFieldStart = false
            }
            i += 1
        }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        return rows
    }
}

/// Results of parallel workers, each written once to its own slot, read in order.
final class OrderedParts<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ value: T) { lock.withLock { slots[i] = value } }
    func all() -> [T] { lock.withLock { slots.compactMap { $0 } } }
}

extension SourceFormat {
    public static let csv = SourceFormat("csv")
}
