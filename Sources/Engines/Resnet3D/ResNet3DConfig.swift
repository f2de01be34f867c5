// The ResNet3D family as keras-resnet3d builds it: one network parameterized by block type,
// repetitions and widths, with a preset table (docs/ARCHITECTURE.md, "The network").

/// Residual block type.
public enum ResidualBlock: String, Sendable, Codable {
  /// Two 3x3x3 convolutions (f, f).
  case basic
  /// 1x1x1 (f) -> 3x3x3 (f) -> 1x1x1 (4f).
  case bottleneck
}

/// Architecture and input of a ResNet3D.
///
/// ```swift
/// let config = ResNet3DConfig(preset: .resnet18, frames: 60, height: 30, width: 30)
/// let model = ResNet3D(config: config, seed: 42)
/// ```
public struct ResNet3DConfig: Sendable, Codable, Equatable {
  /// The depths of the paper.
  public enum Preset: String, Sendable, Codable, CaseIterable {
    case resnet18 = "resnet3d-18"
    case resnet34 = "resnet3d-34"
    case resnet50 = "resnet3d-50"

    public var block: ResidualBlock { self == .resnet50 ? .bottleneck : .basic }
    public var repetitions: [Int] { self == .resnet18 ? [2, 2, 2, 2] : [3, 4, 6, 3] }

    /// Parses `resnet3d-18`, `18`, `resnet18`; unknown names fail listing the valid ones.
    public static func named(_ name: String) throws(ResNet3DError) -> Preset {
      let digits = name.filter(\.isNumber)
      if let preset = allCases.first(where: { $0.rawValue == name || $0.rawValue.hasSuffix("-" + digits) }),
        !digits.isEmpty
      {
        return preset
      }
      throw .unknownArchitecture(name, valid: allCases.map(\.rawValue))
    }
  }

  public var block: ResidualBlock
  public var repetitions: [Int]
  /// Scales every width (64, 128, 256, 512 and the stem's 64); 1.0 is the paper's network.
  public var widthMultiplier: Double
  /// Frames (D), height (H), width (W).
  public var frames: Int
  public var height: Int
  public var width: Int
  /// Input channels of the original network (3 for the paper's RGB-stored grey cubes).
  public var channels: Int
  /// Inputs are grey (all channels equal): the model takes one channel and conv1 runs on the
  /// kernel summed over channels. Exactly the same model as feeding the channel `channels` times.
  public var greyInput: Bool
  /// L2 factor on conv and dense kernels (Keras `regularizers.l2`).
  public var l2: Float
  public var adam: AdamSettings

  public init(
    preset: Preset, frames: Int = 60, height: Int = 30, width: Int = 30, channels: Int = 3,
    widthMultiplier: Double = 1, greyInput: Bool = false
  ) {
    self.init(
      block: preset.block, repetitions: preset.repetitions, frames: frames, height: height,
      width: width, channels: channels, widthMultiplier: widthMultiplier, greyInput: greyInput)
  }

  public init(
    block: ResidualBlock, repetitions: [Int], frames: Int, height: Int, width: Int, channels: Int = 3,
    widthMultiplier: Double = 1, greyInput: Bool = false
  ) {
    self.block = block
    self.repetitions = repetitions
    self.frames = frames
    self.height = height
    self.width = width
    self.channels = channels
    self.widthMultiplier = widthMultiplier
    self.greyInput = greyInput
    l2 = 1e-4
    adam = AdamSettings()
  }

  public static let resnet18 = ResNet3DConfig(preset: .resnet18)
  public static let resnet34 = ResNet3DConfig(preset: .resnet34)
  public static let resnet50 = ResNet3DConfig(preset: .resnet50)

  /// Filters of the stem and of a stage at width 64 * 2^stage, scaled and at least 1.
  func scaled(_ filters: Int) -> Int { max(1, Int((Double(filters) * widthMultiplier).rounded())) }

  var stemFilters: Int { scaled(64) }
  var stageFilters: [Int] { (0..<repetitions.count).map { scaled(64 << $0) } }

  /// Channels the model's input tensor has: 1 when `greyInput`, else `channels`.
  public var inputChannels: Int { greyInput ? 1 : channels }

  /// Values per input clip.
  public var clipSize: Int { frames * height * width * inputChannels }

  /// Describes what the weights depend on (not the input size nor the grey saving); stored in
  /// saved weights and checked on load.
  public var architecture: String {
    let reps = repetitions.map(String.init).joined(separator: ",")
    let widths = stageFilters.map(String.init).joined(separator: ",")
    return "resnet3d block=\(block.rawValue) repetitions=\(reps) stem=\(stemFilters) "
      + "filters=\(widths) channels=\(channels) outputs=1"
  }
}

/// Errors of the ResNet3D engine, each with one clear sentence.
public enum ResNet3DError: Error, Equatable, CustomStringConvertible {
  case unknownArchitecture(String, valid: [String])
  case badInput(String)
  case malformedWeights(String)
  case architectureMismatch(expected: String, found: String)
  case missingTensor(String)
  case unexpectedTensor(String)
  case shapeMismatch(tensor: String, expected: [Int], found: [Int])
  case dtypeMismatch(tensor: String, found: String)

  public var description: String {
    switch self {
    case .unknownArchitecture(let name, let valid):
      "Unknown architecture '\(name)'; valid: \(valid.joined(separator: ", "))."
    case .badInput(let reason): "Bad input: \(reason)."
    case .malformedWeights(let reason): "Not a readable safetensors file: \(reason)."
    case .architectureMismatch(let expected, let found):
      "Weights are for '\(found)', the model is '\(expected)'."
    case .missingTensor(let name): "Weights file lacks tensor '\(name)'."
    case .unexpectedTensor(let name): "Weights file has tensor '\(name)' the model does not have."
    case .shapeMismatch(let name, let expected, let found):
      "Tensor '\(name)' has shape \(found), the model needs \(expected)."
    case .dtypeMismatch(let name, let found): "Tensor '\(name)' is \(found), the model needs F32."
    }
  }
}
