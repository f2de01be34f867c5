import ArgumentParser
import Foundation
import Logging
import Platform

/// `--catalog DIR` (or `PLEURA_CATALOG`), shared by every command.
struct CatalogOptions: ParsableArguments {
  @Option(name: .long, help: "Catalog folder (default: $PLEURA_CATALOG or ./pleura-catalog).")
  var catalog: String?
  @Flag(name: .long, help: "Print no progress on stderr (results and errors still print).")
  var quiet = false

  var location: URL { catalog.map { URL(fileURLWithPath: $0) } ?? Catalog.defaultLocation() }

  func open() throws -> Catalog {
    Self.inUse = location
    return try Catalog.open(at: location)
  }

  /// For commands that only read: works on a catalog that cannot be written.
  func openForReading() throws -> Catalog {
    Self.inUse = location
    return try Catalog.openForReading(at: location)
  }

  /// The catalog this process opened, so that an error about its storage can name it.
  nonisolated(unsafe) static var inUse: URL?

  func runner(_ catalog: Catalog) -> Runner {
    var logger = Logger(label: "pleura")
    logger.logLevel = ProcessInfo.processInfo.environment["PLEURA_DEBUG"] == nil ? .warning : .debug
    return Runner(catalog: catalog, logger: logger, progress: progress)
  }

  /// Where progress goes for this command (see ``ProgressOutput``).
  var progress: ProgressSink { ProgressOutput.sink(quiet: quiet) }
}

/// `--json` on every listing.
struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print machine-readable JSON.")
  var json = false

  /// JSON escapes the C0 controls itself; DEL and the C1 controls (0x9B starts an escape sequence
  /// on some terminals) it leaves raw, so they are written as `\u00XX` here, which JSON reads back
  /// as the same character.
  func printJSON<T: Encodable>(_ value: T) throws {
    var text = String.UnicodeScalarView()
    for scalar in try CanonicalJSON.pretty(value).unicodeScalars {
      if scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
        text.append(contentsOf: "\\u00\(String(scalar.value, radix: 16))".unicodeScalars)
      } else {
        text.append(scalar)
      }
    }
    Swift.print(String(text))
  }
}
