// swift-tools-version: 6.0
import PackageDescription

// Targets follow the fixed layout: the Platform library, one target per plugin family under
// Sources/Plugins, the `pleura` executable in Sources/CLI and system-library shims in Sources/C*.
// Plugin families depend on Platform and never on each other; `Builtin` is the one place that
// lists them all for the registry.
let package = Package(
  name: "Pleura",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "pleura", targets: ["CLI"]),
    .library(name: "Platform", targets: ["Platform"]),
  ],
  dependencies: [
    .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
  ],
  targets: [
    // FFmpeg is opened on first use (see Sources/CFFmpeg/lazy.c), not linked.
    .target(name: "CLazyLibrary", path: "Sources/CLazyLibrary", linkerSettings: [.linkedLibrary("dl")]),
    .target(name: "CFFmpeg", dependencies: ["CLazyLibrary"], path: "Sources/CFFmpeg"),
    // OpenBLAS is opened on first use (see Sources/COpenBLAS/lazy.c), not linked.
    .target(name: "COpenBLAS", dependencies: ["CLazyLibrary"], path: "Sources/COpenBLAS"),
    .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive"),
    .target(
      name: "Platform",
      dependencies: [
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        "CArchive",
      ]
    ),
    .target(name: "Media", dependencies: ["Platform", "CFFmpeg"], path: "Sources/Plugins/Media"),
    .target(name: "Tiling", dependencies: ["Platform", "Media"], path: "Sources/Plugins/Tiling"),
    .target(name: "Sharing", dependencies: ["Platform", "Media"], path: "Sources/Sharing"),
    .target(
      name: "Resnet3D", dependencies: ["COpenBLAS"], path: "Sources/Engines/Resnet3D",
      // The engine's loops over raw pointers are 20-50x slower at -Onone; optimising this one target
      // even in debug builds keeps `swift test` (gradient checks, parameter counts) fast.
      swiftSettings: [.unsafeFlags(["-O"])]
    ),
    .target(
      name: "Training", dependencies: ["Platform", "Tiling", "Resnet3D", "Media"],
      path: "Sources/Plugins/Training"),
    .target(name: "Curation", dependencies: ["Platform", "Media"], path: "Sources/Plugins/Curation"),
    .target(
      name: "Builtin", dependencies: ["Platform", "Media", "Tiling", "Training", "Curation"],
      path: "Sources/Plugins/Builtin"),
    // The curation workbench (`pleura serve`) and the offline report: its own target, so that the
    // CLI stays thin and only this target links the HTTP server.
    .target(
      name: "Server",
      dependencies: [
        "Platform", "Media", "Tiling", "Training", "Curation",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Sources/Server"
    ),
    .executableTarget(
      name: "CLI",
      dependencies: [
        "Platform", "Builtin", "Media", "Tiling", "Sharing", "Training", "Resnet3D", "Curation", "Server",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/CLI"
    ),
    .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
    .testTarget(name: "MediaTests", dependencies: ["Media", "Platform"]),
    .testTarget(name: "Resnet3DTests", dependencies: ["Resnet3D"], resources: [.copy("Fixtures")]),
    .testTarget(name: "PipelineTests", dependencies: ["Tiling", "Media", "Platform", "Curation"]),
    .testTarget(name: "SharingTests", dependencies: ["Sharing", "Tiling", "Training", "Media", "Platform"]),
    .testTarget(name: "BundleTests", dependencies: ["Platform"]),
    .testTarget(name: "CurationTests", dependencies: ["Curation", "Media", "Platform"]),
    .testTarget(
      name: "ServerTests",
      dependencies: [
        "Server", "Curation", "Media", "Platform",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
      ]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "Tiling", "Media", "Platform"]),
    .testTarget(
      name: "CLITests", dependencies: ["Platform", .product(name: "GRDB", package: "GRDB.swift")]),
  ],
  swiftLanguageModes: [.v6]
)
