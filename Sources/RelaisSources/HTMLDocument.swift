import CLibXML2
import Foundation

/// An HTML page parsed by libxml2's HTML parser (not its XML parser in
/// recovery mode, which drops entities and unquoted attributes), queried with XPath.
final class HTMLDocument {
    private let doc: htmlDocPtr

    init?(bytes: [UInt8], url: String) {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                htmlReadMemory($0, Int32(buf.count), url, "UTF-8", options)
            }
        }
        guard let parsed else { return nil }
        doc = parsed
    }

    deinit { xmlFreeDoc(doc) }

    var root: HTMLNode? { xmlDocGetRootElement(doc).map { HTMLNode(ptr: $0, owner: self) } }

    /// Nodes matching an XPath expression (relative to `context` when given).
    func select(_ xpath: String, in context: HTMLNode? = nil) -> [HTMLNode] {
        guard let ctx = xmlXPathNewContext(doc) else { return [] }
        defer { xmlXPathFreeContext(ctx) }
        if let context { ctx.pointee.node = context.ptr }
        guard let result = xmlXPathEvalExpression(xpath, ctx) else { return [] }
        defer { xmlXPathFreeObject(result) }
        guard let set = result.pointee.nodesetval else { return [] }
        var out: [HTMLNode] = []
        for i in 0..<Int(set.pointee.nodeNr) {
            if let n = set.pointee.nodeTab[i] { out.append(HTMLNode(ptr: n, owner: self)) }
        }
        return out
    }
}

/// A node of an ``HTMLDocument`` (keeps its document alive).
struct HTMLNode {
    let ptr: xmlNodePtr
    let owner: HTMLDocument

    var name: String { ptr.pointee.name.map { String(cString: $0).lowercased() } ?? "" }
    var isElement: Bool { ptr.pointee.type == XML_ELEMENT_NODE }
    var isText: Bool { ptr.pointee.type == XML_TEXT_NODE || ptr.pointee.type == XML_CDATA_SECTION_NODE }

    func attribute(_ name: String) -> String? {
        guard let v = xmlGetProp(ptr, name) else { return nil }
        defer { relais_xml_free(v) }
        return String(cString: v)
    }

    /// Text content, entities decoded (markup in the source text stays text).
    var text: String {
        guard let c = xmlNodeGetContent(ptr) else { return "" }
        defer { relais_xml_free(c) }
        return String(cString: c)
    }

    var children: [HTMLNode] {
        var out: [HTMLNode] = []
        var c = ptr.pointee.children
        while let n = c {
            out.append(HTMLNode(ptr: n, owner: owner))
            c = n.pointee.next
        }
        return out
    }

    /// Text with `<br>` and block boundaries as line breaks.
    var textWithBreaks: String {
        var out = ""
        func walk(_ n: HTMLNode) {
            if n.isText { out += n.text; return }
            guard n.isElement else { return }
            if ["script", "style", "noscript"].contains(n.name) { return }
            if n.name == "br" { out += "\n"; return }
            let block = ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "section", "article"].contains(n.name)
            if block { out += "\n" }
            for c in n.children { walk(c) }
            if block { out += "\n" }
        }
        walk(self)
        return out
    }

    func select(_ xpath: String) -> [HTMLNode] { owner.select(xpath, in: self) }
}
