import Foundation
import Testing

@testable import Resnet3D

private func temporaryURL(_ name: String) -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent(
    "pleura-resnet3d-\(UUID().uuidString)-\(name)")
}

@Test func savedWeightsLoadBackIdentically() throws {
  let a = ResNet3D(config: tinyConfig(), seed: 1)
  try a.trainStep(inputs: randomFloats(2 * a.config.clipSize, seed: 2), labels: [0, 1])
  let url = temporaryURL("w.safetensors")
  defer { try? FileManager.default.removeItem(at: url) }
  try a.save(to: url)
  let b = ResNet3D(config: tinyConfig(), seed: 99)
  try b.load(from: url)
  #expect(a.parameters.map(\.values) == b.parameters.map(\.values))
  let x = randomFloats(2 * a.config.clipSize, seed: 3)
  #expect(try a.forward(batch: x) == b.forward(batch: x))
  // Header: 8-byte length, JSON with the Keras names and float32 dtype.
  let (tensors, metadata) = try SafeTensors.read(from: url)
  #expect(tensors.first?.name == "stem.conv.kernel")
  #expect(tensors.first?.shape == [7, 7, 7, 3, 4])
  #expect(metadata[ResNet3D.architectureKey] == a.config.architecture)
}

@Test func loadingRefusesAnotherArchitectureAndLeavesWeightsAlone() throws {
  let url = temporaryURL("w.safetensors")
  defer { try? FileManager.default.removeItem(at: url) }
  try ResNet3D(config: tinyConfig(.resnet50), seed: 1).save(to: url)
  let model = ResNet3D(config: tinyConfig(), seed: 2)
  let before = model.parameters.map(\.values)
  #expect(
    throws: ResNet3DError.architectureMismatch(
      expected: tinyConfig().architecture, found: tinyConfig(.resnet50).architecture)
  ) {
    try model.load(from: url)
  }
  #expect(model.parameters.map(\.values) == before)
}

@Test func loadingNamesTheTensorWhoseShapeOrDtypeDiffers() throws {
  let model = ResNet3D(config: tinyConfig(), seed: 2)
  var tensors = model.parameters.map { NamedTensor(name: $0.name, shape: $0.shape, values: $0.values) }
  let url = temporaryURL("w.safetensors")
  defer { try? FileManager.default.removeItem(at: url) }
  // Same count, other shape.
  tensors[2].shape = [1, tensors[2].shape[0]]
  try SafeTensors.write(tensors, metadata: [:], to: url)
  #expect(throws: ResNet3DError.shapeMismatch(tensor: "stem.bn.gamma", expected: [4], found: [1, 4])) {
    try model.load(from: url)
  }
  tensors.remove(at: 2)
  try SafeTensors.write(tensors, metadata: [:], to: url)
  #expect(throws: ResNet3DError.missingTensor("stem.bn.gamma")) { try model.load(from: url) }
  // A float16 tensor: rewrite the header's dtype by hand.
  try SafeTensors.write(
    [NamedTensor(name: "stem.conv.bias", shape: [2], values: [1])], metadata: [:], to: url)
  var bytes = try Data(contentsOf: url)
  let range = bytes.range(of: Data("F32".utf8))!
  bytes.replaceSubrange(range, with: Data("F16".utf8))
  try bytes.write(to: url)
  #expect(throws: ResNet3DError.dtypeMismatch(tensor: "stem.conv.bias", found: "F16")) {
    try model.load(from: url)
  }
}
