import ArgumentParser
import Foundation
import RelaisImport
import RelaisStore

struct Sources: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Liste les sources (manifestes) et leur dernière exécution.")

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "Dossier des manifestes (par défaut Importers/).")
    var manifests: String?

    @ArgumentParser.Flag(help: "Sortie JSON.")
    var json = false

    struct Line: Encodable {
        var id: String
        var title: String
        var format: String
        var url: String
        var schedule: String?
        var enabled: Bool
        var listings: Int
        var last_run: RunRecord?
        var last_success_at: String?
        var last_error: String?
    }

    func run() async throws {
        let ctx = try store.open()
        let manifests = (try? ctx.manifests(in: self.manifests.map { URL(fileURLWithPath: $0) })) ?? []
        let states = Dictionary(try ctx.store.sources().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var lines: [Line] = manifests.map { m in
            let s = states[m.id]
            return Line(id: m.id, title: m.title, format: m.format.rawValue, url: m.url, schedule: m.schedule.description, enabled: m.enabled,
                        listings: s?.listings ?? 0, last_run: s?.lastRun, last_success_at: s?.lastSuccessAt, last_error: s?.lastError)
        }
        for s in states.values where !manifests.contains(where: { $0.id == s.id }) {
            lines.append(Line(id: s.id, title: s.title, format: s.format, url: s.url, schedule: nil, enabled: false, listings: s.listings,
                              last_run: s.lastRun, last_success_at: s.lastSuccessAt, last_error: s.lastError))
        }
        lines.sort { $0.id < $1.id }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try e.encode(lines), as: UTF8.self))
            return
        }
        for l in lines {
            print("\(l.id) — \(l.title) [\(l.format)\(l.enabled ? "" : ", désactivée")] \(l.listings) fiche(s)")
            if let r = l.last_run {
                print("  dernière exécution n° \(r.id) le \(r.startedAt) : \(Import.statusLabel(r.status))\(r.httpStatus.map { " (HTTP \($0))" } ?? "") — +\(r.added) ~\(r.updated) =\(r.unchanged) obsolètes \(r.stale) retirées \(r.removed) rejetées \(r.rejected)")
                if let m = r.message { print("  \(m)") }
            } else {
                print("  jamais exécutée")
            }
        }
    }
}
