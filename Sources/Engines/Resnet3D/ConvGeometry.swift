// Geometry of convolutions and pooling: TensorFlow's padding modes, the sizes along one axis,
// and the channels-last shape of one sample.

/// TensorFlow padding modes.
public enum Padding: String, Sendable, Codable {
  /// Output ceil(I / s); total padding (O - 1) * s + k - I, the odd pixel after.
  case same
  /// No padding; output (I - k) / s + 1.
  case valid
}

/// Geometry of one spatial axis of a convolution or pooling.
struct Axis: Equatable, Sendable {
  let input: Int
  let kernel: Int
  let stride: Int
  let output: Int
  let padBefore: Int
  /// Kernel offsets that land inside the input for at least one output position.
  let validTaps: [Int]

  init(input: Int, kernel: Int, stride: Int, padding: Padding) {
    switch padding {
    case .same:
      let output = (input + stride - 1) / stride
      self.init(
        input: input, kernel: kernel, stride: stride, output: output,
        padBefore: max((output - 1) * stride + kernel - input, 0) / 2)
    case .valid:
      self.init(
        input: input, kernel: kernel, stride: stride, output: (input - kernel) / stride + 1, padBefore: 0)
    }
  }

  init(input: Int, kernel: Int, stride: Int, output: Int, padBefore: Int) {
    self.input = input
    self.kernel = kernel
    self.stride = stride
    self.output = output
    self.padBefore = padBefore
    let (o, s, p) = (output, stride, padBefore)
    validTaps = (0..<kernel).filter { j in (0..<o).contains { i in (0..<input).contains(i * s - p + j) } }
  }

  /// The axis of the stride-1 backward-data convolution: dy (size `output`) in, dx (size `input`)
  /// out, flipped kernel, padding k - 1 - p before.
  var transposed: Axis {
    precondition(stride == 1, "only stride-1 axes transpose to a plain convolution")
    return Axis(input: output, kernel: kernel, stride: 1, output: input, padBefore: kernel - 1 - padBefore)
  }
}

/// Shape of one sample, channels-last.
public struct VolumeShape: Equatable, Sendable, Codable, CustomStringConvertible {
  public var depth: Int
  public var height: Int
  public var width: Int
  public var channels: Int

  public init(_ depth: Int, _ height: Int, _ width: Int, _ channels: Int) {
    self.depth = depth
    self.height = height
    self.width = width
    self.channels = channels
  }

  public var positions: Int { depth * height * width }
  public var count: Int { positions * channels }
  public var description: String { "\(depth)x\(height)x\(width)x\(channels)" }
}
