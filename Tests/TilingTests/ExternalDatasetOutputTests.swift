import Foundation
import Platform
import TestSupport
import Testing

@testable import Tiling

/// The parts of an external dataset's check that need no catalog: which files an output names
/// and what its shards' `.npy` headers say. (Sidecars against a catalog's inputs, and the whole
/// landing, are checked end to end in `ExternalOutputsCLITests`.)
@Suite struct ExternalDatasetOutputTests {
  static func refuse(_ reason: String) -> ExternalOutputRefusal { ExternalOutputRefusal(reason) }

  @Test func shardsComeWithTheirSidecarsAndNothingElse() throws {
    #expect(
      try ExternalDatasetOutput.shardRoles(
        ["shard-0", "sidecar-0", "shard-a1", "sidecar-a1"], refuse: Self.refuse)
        == ["shard-0", "shard-a1"])
    let cases: [(Set<String>, String)] = [
      ([], "at least one 'shard-K'"), (["sidecar-0"], "at least one 'shard-K'"),
      (["shard-0"], "has no 'sidecar-0'"), (["shard-0", "sidecar-0", "sidecar-1"], "has no 'shard-1'"),
      (["shard-0", "sidecar-0", "weights"], "is not shard-K or sidecar-K"),
      (["shard-", "sidecar-"], "1 to 32 letters or digits"),
      (["shard-../x", "sidecar-../x"], "1 to 32 letters or digits"),
    ]
    for (roles, reason) in cases {
      do {
        _ = try ExternalDatasetOutput.shardRoles(roles, refuse: Self.refuse)
        Issue.record("\(roles) passed")
      } catch let refusal as ExternalOutputRefusal {
        #expect(refusal.reason.contains(reason), "\(roles): \(refusal.reason)")
      }
    }
  }

  /// An `.npy` file of `descr` with `shape` and `bytes` bytes of data.
  static func npy(_ descr: String = "|u1", shape: String, fortran: Bool = false, bytes: Int) -> Data {
    var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
    while (10 + header.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
    data.append(UInt8(header.count & 0xFF))
    data.append(UInt8(header.count >> 8))
    return data + Data(header.utf8) + Data(count: bytes)
  }

  @Test func shardHeadersAreUint8CubesThatFillTheirFile() throws {
    let scratch = Scratch()
    func header(_ data: Data) throws -> ExternalDatasetOutput.ShardHeader {
      let file = scratch.url.appendingPathComponent("s-\(UUID().uuidString).npy")
      try data.write(to: file)
      return try ExternalDatasetOutput.shardHeader(file, shown: "shard-0")
    }
    let good = try header(Self.npy(shape: "(3, 8, 16, 16)", bytes: 3 * 8 * 16 * 16))
    #expect(good.count == 3 && good.frames == 8 && good.size == 16)
    let cases: [(Data, String)] = [
      (Self.npy("<f4", shape: "(3, 8, 16, 16)", bytes: 3 * 8 * 16 * 16 * 4), "uint8 [n, frames, size, size]"),
      (Self.npy(shape: "(3, 8, 16, 16)", fortran: true, bytes: 3 * 8 * 16 * 16), "in C order expected"),
      (Self.npy(shape: "(3, 8, 16)", bytes: 3 * 8 * 16), "uint8 [n, frames, size, size]"),
      (Self.npy(shape: "(3, 8, 16, 15)", bytes: 3 * 8 * 16 * 15), "must be square"),
      (Self.npy(shape: "(3, 8, 16, 16)", bytes: 2 * 8 * 16 * 16), "but the file has"),
      (Self.npy(shape: "(3, 8, 16, 16)", bytes: 3 * 8 * 16 * 16 + 1), "but the file has"),
      (Data("not numpy".utf8), "is not an .npy file"),
    ]
    for (data, reason) in cases {
      do {
        _ = try header(data)
        Issue.record("\(reason): passed")
      } catch let refusal as ExternalOutputRefusal {
        #expect(refusal.reason.contains(reason), "\(reason): \(refusal.reason)")
      }
    }
  }
}
