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
        try readWhole(payload, ctx)
    }

    /// A thousand rows at a time: the file is read once, row by row, and its records leave as
    /// they are made.
    func read(_ payload: Payload, _ ctx: ReaderContext, into sink: (ReadResult) throws -> Void) throws {
        guard let doc = payload.documents.first else { return try sink(ReadResult()) }
        var text = try self.text(doc, ctx)
        let delimiter: UInt8
        switch ctx.manifest.option("delimiter") ?? "auto" {
        case ";": delimiter = UInt8(ascii: ";")
        case ",": delimiter = UInt8(ascii: ",")
        case "|": delimiter = UInt8(ascii: "|")
        case "\t", "tab": delimiter = 0x09
        default: delimiter = Self.detectDelimiter(text)
        }
        // Rows are read from the text's own bytes, not from a copy (a million rows are 400 MB).
        text.makeContiguousUTF8()
        let done: Void? = try text.utf8.withContiguousStorageIfAvailable { bytes in
            var rows = Rows(bytes: bytes, delimiter: delimiter)
            try read(&rows, doc, ctx, into: sink)
        }
        if done == nil {
            var rows = Rows(bytes: Array(text.utf8), delimiter: delimiter)
            try read(&rows, doc, ctx, into: sink)
        }
    }

    func read<Bytes>(_ rows: inout Rows<Bytes>, _ doc: Document, _ ctx: ReaderContext, into sink: (ReadResult) throws -> Void) throws {
        let headerRow = ctx.manifest.intOption("header_row", default: 1)
        for _ in 1..<max(1, headerRow) where rows.next() == nil { return try sink(ReadResult()) }
        guard let headerLine = rows.next() else { return try sink(ReadResult()) }
        let header = headerLine.fields.map { $0.trimmed }
        let mapping = FieldMapping(explicit: ctx.manifest.fields, available: header)
        for (field, column) in ctx.manifest.fields where !header.contains(column) {
            throw ReadError("\(doc.url) : la colonne « \(column) » (champ \(field) du manifeste) est absente de l’en-tête (\(header.joined(separator: " | ")))")
        }
        guard mapping.columns["name"] != nil else {
            throw ReadError("\(doc.url) : aucune colonne ne donne le nom des ressources (en-tête : \(header.joined(separator: " | "))) ; indiquez-la dans fields: name:")
        }
        let index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let headerCount = header.count
        var result = ReadResult()
        while let row = rows.next() {
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
            if result.records.count == 1000 {
                try sink(result)
                result = ReadResult()
            }
        }
        try sink(result)
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
        var rows = Rows(bytes: Array(text.utf8), delimiter: delimiter)
        var all: [Row] = []
        while let row = rows.next() { all.append(row) }
        return all
    }

    /// The rows of a file one at a time (RFC 4180, see ``parse(_:delimiter:)``).
    struct Rows<Bytes: RandomAccessCollection> where Bytes.Element == UInt8, Bytes.Index == Int {
        let bytes: Bytes
        let delimiter: UInt8
        private var i = 0
        private var line = 1
        private var field: [UInt8] = []

        init(bytes: Bytes, delimiter: UInt8) {
            self.bytes = bytes
            self.delimiter = delimiter
            field.reserveCapacity(256)
        }

        mutating func next() -> Row? {
            guard i < bytes.count else { return nil }
            var fields: [String] = []
            var quoted = false
            var atFieldStart = true
            let rowStart = line
            let quote = UInt8(ascii: "\"")
            func endField() {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
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
                    endField()
                    i += 1
                    let row = Row(fields: fields, startLine: rowStart, endLine: line)
                    line += 1
                    return row
                default:
                    field.append(b)
                    atFieldStart = false
                }
                i += 1
            }
            // The last row, without a final newline.
            if !field.isEmpty || !fields.isEmpty || !atFieldStart || quoted { endField() } else { return nil }
            return Row(fields: fields, startLine: rowStart, endLine: line)
        }
    }
}

extension SourceFormat {
    public static let csv = SourceFormat("csv")
}
