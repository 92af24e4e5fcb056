import Foundation
import RelaisFuzz
import Testing

/// Every input that once crashed a fuzz target, kept under
/// `Fuzz/regressions/<target>/`, replayed through the target in a normal
/// build: a trap ends the test run. Inputs of crashes not fixed yet are listed
/// in `Fuzz/regressions/OPEN` and are not replayed (delete the line with the fix).
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/regressions")

    /// "target/file" of every regression input.
    static let all: [String] = {
        let fm = FileManager.default
        let folders = ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).filter { isDirectory(root.appendingPathComponent($0)) }
        return folders.flatMap { folder in
            ((try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? [])
                .filter { !$0.hasPrefix(".") }.map { "\(folder)/\($0)" }
        }.sorted()
    }()

    /// "target/file" of the crashes still open (first word of each line of OPEN).
    static let open: Set<String> = {
        let text = (try? String(contentsOf: root.appendingPathComponent("OPEN"), encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").compactMap { line in
            line.hasPrefix("#") ? nil : line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init)
        })
    }()

    static func isDirectory(_ url: URL) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &dir) && dir.boolValue
    }

    @Test func foldersAreTargetsAndOpenInputsExist() {
        #expect(!Self.all.isEmpty, "no input under \(Self.root.path)")
        for path in Self.all {
            let target = String(path.prefix { $0 != "/" })
            #expect(FuzzTargets.isKnown(target), "Fuzz/regressions/\(target) is not a fuzz target: \(FuzzTargets.names)")
        }
        for path in Self.open { #expect(Self.all.contains(path), "Fuzz/regressions/OPEN lists \(path), which is not there") }
    }

    @Test(arguments: all.filter { !open.contains($0) })
    func replay(_ path: String) throws {
        let target = String(path.prefix { $0 != "/" })
        try #require(FuzzTargets.isKnown(target))
        let data = try Data(contentsOf: Self.root.appendingPathComponent(path))
        FuzzTargets.run(target, [UInt8](data))
    }

    /// The hand-picked seeds of Fuzz/seeds/ go through their targets too (the harness works).
    @Test func seeds() throws {
        let seeds = Self.root.deletingLastPathComponent().appendingPathComponent("seeds")
        let fm = FileManager.default
        var count = 0
        for target in try fm.contentsOfDirectory(atPath: seeds.path).sorted() where Self.isDirectory(seeds.appendingPathComponent(target)) {
            #expect(FuzzTargets.isKnown(target), "Fuzz/seeds/\(target) is not a fuzz target")
            guard FuzzTargets.isKnown(target) else { continue }
            for file in try fm.contentsOfDirectory(atPath: seeds.appendingPathComponent(target).path).sorted() {
                FuzzTargets.run(target, [UInt8](try Data(contentsOf: seeds.appendingPathComponent(target).appendingPathComponent(file))))
                count += 1
            }
        }
        #expect(count > 0)
    }

    /// Open crashes: they would trap. Run them by deleting their line from OPEN.
    @Test(.disabled("crashes listed in Fuzz/regressions/OPEN, not fixed yet"), arguments: all.filter { open.contains($0) })
    func replayOpen(_ path: String) throws {
        try replay(path)
    }
}
