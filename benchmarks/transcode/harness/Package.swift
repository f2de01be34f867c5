// swift-tools-version: 6.0
// Temporary benchmark harness: builds only the Media video library (through symlinks to Sources/) in release
// before the `pleura bench transcode` CLI is wired.
import PackageDescription
let package = Package(
  name: "MediaBench",
  targets: [
    .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg"),
    .target(name: "Media", dependencies: ["CFFmpeg"], path: "Sources/Media"),
    .executableTarget(name: "Bench", dependencies: ["Media"], path: "Sources/Bench"),
  ],
  swiftLanguageModes: [.v6]
)
