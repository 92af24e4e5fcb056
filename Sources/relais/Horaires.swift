import ArgumentParser
import Foundation
import RelaisModel
import RelaisNormalize

/// What Relais understands of a French sentence about opening hours.
struct Horaires: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Montre ce que Relais comprend d’une phrase d’horaires (sortie 3 si ce n’est pas un horaire récurrent avec des heures).")

    @Argument(help: "La phrase, par exemple « le 1er et 3e mardi du mois de 14h à 17h ».")
    var text: String

    @ArgumentParser.Flag(help: "Sortie JSON.")
    var json = false

    @Option(help: "Date de départ des prochaines occurrences (AAAA-MM-JJ, par défaut aujourd’hui).")
    var from: String?

    struct Output: Encodable {
        var text: String
        var opening_hours: String?
        var understood: Bool
        var reason: String?
        var flags: [RelaisModel.Flag]
        var rules: [String]
        var days_without_hours: [String]
        var next: [String]
    }

    func run() throws {
        let reading = FrenchSchedule.read(text)
        var next: [String] = []
        let start = from.flatMap { LocalDate(iso: $0) } ?? ParisTime.local(atEpoch: Int(Date().timeIntervalSince1970)).date
        if let s = reading.schedule {
            next = ScheduleEvaluator(s).occurrences(from: start, days: 120).prefix(5).map { ParisTime.iso($0.start) }
        }
        let out = Output(
            text: text, opening_hours: reading.openingHours, understood: reading.schedule != nil, reason: reading.reason, flags: reading.flags,
            rules: reading.schedule?.rules.compactMap { OpeningHours.rrule($0) } ?? [],
            days_without_hours: reading.daysWithoutHours.map { WeekdaySelector.osmNames[$0.weekday - 1] }, next: next)
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try e.encode(out), as: UTF8.self))
        } else if let oh = out.opening_hours {
            print("opening_hours : \(oh)")
            for f in out.flags { print("à noter : \(f.message)") }
            if !next.isEmpty { print("prochaines occurrences : \(next.joined(separator: ", "))") }
        } else {
            print("pas d’horaire récurrent : \(out.reason ?? "")")
            for f in out.flags { print("à noter : \(f.message)") }
        }
        if reading.schedule == nil { throw ExitCode(3) }
    }
}
