import Foundation
import Testing

/// PLEURA_GEMM, the switch between Pleura's AVX-512 GEMM and OpenBLAS, as a user meets it.
@Suite struct GemmKernelCLITests {
  /// A network small enough to train a step in a moment.
  static let tinyBench = [
    "bench", "train", "--input", "4x12x12", "--batch", "2", "--width", "0.25", "--steps", "1", "--warmup",
    "0",
    "--json",
  ]

  static var cpuHasAVX512F: Bool {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
    return info.split(separator: "\n").contains {
      $0.hasPrefix("flags") && $0.split(separator: " ").contains("avx512f")
    }
  }

  func kernel(_ environment: [String: String]) throws -> String? {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let result = try cli.run(Self.tinyBench, environment: environment, withCatalog: false)
    #expect(result.status == 0, "\(result.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    return json?["gemmKernel"] as? String
  }

  @Test func theCPUChoosesUnlessOpenBLASIsAskedFor() throws {
    #expect(try kernel([:]) == (Self.cpuHasAVX512F ? "pleura" : "openblas"))
    #expect(try kernel(["PLEURA_GEMM": "pleura"]) == (Self.cpuHasAVX512F ? "pleura" : "openblas"))
    #expect(try kernel(["PLEURA_GEMM": "openblas"]) == "openblas")
  }

  @Test func aMistypedSettingIsRefusedBeforeTheCommandRuns() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    for arguments in [Self.tinyBench, ["status"]] {
      let result = try cli.run(
        arguments, environment: ["PLEURA_GEMM": "openbals"], withCatalog: arguments[0] != "bench")
      #expect(result.status == 2)
      #expect(result.stdout.isEmpty)
      let lines = result.stderr.split(separator: "\n")
      #expect(lines.count == 1, "\(result.stderr)")
      #expect(result.stderr.contains("PLEURA_GEMM is 'openbals'"), "\(result.stderr)")
      #expect(!result.stderr.contains("Fatal error"))
    }
  }
}
