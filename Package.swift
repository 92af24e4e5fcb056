// swift-tools-version:6.1
import PackageDescription

// Relais — directory and referral service for French mental-health peer support.
// Modules follow the one-way flow (ARCHITECTURE.md): manifest → fetch → read → normalise →
// merge → store → engine → pages/API/CLI. The core (model, normalisers, merge, engine)
// imports no I/O; every consumer holds the store's protocols, never a backend's type.

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
        .systemLibrary(name: "CDeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // The pure core: values, parsers, the merge, the referral engine. No I/O.
        .target(name: "RelaisModel", swiftSettings: swiftSettings),
        .target(name: "RelaisNormalize", dependencies: ["RelaisModel"], swiftSettings: swiftSettings),
        .target(name: "RelaisMerge", dependencies: ["RelaisModel", "RelaisNormalize"], swiftSettings: swiftSettings),
        .target(name: "RelaisReferral", dependencies: ["RelaisModel", "RelaisNormalize"], swiftSettings: swiftSettings),

        // The edges: fetching, reading sources, storing.
        .target(name: "RelaisFetch", dependencies: ["CCurl", "CZlib"], swiftSettings: swiftSettings),
        .target(
            name: "RelaisSources",
            dependencies: [
                "RelaisModel", "RelaisNormalize", "RelaisMerge", "RelaisFetch", "CLibXML2", "CZlib",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "RelaisStore", dependencies: ["RelaisModel", "RelaisMerge", "RelaisNormalize"], swiftSettings: swiftSettings),
        .target(
            name: "RelaisStoreSQLite",
            dependencies: [
                "RelaisStore", "RelaisModel", "RelaisNormalize", "RelaisMerge",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The same protocols on PostgreSQL (several instances, one database), through libpq.
        .target(
            name: "RelaisStorePostgres",
            dependencies: ["RelaisStore", "RelaisModel", "RelaisNormalize", "RelaisMerge", "CLibPQ"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RelaisImport",
            dependencies: [
                "RelaisSources", "RelaisStore", "RelaisMerge", "RelaisFetch", "RelaisModel", "RelaisNormalize",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "RelaisAuth", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),

        // The composition root and the use cases (referral, sessions, admin actions, editing).
        .target(
            name: "RelaisApp",
            dependencies: [
                "RelaisImport", "RelaisSources", "RelaisStore", "RelaisStoreSQLite", "RelaisStorePostgres", "RelaisReferral", "RelaisMerge", "RelaisAuth",
                "RelaisFetch", "RelaisModel", "RelaisNormalize",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP: the API, the pages, the admin.
        .target(
            name: "RelaisServer",
            dependencies: [
                "RelaisApp", "RelaisModel", "RelaisNormalize", "RelaisReferral", "RelaisStore", "RelaisImport", "RelaisSources", "RelaisMerge",
                "RelaisAuth", "CDeflate",
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
                "RelaisApp", "RelaisServer", "RelaisImport", "RelaisSources", "RelaisStore", "RelaisReferral", "RelaisNormalize", "RelaisModel",
                "RelaisAuth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "relais-bench",
            dependencies: ["RelaisApp", "RelaisImport", "RelaisSources", "RelaisStore", "RelaisStoreSQLite", "RelaisReferral", "RelaisNormalize", "RelaisModel", "RelaisServer"],
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
        .target(name: "RelaisFuzz", dependencies: ["RelaisSources", "RelaisNormalize", "RelaisReferral", "RelaisModel", "RelaisApp"], swiftSettings: swiftSettings),
        .executableTarget(name: "relais-fuzz", dependencies: ["RelaisFuzz"], swiftSettings: swiftSettings),

        // Shared by the test targets: a real HTTP server on 127.0.0.1, paths to ../shared, oracles.
        .target(
            name: "RelaisTestSupport",
            dependencies: [
                "RelaisFetch",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The store's contract: one suite every backend must pass (the SQLite tests run it).
        .target(
            name: "RelaisStoreContract",
            dependencies: ["RelaisStore", "RelaisMerge", "RelaisModel"],
            swiftSettings: swiftSettings
        ),

        // Tests: one target per module.
        .testTarget(name: "RelaisAuthTests", dependencies: ["RelaisAuth"]),
        .testTarget(name: "RelaisFuzzTests", dependencies: ["RelaisFuzz"]),
        .testTarget(name: "RelaisNormalizeTests", dependencies: ["RelaisTestSupport", "RelaisNormalize", "RelaisModel"]),
        .testTarget(name: "RelaisMergeTests", dependencies: ["RelaisMerge", "RelaisModel", "RelaisNormalize"]),
        .testTarget(name: "RelaisFetchTests", dependencies: ["RelaisTestSupport", "RelaisFetch", "CZlib", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "RelaisStoreTests", dependencies: ["RelaisTestSupport", "RelaisStore", "RelaisStoreSQLite", "RelaisStoreContract", "RelaisMerge", "RelaisModel"]),
        .testTarget(name: "RelaisStorePostgresTests", dependencies: ["RelaisTestSupport", "RelaisApp", "RelaisStore", "RelaisStoreSQLite", "RelaisStorePostgres", "RelaisStoreContract", "RelaisMerge", "RelaisModel"]),
        .testTarget(
            name: "RelaisImportTests",
            dependencies: [
                "RelaisTestSupport", "RelaisApp", "RelaisImport", "RelaisSources", "RelaisStore", "RelaisStoreSQLite", "RelaisMerge", "RelaisModel",
                "RelaisNormalize", "RelaisFetch", .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "RelaisReferralTests",
            dependencies: ["RelaisTestSupport", "RelaisReferral", "RelaisApp", "RelaisImport", "RelaisSources", "RelaisStore", "RelaisStoreSQLite", "RelaisModel", "RelaisNormalize"]
        ),
        .testTarget(
            name: "RelaisServerTests",
            dependencies: [
                "RelaisTestSupport", "RelaisServer", "RelaisApp", "RelaisImport", "RelaisSources", "RelaisStore", "RelaisStoreSQLite", "RelaisMerge", "RelaisFetch",
                "RelaisModel", "RelaisAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
    ]
)
