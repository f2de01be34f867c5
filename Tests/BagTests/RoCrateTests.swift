import Bag
import Foundation
import Testing

@Suite struct RoCrateTests {
  static func sample() -> RoCrate {
    var crate = RoCrate(
      name: "Site A export", description: "Lung ultrasound videos and masks",
      datePublished: Date(timeIntervalSince1970: 1_790_000_000),
      license: .init(url: "https://creativecommons.org/licenses/by/4.0/", name: "CC BY 4.0"))
    crate.files = [
      .init(path: "objects/ab/ab12.npy", encodingFormat: "application/octet-stream", contentSize: 300),
      .init(path: "objects/cd/cd34.npy", encodingFormat: "application/octet-stream", contentSize: 20),
      .init(path: "catalog/video's; DROP.json", encodingFormat: "application/json"),
    ]
    crate.actions = [
      .init(
        id: "run_0123456789abcdef", name: "segment pleura",
        instrument: .init(name: "lung-seg", version: "1.2.0"),
        inputs: ["objects/ab/ab12.npy"], outputs: ["objects/cd/cd34.npy"],
        startTime: Date(timeIntervalSince1970: 1_790_000_000),
        endTime: Date(timeIntervalSince1970: 1_790_000_060))
    ]
    return crate
  }

  static func graph(_ data: Data) throws -> [String: [String: Any]] {
    let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(document["@context"] as? String == "https://w3id.org/ro/crate/1.1/context")
    let graph = try #require(document["@graph"] as? [[String: Any]])
    return Dictionary(uniqueKeysWithValues: graph.map { ($0["@id"] as! String, $0) })
  }

  @Test func metadataHasDescriptorRootFilesAndActions() throws {
    let entities = try Self.graph(try Self.sample().jsonData())
    let descriptor = try #require(entities["ro-crate-metadata.json"])
    #expect((descriptor["conformsTo"] as? [String: String])?["@id"] == "https://w3id.org/ro/crate/1.1")
    #expect((descriptor["about"] as? [String: String])?["@id"] == "./")
    let root = try #require(entities["./"])
    #expect(root["@type"] as? String == "Dataset")
    #expect(root["datePublished"] as? String == "2026-09-21T14:13:20Z")
    let parts = (root["hasPart"] as? [[String: String]])?.compactMap { $0["@id"] }
    #expect(parts == ["objects/ab/ab12.npy", "objects/cd/cd34.npy", "catalog/video%27s%3B%20DROP.json"])
    #expect(entities["catalog/video%27s%3B%20DROP.json"]?["name"] as? String == "catalog/video's; DROP.json")
    let action = try #require(entities["#run_0123456789abcdef"])
    #expect(action["@type"] as? String == "CreateAction")
    let instrument = try #require((action["instrument"] as? [String: String])?["@id"])
    #expect(entities[instrument]?["@type"] as? String == "SoftwareApplication")
    #expect(entities[instrument]?["version"] as? String == "1.2.0")
    #expect((action["object"] as? [[String: String]])?.first?["@id"] == "objects/ab/ab12.npy")
    #expect((action["result"] as? [[String: String]])?.first?["@id"] == "objects/cd/cd34.npy")
    #expect((root["mentions"] as? [[String: String]])?.first?["@id"] == "#run_0123456789abcdef")
  }

  @Test func outputIsStable() throws {
    #expect(try Self.sample().jsonData() == (try Self.sample().jsonData()))
  }

  @Test func actionsMustReferToFilesOfTheCrate() {
    var crate = Self.sample()
    crate.actions[0].inputs.append("objects/zz/missing.npy")
    #expect(throws: RoCrateError.unknownFile(action: "run_0123456789abcdef", path: "objects/zz/missing.npy"))
    {
      try crate.jsonData()
    }
  }

  @Test func unsafeOrRepeatedFilePathsAreRefused() {
    var crate = Self.sample()
    crate.files.append(.init(path: "../outside"))
    #expect(throws: RoCrateError.self) { try crate.jsonData() }
    crate = Self.sample()
    crate.files.append(crate.files[0])
    #expect(throws: RoCrateError.invalidFile(path: "objects/ab/ab12.npy", reason: "it is listed twice")) {
      try crate.jsonData()
    }
  }
}
