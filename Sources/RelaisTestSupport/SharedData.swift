import Foundation

/// Paths to the project and to `../shared` (fixtures, reference data,
/// scenarios), which CI always has beside the project.
public enum SharedData {
    /// The project's root folder.
    public static let projectRoot: URL = {
        // Sources/RelaisTestSupport/SharedData.swift → three levels up.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    public static let root: URL = projectRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// Whether `../shared` is present.
    public static var available: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("fixtures/EXPECTED.md").path)
    }

    public static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    public static func data(_ path: String) throws -> Data { try Data(contentsOf: url(path)) }

    /// For tests gated on `../shared`: prints why they are skipped when it is absent.
    public static func requireShared(_ test: String = #function) -> Bool {
        if available { return true }
        print("◇ skipped \(test): needs ../shared beside the project (fixtures, reference data); CI always has it")
        return false
    }

    /// A new empty temporary folder.
    public static func temporaryDirectory(_ label: String = "relais") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
