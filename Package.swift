// swift-tools-version:6.1
import PackageDescription

// Relais — directory and referral service for French mental-health peer support.
// Modules follow the one-way flow: manifest → fetch → read → normalise → merge →
// store → engine → pages/API/CLI. The model, the normalisers and the engine
// import no I/O.

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "relais",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "relais", targets: ["relais"]),
        .executable(name: "relais-fuzz", targets: ["relais-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C libraries from Debian, each behind a tiny shim.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),

        // Pure core.
        .target(name: "RelaisModel", swiftSettings: swiftSettings),
        .target(name: "RelaisNormalize", dependencies: ["RelaisModel"], swiftSettings: swiftSettings),
        .target(name: "RelaisReferral", dependencies: ["RelaisModel", "RelaisNormalize"], swiftSettings: swiftSettings),

        // I/O at the edges.
        .target(
            name: "RelaisFetch",
            dependencies: ["CCurl", "CZlib"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RelaisStore",
            dependencies: [
                "RelaisModel", "RelaisNormalize",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RelaisImport",
            dependencies: [
                "RelaisModel", "RelaisNormalize", "RelaisFetch", "RelaisStore", "CLibXML2", "CZlib",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "RelaisAuth", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        .target(
            name: "RelaisServer",
            dependencies: [
                "RelaisModel", "RelaisNormalize", "RelaisReferral", "RelaisStore", "RelaisImport", "RelaisFetch", "RelaisAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "relais",
            dependencies: [
                "RelaisServer", "RelaisImport", "RelaisStore", "RelaisReferral", "RelaisNormalize", "RelaisModel", "RelaisAuth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "relais-bench",
            dependencies: ["RelaisImport", "RelaisStore", "RelaisReferral", "RelaisNormalize", "RelaisModel", "RelaisServer"],
            swiftSettings: swiftSettings
        ),

        // Fuzzing (scripts/fuzz.sh, `make fuzz`, `make fuzz-short`). FuzzTargets runs one parser
        // on arbitrary bytes; relais-fuzz is its libFuzzer driver. There are no unsafe flags here:
        // the fuzz build passes them on the command line, in its own scratch folder,
        // for the relais-fuzz product only (so Hummingbird, the server and the CLI are not built):
        //   swift build -c release --product relais-fuzz --scratch-path .build-fuzz \
        //     --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address -Xswiftc -DRELAIS_FUZZ
        // `--sanitize fuzzer` stops SwiftPM from renaming the entry point (libFuzzer has main);
        // swiftc keeps the last -sanitize=, hence -Xswiftc -sanitize=fuzzer,address after it.
        // (`--sanitize fuzzer --sanitize address` reaches swiftc in a random order, and some
        // builds then had ASan but no coverage.)
        // With RELAIS_FUZZ the executable has no @main, only LLVMFuzzerTestOneInput, and
        // libFuzzer supplies main; its source is not named main.swift, so SwiftPM already
        // compiles it with -parse-as-library (no unsafeFlags needed). Without it (the normal `swift build`) relais-fuzz is a
        // replay tool: `relais-fuzz TARGET FILE…`. RelaisFuzzTests replays Fuzz/regressions/.
        .target(name: "RelaisFuzz", dependencies: ["RelaisImport", "RelaisNormalize", "RelaisModel"], swiftSettings: swiftSettings),
        .executableTarget(name: "relais-fuzz", dependencies: ["RelaisFuzz"], swiftSettings: swiftSettings),

        // Shared by the test targets: a real HTTP server on 127.0.0.1, paths to ../shared.
        .target(
            name: "RelaisTestSupport",
            dependencies: [
                "RelaisFetch",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Tests: one target per module.
        .testTarget(name: "RelaisAuthTests", dependencies: ["RelaisAuth"]),
        .testTarget(name: "RelaisFuzzTests", dependencies: ["RelaisFuzz"]),
        .testTarget(name: "RelaisNormalizeTests", dependencies: ["RelaisTestSupport", "RelaisNormalize", "RelaisModel"]),
        .testTarget(name: "RelaisFetchTests", dependencies: ["RelaisTestSupport", "RelaisFetch", "CZlib", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "RelaisStoreTests", dependencies: ["RelaisTestSupport", "RelaisStore", "RelaisModel"]),
        .testTarget(
            name: "RelaisImportTests",
            dependencies: ["RelaisTestSupport", "RelaisImport", "RelaisStore", "RelaisModel", "RelaisNormalize", "RelaisFetch", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(name: "RelaisReferralTests", dependencies: ["RelaisTestSupport", "RelaisReferral", "RelaisImport", "RelaisStore", "RelaisModel"]),
        .testTarget(
            name: "RelaisServerTests",
            dependencies: ["RelaisTestSupport", "RelaisServer", "RelaisImport", "RelaisStore", "RelaisFetch", "RelaisModel", "RelaisAuth", .product(name: "Hummingbird", package: "hummingbird")]
        ),
    ]
)
