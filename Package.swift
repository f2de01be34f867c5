// swift-tools-version: 6.0
import PackageDescription

// The targets and what each may use (docs/ARCHITECTURE.md, "Targets and dependencies", draws it):
//
//   Primitives          seeded generator, hex, message escaping, free disk space; depends on nothing
//   Platform            catalog, blobs, records, plugin protocol, runner,         -> Primitives
//                       external plugins, Slurm jobs
//   Bag                 BagIt + RO-Crate over libarchive, knows no catalog        -> Primitives, CArchive
//   Resnet3D (engine)   the 3D ResNets and the 2D ResNet-18 on OpenBLAS and Pleura's
//                       AVX-512 GEMM, no catalog                                  -> Primitives, COpenBLAS, CGemm
//   Media    (plugins)  video I/O, ingest, transcode, ROI, synthesize, pictures   -> Platform, CFFmpeg, CDicomLazy
//   Tiling   (plugins)  recipes, tile, split                                      -> Platform, Media
//   Training (plugins)  train, evaluate, explain, experiment                      -> Platform, Tiling, Media, Resnet3D
//   Sharing  (service)  bundle export and import                                  -> Platform, Bag, Media
//   Curation (plugins)  label versions, agreement, review, the workbench's queries -> Platform, Media
//   Server   (service)  `pleura serve` (Hummingbird) and the offline report       -> Platform, Media, Tiling,
//                                                                                    Training, Curation
//   CLI                 the `pleura` executable; the only place that lists every plugin
//
// Platform imports no plugin, no engine and no bag code; plugin families use each other only
// through public types (Tiling reads Media's conversions, Training reads Tiling's datasets).
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")

let package = Package(
  name: "Pleura",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "pleura", targets: ["CLI"]),
    .library(name: "Platform", targets: ["Platform"]),
    // Pleura's DICOM code on DCMTK, opened by `pleura` on first use (see Sources/CDicomLazy/lazy.c).
    .library(name: "PleuraDicom", type: .dynamic, targets: ["CDicom"]),
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
    // Pleura's AVX-512 GEMM for the engine's forward passes (Sources/CGemm/gemm.c); optimised even
    // in debug builds, like the engine, since intrinsics at -O0 run many times slower.
    .target(name: "CGemm", path: "Sources/CGemm", cSettings: [.unsafeFlags(["-O2"])]),
    .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive"),
    // DCMTK (C++) behind a small C interface, built as libPleuraDicom; CDicomLazy opens it on first
    // use, so commands that read no DICOM never load DCMTK (see docs/DICOM.md).
    .target(name: "CDicomLazy", dependencies: ["CLazyLibrary"], path: "Sources/CDicomLazy"),
    .target(
      name: "CDicom", path: "Sources/CDicom",
      linkerSettings: [
        .linkedLibrary("dcmimage"), .linkedLibrary("dcmimgle"), .linkedLibrary("dcmjpeg"),
        .linkedLibrary("dcmjpls"), .linkedLibrary("dcmdata"), .linkedLibrary("oflog"),
        .linkedLibrary("ofstd"), .linkedLibrary("z"),
      ]),

    .target(name: "Primitives"),
    .target(
      name: "Platform",
      dependencies: ["Primitives", grdb, crypto, .product(name: "Logging", package: "swift-log")]),
    .target(name: "Bag", dependencies: ["Primitives", "CArchive", crypto]),
    .target(
      name: "Resnet3D", dependencies: ["Primitives", "COpenBLAS", "CGemm"], path: "Sources/Engines/Resnet3D",
      // The engine's loops over raw pointers are 20-50x slower at -Onone; optimising this one target
      // even in debug builds keeps `swift test` (gradient checks, parameter counts) fast.
      swiftSettings: [.unsafeFlags(["-O"])]
    ),

    .target(
      name: "Media", dependencies: ["Platform", "Primitives", "CFFmpeg", "CDicomLazy"],
      path: "Sources/Plugins/Media"),
    .target(
      name: "Tiling", dependencies: ["Platform", "Primitives", "Media"], path: "Sources/Plugins/Tiling"),
    .target(
      name: "Training", dependencies: ["Platform", "Primitives", "Tiling", "Resnet3D", "Media"],
      path: "Sources/Plugins/Training"),
    .target(name: "Sharing", dependencies: ["Platform", "Primitives", "Bag", "Media"]),
    .target(
      name: "Curation", dependencies: ["Platform", "Primitives", "Media", grdb],
      path: "Sources/Plugins/Curation"),
    // The curation workbench (`pleura serve`) and the offline report: its own target, so that the
    // CLI stays thin and only this target links the HTTP server.
    .target(
      name: "Server",
      dependencies: [
        "Platform", "Primitives", "Media", "Tiling", "Training", "Curation", grdb, crypto,
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
      ],
      path: "Sources/Server"
    ),

    .executableTarget(
      name: "CLI",
      dependencies: [
        "Platform", "Primitives", "Media", "Tiling", "Sharing", "Training", "Resnet3D", "Curation", "Server",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/CLI"
    ),

    // One home for what several test targets share: fixtures, catalog snapshots, external tools
    // and the Swift Testing tags (`.slow`, `.realClips`).
    .target(
      name: "TestSupport", dependencies: ["Platform", "Media", "Tiling", "Training", grdb],
      path: "Tests/Support"),
    // Test targets are named after the module they test.
    .testTarget(name: "PlatformTests", dependencies: ["Platform", "TestSupport", grdb]),
    .testTarget(name: "BagTests", dependencies: ["Bag", "CArchive", "TestSupport", crypto]),
    .testTarget(name: "MediaTests", dependencies: ["Media", "Platform", "TestSupport", grdb]),
    .testTarget(
      name: "TilingTests", dependencies: ["Tiling", "Media", "Platform", "Primitives", "TestSupport", grdb]),
    .testTarget(
      name: "Resnet3DTests", dependencies: ["Resnet3D", "CGemm", "Primitives", "TestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "TrainingTests", dependencies: ["Training", "Tiling", "Media", "Platform", "TestSupport", grdb]),
    .testTarget(
      name: "SharingTests",
      dependencies: [
        "Sharing", "Bag", "CArchive", "Tiling", "Training", "Media", "Platform", "Primitives", "TestSupport",
        grdb,
      ]),
    .testTarget(name: "CurationTests", dependencies: ["Curation", "Media", "Platform", "TestSupport", grdb]),
    .testTarget(
      name: "ServerTests",
      dependencies: [
        "Server", "Curation", "Media", "Platform", "TestSupport", grdb,
        .product(name: "HummingbirdTesting", package: "hummingbird"),
      ]),
    .testTarget(
      name: "CLITests",
      dependencies: [
        "CLI", "Bag", "Platform", "Primitives", "Media", "Tiling", "Training", "Server", "TestSupport", grdb,
      ]),
  ],
  swiftLanguageModes: [.v6]
)
