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
    // Pleura's DICOM code on DCMTK, opened by `pleura` on first use (see Sources/CDicomLazy/lazy.c).
    .library(name: "PleuraDicom", type: .dynamic, targets: ["CDicom"]),
  ],
  dependencies: [
    .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
  ],
  targets: [
    // FFmpeg is opened on first use (see Sources/CFFmpeg/lazy.c), not linked.
    .target(name: "CLazyLibrary", path: "Sources/CLazyLibrary", linkerSettings: [.linkedLibrary("dl")]),
    .target(name: "CFFmpeg", dependencies: ["CLazyLibrary"], path: "Sources/CFFmpeg"),
    // OpenBLAS is opened on first use (see Sources/COpenBLAS/lazy.c), not linked.
    .target(name: "COpenBLAS", dependencies: ["CLazyLibrary"], path: "Sources/COpenBLAS"),
    .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive"),
    // DCMTK (C++) behind a small C interface, built as libPleuraDicom; CDicomLazy opens it on first
    // use, so commands that read no DICOM never load DCMTK (see docs/DICOM.md).
    .target(name: "CDicomLazy", dependencies: ["CLazyLibrary"], path: "Sources/CDicomLazy"),
    .target(
      name: "CDicom", path: "Sources/CDicom",
      linkerSettings: [
        .linkedLibrary("dcmimage"), .linkedLibrary("dcmimgle"), .linkedLibrary("dcmjpeg"),
        .linkedLibrary("dcmjpls"), .linkedLibrary("dcmdata"), .linkedLibrary("oflog"),
        .linkedLibrary("ofstd"),
      ]),
    .target(
      name: "Platform",
      dependencies: [
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        "CArchive",
      ]
    ),
    .target(
      name: "Media", dependencies: ["Platform", "CFFmpeg", "CDicomLazy"], path: "Sources/Plugins/Media"),
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
    .target(
      name: "Builtin", dependencies: ["Platform", "Media", "Tiling", "Training"],
      path: "Sources/Plugins/Builtin"),
    .executableTarget(
      name: "CLI",
      dependencies: [
        "Platform", "Builtin", "Media", "Tiling", "Sharing", "Training", "Resnet3D",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/CLI"
    ),
    // Ultrasound DICOM files made at test time with DCMTK's tools, shared by the test targets.
    .target(name: "DicomTestFixtures", path: "Tests/DicomTestFixtures"),
    .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
    .testTarget(name: "MediaTests", dependencies: ["Media", "Platform", "DicomTestFixtures"]),
    .testTarget(name: "Resnet3DTests", dependencies: ["Resnet3D"], resources: [.copy("Fixtures")]),
    .testTarget(name: "PipelineTests", dependencies: ["Tiling", "Media", "Platform"]),
    .testTarget(name: "SharingTests", dependencies: ["Sharing", "Tiling", "Training", "Media", "Platform"]),
    .testTarget(name: "BundleTests", dependencies: ["Platform"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "Tiling", "Media", "Platform"]),
    .testTarget(
      name: "CLITests",
      dependencies: ["Platform", "DicomTestFixtures", .product(name: "GRDB", package: "GRDB.swift")]),
  ],
  swiftLanguageModes: [.v6]
)
