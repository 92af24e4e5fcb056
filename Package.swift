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
