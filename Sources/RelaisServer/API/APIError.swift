import Foundation
import Hummingbird

/// A client error of the JSON API: the status, the parameter at fault and a
/// French message. Never a stack trace.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let parameter: String?
    public let message: String
    public let extra: [String: [String]]

    public init(_ status: HTTPResponse.Status = .badRequest, parameter: String? = nil, _ message: String, extra: [String: [String]] = [:]) {
        self.status = status
        self.parameter = parameter
        self.message = message
        self.extra = extra
    }

    struct Body: Encodable {
        struct E: Encodable {
            var status: Int
            var parameter: String?
            var message: String
            var choices: [String]?
            var valid: [String]?
        }
        var error: E
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(status: Int(status.code), parameter: parameter, message: message, choices: extra["choices"], valid: extra["valid"]))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"relais-admin\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: JSONOutput.encode(body))))
    }
}

/// Reading query parameters with errors that name the parameter.
struct QueryReader {
    let params: [String: String]

    init(_ request: Request) {
        var p: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { p[String(k)] = String(v) }
        params = p
    }

    func string(_ name: String) -> String? {
        guard let v = params[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    func int(_ name: String, default d: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = string(name) else { return d }
        guard let v = Int(raw), range.contains(v) else {
            throw APIError(parameter: name, "Paramètre « \(name) » invalide : « \(raw) » n’est pas un entier entre \(range.lowerBound) et \(range.upperBound).")
        }
        return v
    }

    func double(_ name: String, range: ClosedRange<Double>) throws -> Double? {
        guard let raw = string(name) else { return nil }
        guard let v = Double(raw.replacingOccurrences(of: ",", with: ".")), range.contains(v) else {
            throw APIError(parameter: name, "Paramètre « \(name) » invalide : « \(raw) » n’est pas un nombre entre \(Int(range.lowerBound)) et \(Int(range.upperBound)).")
        }
        return v
    }

    func list(_ name: String) -> [String] {
        (string(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension ByteBuffer {
    init(data: Data) {
        self.init(bytes: [UInt8](data))
    }
}
