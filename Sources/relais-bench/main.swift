import Foundation
import RelaisApp
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisReferral
import RelaisSources
import RelaisStore

// Benchmarks (not timed tests: this machine is shared and noisy).
//   relais-bench import [ROWS]      import a generated CSV of ROWS listings (default 50,000) into a new SQLite file
//   relais-bench linearity [BYTES]  every reader and parser at n and 2n bytes of hostile shapes (ratio near 2: linear)
//   relais-bench schedules [ROUNDS] every French schedule sentence of ../shared/scenarios read ROUNDS times (default 200)
//   relais-bench answer DB [Q] [R] the peer's 50 questions (../shared/bench/peer/gen.py) over a store, R rounds: engine and whole answer
//   relais-bench referral [N]       national-scale synthetic directory of N listings (default 100,000): referral latency
//   relais-bench snapshot FILE [R]  reads the index file kept beside a store (relais.sqlite.index) as a start does, R rounds
//   RELAIS_TIMING=1                 prints where an import's time goes (phases, time inside SQLite per statement)
//   RELAIS_BENCH_KEEP=1             keeps the generated CSV and SQLite file of `import`
// Figures go to the README.

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
/// The calling thread's CPU time: what a synchronous step costs, without the moments the
/// machine gave to other processes (a shared machine: wall time mixes both).
func threadCPU() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let args = CommandLine.arguments.dropFirst()
let mode = args.first ?? "all"
let home = try RelaisHome.locate()
let data = try DirectoryData.load(from: home)

/// Communes with a centroid, spread over every département, for realistic addresses.
func sampleCommunes(_ n: Int) -> [Commune] {
    let all = data.gazetteer.communes.filter { !$0.postalCodes.isEmpty && data.gazetteer.parent(of: $0.insee) == nil }
    let step = max(1, all.count / n)
    return stride(from: 0, to: all.count, by: step).map { all[$0] }
}

func benchImport(rows: Int) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("relais-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    // RELAIS_BENCH_KEEP=1 keeps the generated CSV and database, for inspection.
    defer { if ProcessInfo.processInfo.environment["RELAIS_BENCH_KEEP"] == nil { try? FileManager.default.removeItem(at: dir) } else { print("kept \(dir.path)") } }
    let communes = sampleCommunes(3000)
    let hours = ["du lundi au vendredi de 14h à 18h", "Mardi et jeudi 14h-17h", "le 1er et 3e mardi du mois de 18h à 20h", "Mo-Fr 10:00-17:00", "", "sur rendez-vous"]
    var csv = "Nom;Adresse;Code postal;Commune;Téléphone;Courriel;Horaires;Public accueilli\n"
    for i in 0..<rows {
        let c = communes[i % communes.count]
        csv += "GEM Banc d’essai \(i);\(i % 90 + 1) rue de la République;\(c.postalCodes[0]);\(c.name);03 53 01 \(String(format: "%02d %02d", (i / 100) % 100, i % 100));gem\(i)@example.org;\(hours[i % hours.count]);Adultes\n"
    }
    let file = dir.appendingPathComponent("bench.csv")
    try Data(csv.utf8).write(to: file)
    // The app as `relais import` assembles it (the composition root), over the embedded store.
    let ctx = try await RelaisContext.open(db: dir.appendingPathComponent("bench.sqlite").path, home: home)
    let importer = ctx.importer
    let m = Manifest(id: "bench", title: "bench", url: file.absoluteString, format: .csv, kind: .gem)
    let t0 = now()
    let run = await importer.run(m)
    let t1 = now()
    print(String(format: "import %d CSV rows: %.2f s (%.0f rows/s) — status %@, added %d, rejected %d", rows, t1 - t0, Double(rows) / (t1 - t0), run.status.rawValue, run.added, run.rejected))
    // The run returns once committed; its WAL pages are copied into the file in the background.
    try await ctx.store.checkpoint()
    print(String(format: "  … and its WAL checkpoint done: %.2f s", now() - t0))
    // Re-import of the same file, same manifest: the validators say it did not change.
    let t304 = now()
    let same = await importer.run(m)
    print(String(format: "re-import, same file and manifest: %.2f s — status %@", now() - t304, same.status.rawValue))
    // The same payload under another option: read again, every record unchanged, nothing written.
    var m2 = m
    m2.options["encoding"] = "utf-8"
    let t2 = now()
    let again = await importer.run(m2)
    print(String(format: "re-import, same rows under another option (read again): %.2f s — status %@, unchanged %d", now() - t2, again.status.rawValue, again.unchanged))
}

func benchNormalize(rows: Int) async throws {
    let communes = sampleCommunes(3000)
    let hours = ["du lundi au vendredi de 14h à 18h", "Mardi et jeudi 14h-17h", "le 1er et 3e mardi du mois de 18h à 20h", "Mo-Fr 10:00-17:00", "", "sur rendez-vous"]
    var records: [RawRecord] = []
    for i in 0..<rows {
        let c = communes[i % communes.count]
        var r = RawRecord(item: "ligne \(i + 2)")
        r.name = "GEM Banc d’essai \(i)"
        r.street = "\(i % 90 + 1) rue de la République"
        r.postalCode = c.postalCodes[0]
        r.commune = c.name
        r.phones = ["03 53 01 \(String(format: "%02d %02d", (i / 100) % 100, i % 100))"]
        r.emails = ["gem\(i)@example.org"]
        r.hoursText = hours[i % hours.count]
        r.audienceText = "Adultes"
        records.append(r)
    }
    let normalizer = RecordNormalizer(data: data, defaultKind: .gem)
    let memo = RecordNormalizer.Memo()
    let t0 = now()
    var n = 0
    for r in records { if case .listing = normalizer.normalize(r, memo: memo) { n += 1 } }
    let t1 = now()
    print(String(format: "normalise %d records, one core: %.2f s (%.1f µs/record)", n, t1 - t0, (t1 - t0) * 1e6 / Double(rows)))
}

/// Writes a national-scale directory into a SQLite file, through the CSV importer.
func makeDatabase(path: String, rows: Int) async throws {
    let listings = syntheticListings(rows)
    var csv = "Identifiant;Nom;Type;Adresse;Code postal;Commune;Téléphone;Horaires;Latitude;Longitude\n"
    for (i, l) in listings.enumerated() {
        let c = l.content
        let commune = c.point.flatMap { p in data.gazetteer.communes.first { abs($0.centroid.latitude - p.latitude) < 0.02 && abs($0.centroid.longitude - p.longitude) < 0.02 } }
        csv += "\(l.id);\(c.name);\(c.kind.rawValue);\(i % 90 + 1) rue de la Paix;\(commune?.postalCodes.first ?? "");\(commune?.name ?? "");04 65 71 \(String(format: "%02d %02d", (i / 100) % 100, i % 100));\"\(OpeningHours.format(c.schedule) ?? "")\";\(c.point?.latitude ?? 0);\(c.point?.longitude ?? 0)\n"
    }
    let file = URL(fileURLWithPath: path + ".csv")
    try Data(csv.utf8).write(to: file)
    let ctx = try await RelaisContext.open(db: path, home: home)
    let run = await ctx.importer.run(Manifest(id: "synthetic", title: "Annuaire synthétique", url: file.absoluteString, format: .csv, options: ["max_rejected_share": "1"]))
    print("wrote \(run.added) listings to \(path) (\(run.status.rawValue))")
}

/// The French schedule reader over the real sentences of the scenarios, many times.
func benchSchedules(rounds: Int) throws {
    let shared = ProcessInfo.processInfo.environment["SHARED"] ?? "../shared"
    var sentences: [String] = []
    for name in ["schedules.tsv", "schedules-real.tsv"] {
        let text = try String(contentsOfFile: shared + "/scenarios/" + name, encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("phrase\t") {
            if let phrase = line.split(separator: "\t", omittingEmptySubsequences: false).first { sentences.append(String(phrase)) }
        }
    }
    var opened = 0
    let t0 = now()
    for _ in 0..<rounds {
        for s in sentences where FrenchSchedule.read(s).schedule != nil { opened += 1 }
    }
    let t = now() - t0
    let n = rounds * sentences.count
    print(String(format: "French schedule reader: %d sentences × %d rounds in %.2f s — %.1f µs per sentence (%d with a schedule)", sentences.count, rounds, t, t * 1e6 / Double(n), opened / max(rounds, 1)))
}

/// Reading the index file kept beside a store (`relais.sqlite.index`), as a start does.
func benchSnapshot(path: String, rounds: Int) throws {
    for _ in 0..<rounds {
        let t0 = now()
        guard let file = FileManager.default.contents(atPath: path) else { throw RelaisError(.notFound, "\(path) : illisible") }
        let bytes = [UInt8](file)
        let t1 = now()
        guard let tag = IndexSnapshot.tag(of: bytes), let index = IndexSnapshot.decode(bytes, taxonomy: data.taxonomy, tag: tag) else {
            throw RelaisError(.invalid, "\(path) : pas un index")
        }
        let t2 = now()
        print(String(format: "index file: read %.3f s, decoded %.3f s (%d entries)", t1 - t0, t2 - t1, index.count))
    }
}

switch mode {
case "snapshot":
    try benchSnapshot(path: String(args.dropFirst().first ?? "relais.sqlite.index"), rounds: Int(args.dropFirst(2).first ?? "") ?? 3)
case "answer":
    try await benchAnswer(db: String(args.dropFirst().first ?? "relais.sqlite"), questions: String(args.dropFirst(2).first ?? "/tmp/peer-bench/data/questions.json"), rounds: Int(args.dropFirst(3).first ?? "") ?? 20)
case "schedules":
    try benchSchedules(rounds: Int(args.dropFirst().first ?? "") ?? 200)
case "make-db":
    try await makeDatabase(path: String(args.dropFirst().first ?? "synthetic.sqlite"), rows: Int(args.dropFirst(2).first ?? "") ?? 100_000)
case "normalize":
    try await benchNormalize(rows: Int(args.dropFirst().first ?? "") ?? 50_000)
case "import":
    try await benchImport(rows: Int(args.dropFirst().first ?? "") ?? 50_000)
case "linearity":
    try benchLinearity(base: Int(args.dropFirst().first ?? "") ?? 100_000)
case "referral":
    try await benchReferral(listings: Int(args.dropFirst().first ?? "") ?? 100_000)
default:
    try await benchImport(rows: 50_000)
    try await benchReferral(listings: 100_000)
}
