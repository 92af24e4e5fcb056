import Foundation
import RelaisModel
import RelaisMerge
import RelaisNormalize

/// Web pages: list items and table rows become listings.
///
/// Without options, the reader takes the page's main content (site chrome —
/// navigation, cookie banner, footer links — is skipped), reads every list of
/// free-text items (name, address, phones, e-mails, hours split at " - ") and
/// every table with a header row (`rowspan`/`colspan` expanded, footnotes
/// marked `*` appended), with the headings above as context: a heading names
/// the kind ("Nos groupes de parole") or the city ("NICE") of the items under
/// it. Dated sessions written as prose under a heading (a Prospect paragraph)
/// become sessions; the page's own organisation (its contact block) becomes a
/// listing too. Options: `items` and `table` (XPath, or a simple CSS selector
/// such as `ul.gem > li`) to choose the items, `item_separator`, `headings: false`.
struct HTMLReader: FormatReader {
    var format: SourceFormat { .html }
    var options: [String] { ["items", "table", "item_separator", "headings", "season"] }
    /// `fields:` names the table columns of languages and accessibility (`languages: Langues parlées`).
    var takesFieldMapping: Bool { true }

    func read(_ payload: Payload, _ ctx: ReaderContext) throws -> ReadResult {
        guard let docData = payload.documents.first else { return ReadResult() }
        let text = try self.text(docData, ctx)
        guard let doc = HTMLDocument(bytes: Array(text.utf8), url: docData.url) else {
            throw ReadError("\(docData.url) : page HTML illisible")
        }
        var page = PageReader(doc: doc, ctx: ctx)
        return page.read()
    }
}

/// Converts a simple CSS selector (`tag`, `.class`, `#id`, descendant and `>` child) to XPath.
enum SimpleSelector {
    static func xpath(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("/") || t.hasPrefix("(") { return t }
        var out = ""
        var child = false
        for part in t.split(separator: " ") {
            if part == ">" { child = true; continue }
            out += child ? "/" : "//"
            child = false
            var tag = "*"
            var preds: [String] = []
            var cur = ""
            var mode: Character = "t"
            func flush() {
                switch mode {
                case "t": if !cur.isEmpty { tag = cur }
                case ".": preds.append("contains(concat(' ', normalize-space(@class), ' '), ' \(cur) ')")
                case "#": preds.append("@id='\(cur)'")
                default: break
                }
                cur = ""
            }
            for c in part {
                if c == "." || c == "#" { flush(); mode = c } else { cur.append(c) }
            }
            flush()
            out += tag + preds.map { "[\($0)]" }.joined()
        }
        return out
    }
}

struct PageReader {
    let doc: HTMLDocument
    let ctx: ReaderContext
    var result = ReadResult()
    var normalizer: RecordNormalizer { ctx.normalizer }
    var gazetteer: Gazetteer { ctx.normalizer.data.gazetteer }

    init(doc: HTMLDocument, ctx: ReaderContext) {
        self.doc = doc
        self.ctx = ctx
    }

    static let chrome = "ancestor-or-self::*[self::nav or self::header or self::footer or self::aside or self::form or self::select or self::script or self::style or self::noscript or @role='navigation' or @role='banner' or @role='contentinfo' or @role='dialog' or contains(@class,'cookie') or contains(@id,'cookie') or contains(@class,'breadcrumb') or contains(@class,'fil-ariane') or contains(@class,'menu') or contains(@class,'topbar')]"

    /// A section of the page: the headings above, the paragraphs under them.
    struct Context {
        var h2: String?
        var h3: String?
        var intro: [String] = []
        var h2Kind: Kind?
    }

    struct Owner {
        var record: RawRecord
        var kind: Kind
    }

    mutating func read() -> ReadResult {
        let m = ctx.manifest
        let title = Text.clean(doc.select("//title").first?.text ?? "")
        let main = doc.select("//main").first ?? doc.select("//*[@role='main']").first ?? doc.select("//body").first ?? doc.root
        guard let main else { return result }
        let owner = findOwner(main: main, title: title)
        if let owner { result.records.append(owner.record) }

        if let itemsSel = m.option("items") {
            let xp = SimpleSelector.xpath(itemsSel)
            for (i, li) in doc.select(xp).enumerated() {
                let ctxHeadings = headings(before: li)
                if let r = freeTextRecord(li.textWithBreaks, item: "élément \(i + 1)", context: ctxHeadings, owner: owner) { result.records.append(r) }
            }
        }
        if let tableSel = m.option("table") {
            for (i, table) in doc.select(SimpleSelector.xpath(tableSel)).enumerated() {
                readTable(table, index: i + 1, context: headings(before: table), owner: owner)
            }
        }
        if m.option("items") != nil || m.option("table") != nil { return result }

        // Default: walk the main content in order.
        var context = Context()
        var listIndex = 0
        var tableIndex = 0
        var pendingSessions: [(RawRecord, Int)] = []
        let nodes = main.select(".//*[self::h1 or self::h2 or self::h3 or self::h4 or self::ul or self::ol or self::table or self::p][not(\(Self.chrome))]")
        for node in nodes {
            // Nested lists and paragraphs inside lists or tables are read with their container.
            if !node.select("ancestor::table").isEmpty { continue }
            if node.name == "p", !node.select("ancestor::li").isEmpty { continue }
            if (node.name == "ul" || node.name == "ol"), !node.select("ancestor::ul | ancestor::ol").isEmpty { continue }
            switch node.name {
            case "h1":
                context = Context()
            case "h2":
                context = Context(h2: Text.clean(node.text))
                context.h2Kind = normalizer.classify(context.h2)
            case "h3", "h4":
                context.h3 = Text.clean(node.text)
            case "p":
                let text = Text.squeeze(node.text)
                if !node.select("parent::ul | parent::ol").isEmpty { continue }  // a stray <p> in a list: read with the list
                // Dated sessions in prose (a Prospect paragraph).
                let clauses = FrenchDates.clauses(in: text, today: ctx.today)
                if !clauses.isEmpty, clauses.contains(where: { $0.start != nil }) || context.h2Kind == .atelier_prospect {
                    for (k, c) in clauses.enumerated() {
                        if let r = sessionRecord(c, clauseIndex: k, paragraph: text, context: context, owner: owner) {
                            pendingSessions.append((r, result.records.count))
                            result.records.append(r)
                        }
                    }
                    continue
                }
                // A registration paragraph right after sessions gives their contact and fee.
                if !pendingSessions.isEmpty, Text.fold(text).contains("inscription") || !PhoneNumber.extract(text).numbers.isEmpty {
                    let phones = PhoneNumber.extract(text).numbers
                    let emails = EmailAddress.extract(text).emails
                    let fee = text.range(of: #"(?i)participation[^:]*:\s*[^.]+"#, options: .regularExpression).map { String(text[$0]) }
                    for (_, index) in pendingSessions {
                        result.records[index].phones += phones
                        result.records[index].emails += emails
                        if let fee { result.records[index].fees = fee }
                        if !result.records[index].sessions.isEmpty {
                            result.records[index].sessions[0].registration = [phones.first, emails.first].compactMap { $0 }.joined(separator: " ou ")
                            result.records[index].sessions[0].price = fee
                        }
                    }
                    pendingSessions = []
                    continue
                }
                context.intro.append(text)
            case "ul", "ol":
                listIndex += 1
                readList(node, index: listIndex, context: context, owner: owner)
            case "table":
                tableIndex += 1
                readTable(node, index: tableIndex, context: context, owner: owner)
            default:
                break
            }
        }
        return result
    }

    /// Headings above a node (for custom item selectors).
    func headings(before node: HTMLNode) -> Context {
        var c = Context()
        c.h2 = node.select("preceding::h2[1]").first.map { Text.squeeze($0.text) }
        c.h3 = node.select("preceding::h3[1]").first.map { Text.squeeze($0.text) }
        c.h2Kind = normalizer.classify(c.h2)
        return c
    }

    // MARK: The page's own organisation

    func findOwner(main: HTMLNode, title: String?) -> Owner? {
        // A contact block: a paragraph with a phone or e-mail and an address, in the
        // main content; or a footer block with its own heading (a delegation's contacts).
        var candidates: [(name: String?, text: String)] = []
        for p in main.select(".//p[not(ancestor::li) and not(ancestor::table) and not(\(Self.chrome))]") {
            let t = Text.squeeze(p.text)
            let f = Text.fold(t)
            if f.hasPrefix("adresse") || (t.range(of: #"\b\d{5}\s+\p{Lu}"#, options: .regularExpression) != nil && !PhoneNumber.extract(t).numbers.isEmpty) {
                candidates.append((nil, t))
            }
        }
        for block in doc.select("//footer//*[(self::div or self::section) and (h2 or h3)]") {
            let heading = block.select("./h2 | ./h3").first.map { Text.squeeze($0.text) }
            let t = Text.squeeze(block.select("./p").map(\.text).joined(separator: " "))
            if !PhoneNumber.extract(t).numbers.isEmpty || !EmailAddress.extract(t).emails.isEmpty, normalizer.classify(heading) != nil {
                candidates.append((heading, t))
            }
        }
        guard let c = candidates.first else { return nil }
        var r = RawRecord(item: "organisation de la page")
        r.name = c.name ?? title ?? Text.clean(doc.select("//h1").first?.text ?? "")
        // Phones, without the switchboard ("Standard : …").
        let withoutSwitchboard = c.text.replacingOccurrences(of: #"(?i)standard\s*:?\s*[\d\s.]+"#, with: "", options: .regularExpression)
        r.phones = [withoutSwitchboard]
        r.emails = [withoutSwitchboard]
        let addressSource = withoutSwitchboard.replacingOccurrences(of: #"(?i)^adresse\s*:\s*"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: " – ", with: ", ")
        if let pc = addressSource.range(of: #"\b\d{5}\s+[\p{Lu}][\p{L}\-' ]+"#, options: .regularExpression) {
            let upto = String(addressSource[..<pc.upperBound])
            let start = upto.components(separatedBy: ". ").last ?? upto
            r.addressText = start
        }
        if Text.fold(c.text).contains("sur rendez vous") { r.hoursText = "sur rendez-vous" }
        // The hours sentence of the page ("Horaires : … tous les jours de la semaine de 9h à 17h").
        for p in main.select(".//p[not(ancestor::li) and not(ancestor::table)]") {
            let t = Text.squeeze(p.text)
            let f = " " + Text.fold(t) + " "
            guard [" horaires ", " accueil ", " ouvert ", " ouverte ", " ouverture "].contains(where: f.contains) else { continue }
            for sentence in t.components(separatedBy: ". ") {
                let reading = FrenchSchedule.read(sentence.replacingOccurrences(of: #"^(?i)horaires\s*:\s*"#, with: "", options: .regularExpression))
                if reading.schedule != nil {
                    r.hoursText = sentence
                    break
                }
            }
            if r.hoursText != nil && r.hoursText != "sur rendez-vous" { break }
        }
        let kind = normalizer.classify(r.name) ?? normalizer.classify(title) ?? ctx.manifest.kind ?? .association_usagers
        r.kind = kind
        if r.addressText == nil, let name = r.name {
            // "Délégation des Alpes-Maritimes": the département named in the organisation's name.
            let f = " " + Text.fold(name) + " "
            if let dep = gazetteer.departements.values.first(where: { f.contains(" " + Text.fold($0.name) + " ") }) {
                r.flags.append(Flag("area_only", field: "address", "Pas d’adresse : placé au centre du département \(dep.name)."))
                r.departementHint = dep.code
            }
        }
        r.id = r.id ?? "page-owner"
        return Owner(record: r, kind: kind)
    }

    // MARK: Lists

    mutating func readList(_ list: HTMLNode, index: Int, context: Context, owner: Owner?) {
        let items = list.children.filter { $0.isElement && ($0.name == "li" || $0.name == "p") }
        let lis = items.filter { $0.name == "li" }
        // Menus: short link-only items.
        let linky = lis.filter { li in !li.select(".//a").isEmpty && Text.squeeze(li.text).count < 40 }
        if lis.isEmpty || linky.count * 2 > lis.count { return }
        var pendingNote: String?
        var itemNumber = 0
        for node in items {
            if node.name == "p" {
                // A stray paragraph between items describes the next one.
                pendingNote = Text.squeeze(node.text)
                continue
            }
            itemNumber += 1
            if var r = freeTextRecord(node.textWithBreaks, item: "liste \(index), élément \(itemNumber)", context: context, owner: owner) {
                if let note = pendingNote {
                    r.audienceText = [r.audienceText, note].compactMap { $0 }.joined(separator: " ")
                    pendingNote = nil
                }
                result.records.append(r)
            }
        }
    }

    static let dashSeparators = [" - ", " – ", " — ", " -\n", " –\n", "\n"]

    /// "GEM X - 14 rue Y - 06000 Nice - Tél. … - x [at] y [dot] fr" → fields.
    /// Labels that introduce languages or accessibility in free text, folded.
    static let accessLabels: [(String, String)] = [
        ("langues parlees", "languages"), ("langues d accueil", "languages"), ("langues", "languages"), ("langue", "languages"),
        ("accessibilite", "accessibility"), ("acces pmr", "accessibility"), ("acces handicapes", "accessibility"),
    ]

    /// A segment « Label : value » whose label names languages or accessibility.
    static func labelledAccess(_ seg: String) -> (field: String, value: String)? {
        guard let colon = seg.firstIndex(of: ":") else { return nil }
        let label = Text.fold(String(seg[..<colon]))
        guard let field = accessLabels.first(where: { $0.0 == label })?.1 else { return nil }
        let value = seg[seg.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : (field, value)
    }

    func freeTextRecord(_ raw: String, item: String, context: Context, owner: Owner?) -> RawRecord? {
        var text = raw.replacingOccurrences(of: "\u{A0}", with: " ")
        let sep = ctx.manifest.option("item_separator")
        var segments: [String] = [text]
        for s in (sep.map { [$0, "\n"] } ?? Self.dashSeparators) {
            segments = segments.flatMap { $0.components(separatedBy: s) }
        }
        segments = segments.map { Text.squeeze($0).trimmingCharacters(in: CharacterSet(charactersIn: " -–—,")) }.filter { !$0.isEmpty }
        guard !segments.isEmpty else { return nil }
        text = segments.joined(separator: " - ")
        var r = RawRecord(item: item)
        var rest: [String] = []
        var nameSet = false
        for (i, seg) in segments.enumerated() {
            let f = " " + Text.fold(seg) + " "
            let phones = PhoneNumber.extract(seg)
            let emails = EmailAddress.extract(seg)
            let hasPostal = seg.range(of: #"(^|\s)\d{5}\s+\p{L}"#, options: .regularExpression) != nil
            let reading = FrenchSchedule.read(seg)
            let looksLikeHours = reading.schedule != nil || f.contains(" chaque mois ") || f.contains(" par mois ") || f.contains(" du mois ")
                || (FrenchSchedule.mentionsWeekday(seg) && seg.count < 160)
            // « Langues parlées : français, arabe », « Accessibilité : plain-pied, boucle magnétique ».
            if let (field, value) = Self.labelledAccess(seg) {
                if field == "languages" { r.languages.append(value) } else { r.accessibilityText = [r.accessibilityText, value].compactMap { $0 }.joined(separator: ", ") }
                continue
            }
            if i == 0 && !looksLikeHours && phones.numbers.isEmpty && emails.emails.isEmpty && !hasPostal {
                r.name = seg
                nameSet = true
                continue
            }
            if !phones.numbers.isEmpty || f.hasPrefix(" tel ") || f.contains(" tel ") {
                r.phones.append(seg)
                if !emails.emails.isEmpty || !emails.invalid.isEmpty || seg.contains("[dot]") { r.emails.append(seg) }
                continue
            }
            if !emails.emails.isEmpty || !emails.invalid.isEmpty || seg.contains("[at]") || seg.contains("[dot]") {
                r.emails.append(seg)
                continue
            }
            if looksLikeHours {
                r.hoursText = [r.hoursText, seg].compactMap { $0 }.joined(separator: " ")
                continue
            }
            if hasPostal {
                let parts = AddressText.split(seg)
                r.postalCode = parts.postalCode
                r.commune = parts.commune
                if let s = parts.street { r.street = s }
                if let c = parts.complement { r.complement = [r.complement, c].compactMap { $0 }.joined(separator: ", ") }
                continue
            }
            if seg.first?.isNumber == true || AddressText.isStreet(seg) || seg.contains(",") {
                let pieces = seg.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                if let s = pieces.last(where: { $0.first?.isNumber == true || AddressText.isStreet($0) }) {
                    r.street = s
                    let others = pieces.filter { $0 != s }
                    if !others.isEmpty { r.placeName = others.joined(separator: ", ") }
                } else if r.placeName == nil {
                    r.placeName = seg
                }
                continue
            }
            rest.append(seg)
        }
        // Kind: the section heading, else the item's own words, else the manifest.
        let headingKind = context.h2Kind
        let itemKind = normalizer.classify(r.name)
        r.kind = (ctx.manifest.option("headings") == "false" ? nil : headingKind) ?? itemKind ?? ctx.manifest.kind
        r.kindHint = context.h2
        // The city heading over the items.
        if r.postalCode == nil && r.commune == nil, let h3 = context.h3 {
            if case .point = gazetteer.lookup(h3), let c = gazetteer.communes(named: h3).first {
                r.commune = c.name
            } else if !gazetteer.communes(named: h3).isEmpty {
                r.commune = gazetteer.communes(named: h3).first?.name
            }
        }
        if !nameSet {
            // An item that starts with its hours ("un groupe le dernier jeudi…"): name it from its section.
            let kindLabel = r.kind.map { normalizer.data.taxonomy.label(of: $0) } ?? context.h2 ?? "Ressource"
            let city = r.commune ?? context.h3.map { $0.capitalized }
            r.name = [kindLabel, city].compactMap { $0 }.joined(separator: " – ")
            r.description = text
            r.id = Text.hash(r.name ?? "", text)
            r.organization = owner?.record.name
        }
        // Section context: season ("d'octobre à juin"), eligibility ("accessibles après un premier accueil"), audience.
        let intro = context.intro.joined(separator: " ")
        if let season = FrenchSchedule.season(in: intro), let hours = r.hoursText {
            r.hoursText = hours
            r.seasonMonths = season
        }
        if let sentence = intro.components(separatedBy: ". ").first(where: { Text.fold($0).contains("accessible") || Text.fold($0).contains("sur inscription") }) {
            r.eligibility = sentence.trimmingCharacters(in: CharacterSet(charactersIn: " ."))
        }
        if let owner, owner.kind == .association_familles, r.kind == .groupe_parole || r.kind == .atelier_prospect {
            r.audiences = [.proche]
        }
        if !rest.isEmpty && r.description == nil {
            r.description = nil  // promotional lines ("Consultez notre bulletin") are not kept
        }
        return r
    }

    // MARK: Prose sessions

    func sessionRecord(_ c: FrenchDates.DatedClause, clauseIndex: Int, paragraph: String, context: Context, owner: Owner?) -> RawRecord? {
        guard let first = c.dates.min(), let last = c.dates.max() else { return nil }
        let occurrences = c.dates.sorted().map { d in
            Occurrence(start: LocalDateTime(date: d, minutes: c.start ?? 0), end: c.end.map { LocalDateTime(date: d, minutes: $0) }, allDay: c.start == nil)
        }
        let ended = (occurrences.last?.end ?? LocalDateTime(date: last, minutes: 1439)) < ctx.nowLocal
        if ended { return nil }
        _ = first
        var r = RawRecord(item: "session \(clauseIndex + 1) : \(c.city ?? "")")
        let kind = context.h2Kind ?? ctx.manifest.kind ?? .atelier_prospect
        r.kind = kind
        let label = context.h2 ?? normalizer.data.taxonomy.label(of: kind)
        r.name = [label, c.city].compactMap { $0 }.joined(separator: " – ")
        r.id = Text.hash(r.name ?? "", first.description)
        r.commune = c.city
        if let place = c.place {
            let parts = place.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if let s = parts.last(where: { $0.first?.isNumber == true || AddressText.isStreet($0) }) {
                r.street = s
                r.placeName = parts.filter { $0 != s }.joined(separator: ", ")
            } else {
                r.placeName = place
            }
        }
        r.organization = owner?.record.name
        if owner?.kind == .association_familles || kind == .atelier_prospect { r.audiences = [.proche] }
        r.description = context.intro.first
        r.sessions = [Session(key: r.id!, title: r.name!, occurrences: occurrences, placeName: r.placeName)]
        if c.full { r.flags.append(Flag("session_full", field: "sessions", "Session complète.")) }
        return r
    }

    // MARK: Tables

    mutating func readTable(_ table: HTMLNode, index: Int, context: Context, owner: Owner?) {
        // Expand the grid: rowspan and colspan copy a cell into the rows and columns it covers.
        let rows = table.select(".//tr")
        var grid: [[String]] = []
        var carry: [Int: (text: String, left: Int)] = [:]
        var headerRow: [String]?
        for tr in rows {
            var cells: [String] = []
            var col = 0
            let tds = tr.children.filter { $0.isElement && ($0.name == "td" || $0.name == "th") }
            let isHeader = !tds.isEmpty && tds.allSatisfy { $0.name == "th" }
            var k = 0
            while k < tds.count || carry[col] != nil {
                if let c = carry[col] {
                    cells.append(c.text)
                    carry[col] = c.left > 1 ? (c.text, c.left - 1) : nil
                    col += 1
                    continue
                }
                let td = tds[k]
                k += 1
                let t = Text.squeeze(td.text)
                // Clamped as browsers do (HTML: colspan ≤ 1000, rowspan ≤ 65534): colspan="2000000000"
                // would otherwise fill memory.
                let rs = min(Int(td.attribute("rowspan") ?? "1") ?? 1, 65534)
                let cs = min(max(1, Int(td.attribute("colspan") ?? "1") ?? 1), 1000)
                for _ in 0..<cs {
                    cells.append(t)
                    if rs > 1 { carry[col] = (t, rs - 1) }
                    col += 1
                }
            }
            if isHeader && headerRow == nil { headerRow = cells } else { grid.append(cells) }
        }
        guard var header = headerRow ?? (grid.isEmpty ? nil : grid.removeFirst()) else { return }
        header = header.map { Text.fold($0) }
        func column(_ names: [String]) -> Int? { header.firstIndex { h in names.contains { h == $0 || h.hasPrefix($0 + " ") } } }
        let nameCol = column(["association", "nom", "structure", "organisme", "groupe", "ressource"]) ?? 0
        let daysCol = column(["jours", "jour", "dates", "date", "frequence", "quand"])
        let hoursCol = column(["horaires", "heures", "horaire", "heure"])
        let contactCol = column(["salle", "contact", "lieu", "salle contact", "telephone"])
        let addressCol = column(["adresse"])
        // Columns the manifest names (`fields: {languages: "Langues parlées"}`), else the usual headings.
        func mapped(_ field: String, _ usual: [String]) -> Int? {
            if let explicit = ctx.manifest.fields[field] { return header.firstIndex(of: Text.fold(explicit)) }
            return column(usual)
        }
        let languagesCol = mapped("languages", ["langues parlees", "langues", "langue"])
        let accessCol = mapped("accessibility", ["accessibilite", "acces pmr", "accessibilite pmr"])
        // Footnotes after the table ("* sauf en juillet et en août").
        let notes = table.select("following-sibling::p[position() <= 3]").map { Text.squeeze($0.text) }.filter { $0.hasPrefix("*") }
        let tableKind = normalizer.classify(Text.clean(table.select(".//caption").first?.text ?? "")) ?? context.h2Kind
        for (i, row) in grid.enumerated() {
            guard row.count > nameCol, !row[nameCol].isEmpty else {
                if row.contains(where: { !$0.isEmpty }) {
                    result.issues.append(RunIssue(item: "tableau \(index), ligne \(i + 1)", field: "name", reason: "missing name (nom absent)", severity: .rejected))
                }
                continue
            }
            var r = RawRecord(item: "tableau \(index), ligne \(i + 1)")
            r.name = row[nameCol]
            var hours = [daysCol, hoursCol].compactMap { $0 }.filter { $0 < row.count }.map { row[$0] }.joined(separator: " ")
            if hours.contains("*"), let note = notes.first {
                hours = hours.replacingOccurrences(of: "*", with: "") + " " + note.dropFirst().trimmingCharacters(in: .whitespaces)
            }
            r.hoursText = Text.clean(hours)
            if let cc = contactCol, cc < row.count {
                let cell = row[cc]
                let phones = PhoneNumber.extract(cell).numbers
                let emails = EmailAddress.extract(cell)
                if !phones.isEmpty { r.phones = [cell] }
                if !emails.emails.isEmpty || !emails.invalid.isEmpty { r.emails = [cell] }
                let room = cell.components(separatedBy: CharacterSet(charactersIn: "–:")).first?.trimmingCharacters(in: .whitespaces) ?? cell
                if phones.isEmpty && emails.emails.isEmpty { r.placeName = cell } else if !room.isEmpty && PhoneNumber.extract(room).numbers.isEmpty && EmailAddress.extract(room).emails.isEmpty { r.placeName = room }
            }
            if let ac = addressCol, ac < row.count { r.addressText = row[ac] }
            if let lc = languagesCol, lc < row.count, !row[lc].isEmpty { r.languages = [row[lc]] }
            if let xc = accessCol, xc < row.count, !row[xc].isEmpty { r.accessibilityText = row[xc] }
            r.kind = tableKind ?? normalizer.classify(r.name) ?? ctx.manifest.kind
            r.kindHint = context.h2
            // Rows of a host's timetable take place at the host.
            if let owner, r.addressText == nil {
                r.addressText = owner.record.addressText
                r.latitude = owner.record.latitude
                r.longitude = owner.record.longitude
                if let room = r.placeName { r.placeName = "\(owner.record.name ?? "") – \(room)" } else { r.placeName = owner.record.name }
            }
            r.id = Text.hash(r.name ?? "", r.hoursText ?? "")
            result.records.append(r)
        }
    }
}

extension SourceFormat {
    public static let html = SourceFormat("html")
}
