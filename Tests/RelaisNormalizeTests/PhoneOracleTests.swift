import Foundation
import RelaisNormalize
import RelaisTestSupport
import Testing

/// Relais's phone numbers against libphonenumber (PyPI `phonenumbers`): the E.164 reading of
/// every raw text, and the national format shown on pages and in the CLI.
@Suite struct PhoneOracleTests {
    /// The territory a national number belongs to, as libphonenumber needs it to read it. A
    /// national number alone does not always say it (06 39 7x is a Mayotte mobile for a
    /// Mayotte listing, a metropolitan one elsewhere): the same blocks as Relais's reading.
    static func region(_ raw: String) -> String {
        let d = raw.filter(\.isNumber)
        for (prefix, region) in [("0262", "RE"), ("0263", "RE"), ("0692", "RE"), ("0693", "RE"), ("0269", "YT"),
                                 ("06390", "YT"), ("06391", "YT"), ("06392", "YT"), ("06393", "YT"), ("06394", "YT"), ("06395", "YT"), ("06396", "YT"),
                                 ("0590", "GP"), ("0690", "GP"), ("0691", "GP"), ("0594", "GF"), ("0694", "GF"), ("0596", "MQ"), ("0696", "MQ")]
        where d.hasPrefix(prefix) { return region }
        return "FR"
    }

    /// Every run of a phone shape in the public fixtures, plus generated writings of many numbers.
    static func corpus() -> [String] {
        var out: [String] = []
        if SharedData.available, let files = FileManager.default.enumerator(at: SharedData.url("fixtures"), includingPropertiesForKeys: nil) {
            for case let url as URL in files where ["csv", "json", "html", "ics"].contains(url.pathExtension) {
                guard let data = FileManager.default.contents(atPath: url.path), data.count < 1_000_000 else { continue }
                out += PhoneNumber.candidates(in: String(decoding: data, as: UTF8.self)).filter { $0.hasPrefix("0") || $0.hasPrefix("+") }
            }
        }
        var rng = SeededRandom(seed: 33)
        let prefixes = ["01", "02", "03", "04", "05", "06", "07", "09", "0800", "0805", "0809", "0810", "0811", "0820", "0262", "0692", "0590", "0690",
                        "0594", "0596", "0696", "0269", "0639"]
        for _ in 0..<400 {
            let p = prefixes[Int(rng.next() % UInt64(prefixes.count))]
            var digits = p
            while digits.count < 10 { digits += String(rng.next() % 10) }
            let pairs = stride(from: 0, to: 10, by: 2).map { i in String(digits.dropFirst(i).prefix(2)) }
            switch rng.next() % 6 {
            case 0: out.append(pairs.joined(separator: " "))
            case 1: out.append(pairs.joined(separator: "."))
            case 2: out.append(pairs.joined(separator: "-"))
            case 3: out.append(digits)
            case 4: out.append("+33 (0)" + String(digits.dropFirst()))
            default: out.append("00 33 " + String(digits.dropFirst()))
            }
        }
        return out
    }

    @Test func e164AndNationalFormatAgreeWithLibphonenumber() throws {
        guard let py = Oracle.python() else { return }
        let raws = Self.corpus()
        // "+33 (0)…" and "00 33 …" are international writings: libphonenumber reads them whatever the region.
        let input = raws.map { "\($0)\t\(Self.region($0))" }.joined(separator: "\n") + "\n"
        let answers = try Oracle.run(py, script: Oracle.script("oracle-phone.py"), input: input).split(separator: "\n").map(String.init)
        try #require(answers.count == raws.count)
        var compared = 0
        var disagreements: [String] = []
        for (raw, answer) in zip(raws, answers) where answer != "INVALID" {
            let parts = answer.split(separator: "\t").map(String.init)
            guard parts.count == 2 else { continue }
            // International writings of an overseas number are read by libphonenumber as French (+33): skip those.
            if raw.hasPrefix("+33") || raw.hasPrefix("00 33"), Self.region("0" + raw.filter(\.isNumber).dropFirst(2)) != "FR" { continue }
            compared += 1
            let mine = PhoneNumber.e164(raw)
            if mine != parts[0] { disagreements.append("\(raw): Relais \(mine ?? "nil"), libphonenumber \(parts[0])") }
            if let mine, PhoneNumber.national(mine) != parts[1] { disagreements.append("\(raw): shown « \(PhoneNumber.national(mine)) », libphonenumber « \(parts[1]) »") }
        }
        print("phone oracle: \(compared) numbers compared, \(disagreements.count) disagreements")
        #expect(compared > 300)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func nationalFormats() {
        #expect(PhoneNumber.national("+33142630303") == "01 42 63 03 03")
        #expect(PhoneNumber.national("+262262994127") == "0262 99 41 27")
        #expect(PhoneNumber.national("+33800235236") == "0 800 23 52 36")
        #expect(PhoneNumber.national("3114") == "3114")
        #expect(PhoneNumber.national("+32470123456") == "+32470123456")
    }
}
