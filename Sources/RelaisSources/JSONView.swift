import Foundation
import RelaisModel

/// What a reader reads from a JSON value, whether it comes from a tape (`JSONRef`: an API's
/// pages) or from a tree built in memory (`AnyJSON`: the services a datapackage's CSV tables
/// are joined into). A reader written against it reads both the same way.
protocol JSONView {
    /// An object's member; nil when absent, null, or not an object.
    subscript(key: String) -> Self? { get }
    /// A string, a number as written, or a list's strings joined by « , » (as `JSONPath.string`).
    var string: String? { get }
    /// A number, or a string holding one (decimal comma allowed).
    var double: Double? { get }
    /// An array's elements (none for anything else).
    var elements: [Self] { get }
    /// A list's strings, or a single value's (as `JSONPath.strings`).
    var strings: [String] { get }
}

extension JSONRef: JSONView {
    var string: String? {
        switch kind {
        case .string, .number: return scalarText
        case .array: return elements.compactMap(\.string).joined(separator: ", ")
        default: return nil
        }
    }

    var strings: [String] {
        kind == .array ? elements.compactMap(\.string) : string.map { [$0] } ?? []
    }

    var double: Double? {
        switch kind {
        case .number: return scalarText.flatMap { Double($0) }
        case .string: return scalarText.flatMap { Double($0.replacingOccurrences(of: ",", with: ".")) }
        default: return nil
        }
    }
}

/// A value of Foundation's JSON tree (or of one built the same way).
struct AnyJSON: JSONView {
    let value: Any

    subscript(key: String) -> AnyJSON? {
        guard let v = (value as? [String: Any])?[key], !(v is NSNull) else { return nil }
        return AnyJSON(value: v)
    }

    var string: String? { JSONPath.string(value) }
    var double: Double? { JSONPath.double(value) }
    var strings: [String] { JSONPath.strings(value) }
    var elements: [AnyJSON] { ((value as? [Any]) ?? []).map { AnyJSON(value: $0) } }
}

extension RunIssue {
    /// An element of a page's list of records that is not a JSON object: a row that cannot be read.
    static func notAnObject(_ item: String) -> RunIssue {
        RunIssue(item: item, field: nil, reason: "élément qui n’est pas un objet JSON : rejeté", severity: .rejected)
    }
}
