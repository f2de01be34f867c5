// The ResNet3D model: stem, pre-activation residual stages, head; forward and backward.
//
// Layer and tensor names (safetensors, one-to-one with the Keras layers of the parity script):
//   stem.conv.{kernel,bias}                7x7x7 /2 "same", (7, 7, 7, C, 64w)
//   stem.bn.{gamma,beta,moving_mean,moving_variance}, then ReLU and max-pool 3x3x3 /2 "same"
//   stage{s}.block{b}.bn{i}.*              BN before conv i (absent for stage1.block1.bn1)
//   stage{s}.block{b}.conv{i}.{kernel,bias}
//   stage{s}.block{b}.shortcut.{kernel,bias}   1x1x1 "valid", stride ceil(in/out), when shapes differ
//   head.bn.*, head.dense.{kernel,bias}    final BN-ReLU, global average pool, Dense(1)
// s = 1...4, b = 1...repetitions[s], i = 1...2 (basic) or 1...3 (bottleneck).
// The 2D network (`twoDimensional`) has the same tensors with every kernel 1 x k x k (conv1 1x7x7),
// strides and the max-pool 1 x n x n: one frame in, height and width convolved.
import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An activation of the batch and its gradient: (N, D, H, W, C).
final class Activation {
  let shape: VolumeShape
  let value = FloatBuffer(count: 0)
  let grad = FloatBuffer(count: 0)

  init(_ shape: VolumeShape) { self.shape = shape }

  func ensure(batch: Int, withGradient: Bool) {
    value.resize(batch * shape.count)
    if withGradient { grad.resize(batch * shape.count) }
  }
}

/// One BN-ReLU (optional) + convolution of a residual block.
final class BlockUnit {
  let bn: BatchNormReLU?
  let conv: Conv3D
  let activated: Activation?
  let output: Activation

  init(bn: BatchNormReLU?, conv: Conv3D) {
    self.bn = bn
    self.conv = conv
    activated = bn.map { _ in Activation(conv.input) }
    output = Activation(conv.output)
  }
}

/// A pre-activation residual block: units, then the shortcut added to the last unit's output.
final class ResidualBlockLayer {
  let units: [BlockUnit]
  let shortcut: Conv3D?
  /// The last unit's output, where the shortcut is added.
  let output: Activation

  /// `perAxis` turns a size into (D, H, W) sizes: n x n x n, or 1 x n x n for the 2D network.
  init(
    name: String, input: VolumeShape, kind: ResidualBlock, filters: Int, stride: Int, first: Bool,
    perAxis: (Int) -> [Int] = { [$0, $0, $0] }
  ) {
    let (strides, one, three) = (perAxis(stride), perAxis(1), perAxis(3))
    var specs: [(kernel: [Int], filters: Int, stride: [Int])]
    switch kind {
    case .basic: specs = [(three, filters, strides), (three, filters, one)]
    case .bottleneck: specs = [(one, filters, strides), (three, filters, one), (one, filters * 4, one)]
    }
    var units: [BlockUnit] = []
    var shape = input
    for (i, spec) in specs.enumerated() {
      let bn = (i == 0 && first) ? nil : BatchNormReLU(name: "\(name).bn\(i + 1)", channels: shape.channels)
      let conv = Conv3D(
        name: "\(name).conv\(i + 1)", input: shape, filters: spec.filters, kernelSize: spec.kernel,
        stride: spec.stride, padding: .same)
      units.append(BlockUnit(bn: bn, conv: conv))
      shape = conv.output
    }
    guard let last = units.last else { preconditionFailure("a residual block has two or three units") }
    self.units = units
    output = last.output
    let out = shape
    if out == input {
      shortcut = nil
    } else {
      let st = [
        (input.depth + out.depth - 1) / out.depth, (input.height + out.height - 1) / out.height,
        (input.width + out.width - 1) / out.width,
      ]
      let conv = Conv3D(
        name: "\(name).shortcut", input: input, filters: out.channels, kernel: 1, stride: st, padding: .valid)
      precondition(conv.output == out, "shortcut of \(name) gives \(conv.output), residual is \(out)")
      shortcut = conv
    }
  }

  var parameters: [Parameter] {
    units.flatMap { ($0.bn?.parameters ?? []) + [$0.conv.kernel, $0.conv.bias] }
      + (shortcut.map { [$0.kernel, $0.bias] } ?? [])
  }
}

/// A 3D ResNet exactly as keras-resnet3d builds it, trained with Adam on sigmoid binary
/// cross-entropy plus L2 kernel regularisation.
///
/// ```swift
/// let model = ResNet3D(config: ResNet3DConfig(preset: .resnet18, greyInput: true), seed: 1)
/// let loss = try model.trainStep(inputs: clips, labels: labels)   // clips: N * clipSize floats
/// let probabilities = try model.predict(batch: clips)
/// ```
public final class ResNet3D {
  public let config: ResNet3DConfig
  /// Worker threads (GEMM, lowering, elementwise). Same seed and thread count give bit-identical
  /// results.
  public let threads: Int
  let workers: Workers
  let ws = Workspace()

  let stemConv: Conv3D
  let stemBN: BatchNormReLU
  let pool: MaxPool3D
  let blocks: [ResidualBlockLayer]
  let headBN: BatchNormReLU
  let dense: Dense

  let input: Activation
  let stemOut: Activation
  let stemActivated: Activation
  let pooled: Activation
  let headActivated: Activation
  private var features: [Float] = []
  private var featuresGrad: [Float] = []
  private var logits: [Float] = []
  private var logitsGrad: [Float] = []
  /// Adam steps taken (set directly only when a checkpoint restores the optimizer).
  public internal(set) var step = 0
  /// The batch-norm-folded weights of `infer` (Inference.swift), made on first use.
  var inferenceNetwork: InferenceNetwork?
  /// Whether `infer` runs the convolutions that have a Winograd kernel with it (Conv3D+Winograd)
  /// rather than the direct lowering; the benchmark turns it off to time both in one process.
  var inferenceUsesWinograd = true

  /// Builds the network and initialises it: he_normal (truncated) kernels from `seed`, zero
  /// biases, BN gamma 1, beta 0, moving mean 0, moving variance 1.
  public init(config: ResNet3DConfig, seed: UInt64, threads: Int = 2) {
    self.config = config
    self.threads = threads
    workers = Workers(count: threads)
    let inShape = VolumeShape(config.frames, config.height, config.width, config.inputChannels)
    input = Activation(inShape)
    stemConv = Conv3D(
      name: "stem.conv", input: inShape, filters: config.stemFilters, kernelSize: config.perAxis(7),
      stride: config.perAxis(2),
      padding: .same, fold: config.greyInput ? config.channels : 1)
    stemOut = Activation(stemConv.output)
    stemBN = BatchNormReLU(name: "stem.bn", channels: config.stemFilters)
    stemActivated = Activation(stemConv.output)
    pool = MaxPool3D(input: stemConv.output, pool: config.perAxis(3), stride: config.perAxis(2))
    pooled = Activation(pool.output)
    var blocks: [ResidualBlockLayer] = []
    var shape = pool.output
    for (s, reps) in config.repetitions.enumerated() {
      for b in 0..<reps {
        let block = ResidualBlockLayer(
          name: "stage\(s + 1).block\(b + 1)", input: shape, kind: config.block,
          filters: config.stageFilters[s], stride: (b == 0 && s > 0) ? 2 : 1, first: s == 0 && b == 0,
          perAxis: config.perAxis)
        blocks.append(block)
        shape = block.output.shape
      }
    }
    self.blocks = blocks
    headBN = BatchNormReLU(name: "head.bn", channels: shape.channels)
    headActivated = Activation(shape)
    dense = Dense(name: "head.dense", inputs: shape.channels, outputs: 1)

    var generator = SeededGenerator(seed: seed)
    for p in parameters where p.regularized {
      let fanIn = p.shape.dropLast().reduce(1, *)
      heNormal(p.value, fanIn: fanIn, generator: &generator)
    }
  }

  // MARK: - Introspection

  /// Every tensor in Keras creation order (trainable and BN moving statistics).
  public var parameters: [Parameter] {
    [stemConv.kernel, stemConv.bias] + stemBN.parameters + blocks.flatMap(\.parameters)
      + headBN.parameters + [dense.kernel, dense.bias]
  }

  /// Scalars in all tensors (Keras `count_params()`).
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

  /// Scalars Adam trains.
  public var trainableParameterCount: Int { parameters.filter(\.trainable).reduce(0) { $0 + $1.count } }

  /// Per-sample shape after conv1, after the max-pool and after each stage.
  public var stageShapes: [VolumeShape] {
    var shapes = [stemConv.output, pool.output]
    var index = 0
    for reps in config.repetitions {
      index += reps
      shapes.append(blocks[index - 1].output.shape)
    }
    return shapes
  }

  // MARK: - Public operations

  /// Logits (N) of a batch (N * clipSize floats, channels-last). `training` uses batch
  /// statistics in BN and updates the moving ones, as Keras' `training=True`.
  public func forward(batch: [Float], training: Bool = false) throws(ResNet3DError) -> [Float] {
    let n = try load(batch, withGradient: false)
    runForward(batch: n, training: training)
    return logits
  }

  /// Probabilities sigmoid(logit) with BN in inference mode, through the folded inference
  /// network (`infer`).
  public func predict(batch: [Float]) throws(ResNet3DError) -> [Float] {
    try infer(batch: batch).map(SigmoidCrossEntropy.sigmoid)
  }

  /// Loss (mean BCE + L2) of a batch in training mode, leaving its gradient in every parameter's
  /// `gradient` without updating weights (BN moving statistics are updated, as in Keras).
  @discardableResult
  public func computeGradients(inputs: [Float], labels: [Float]) throws(ResNet3DError) -> Float {
    let loss = try crossEntropyGradients(inputs: inputs, labels: labels)
    return loss + Profile.shared.measure("l2") { applyL2() }
  }

  /// One Adam step on a batch; returns the loss before the update (mean BCE + L2). The L2
  /// gradient is added inside the Adam pass (one sweep over the weights instead of two).
  @discardableResult
  public func trainStep(inputs: [Float], labels: [Float]) throws(ResNet3DError) -> Float {
    let loss = try crossEntropyGradients(inputs: inputs, labels: labels)
    step += 1
    let penalty = Profile.shared.measure("adam") {
      adamUpdate(parameters, step: step, settings: config.adam, l2: config.l2, workers: workers)
    }
    return loss + penalty
  }

  /// Mean BCE of a batch in training mode; its gradient (without L2) in every parameter.
  private func crossEntropyGradients(inputs: [Float], labels: [Float]) throws(ResNet3DError) -> Float {
    let n = try load(inputs, withGradient: true)
    guard labels.count == n else {
      throw .badInput("\(labels.count) labels for \(n) clips")
    }
    runForward(batch: n, training: true)
    for p in parameters where p.trainable { p.grad.zero(workers) }
    logitsGrad = Array(repeating: 0, count: n)
    let loss = logits.withUnsafeBufferPointer {
      SigmoidCrossEntropy.forward(logits: $0.address, labels: labels)
    }
    logits.withUnsafeBufferPointer { z in
      logitsGrad.withUnsafeMutableBufferPointer { g in
        SigmoidCrossEntropy.backward(logits: z.address, labels: labels, dlogits: g.address)
      }
    }
    runBackward(batch: n, training: true, inputGradient: false)
    return loss
  }

  /// Vanilla gradient of each clip's logit with respect to its input (BN in inference mode), same
  /// layout as the batch: the saliency map.
  public func inputGradient(batch: [Float]) throws(ResNet3DError) -> [Float] {
    try inputGradientAndLogits(batch: batch).gradient
  }

  /// The saliency maps of `inputGradient` and the logits of the same forward pass (BN in
  /// inference mode). Only the input's gradient is computed: no kernel, bias or batch-norm
  /// parameter gradients, which would double the backward pass's work.
  public func inputGradientAndLogits(batch: [Float]) throws(ResNet3DError) -> (
    gradient: [Float], logits: [Float]
  ) {
    let n = try load(batch, withGradient: true)
    runForward(batch: n, training: false, backward: true)
    logitsGrad = Array(repeating: 1, count: n)
    runBackward(batch: n, training: false, inputGradient: true, parameterGradients: false)
    return (input.grad.array, logits)
  }

  // MARK: - Forward / backward

  private func load(_ batch: [Float], withGradient: Bool) throws(ResNet3DError) -> Int {
    let size = config.clipSize
    guard !batch.isEmpty, batch.count % size == 0 else {
      throw .badInput("\(batch.count) floats is not a whole number of \(input.shape) clips")
    }
    let n = batch.count / size
    input.ensure(batch: n, withGradient: withGradient)
    input.value.copy(from: batch)
    for a in activations { a.ensure(batch: n, withGradient: withGradient) }
    return n
  }

  private var activations: [Activation] {
    [stemOut, stemActivated, pooled, headActivated]
      + blocks.flatMap { $0.units.flatMap { [$0.activated, $0.output].compactMap { $0 } } }
  }

  /// `backward`: a backward pass follows (max-pool then records its winners).
  private func runForward(batch n: Int, training: Bool, backward: Bool = false) {
    let w = workers
    let prof = Profile.shared
    prof.measure("conv1 forward") {
      stemConv.forward(input.value.pointer, stemOut.value.pointer, batch: n, ws: ws, workers: w)
    }
    prof.measure("bn-relu forward") {
      stemBN.forward(
        stemOut.value.pointer, stemActivated.value.pointer, rows: n * stemOut.shape.positions,
        training: training, workers: w)
    }
    prof.measure("maxpool forward") {
      pool.forward(
        stemActivated.value.pointer, pooled.value.pointer, batch: n, training: training || backward,
        workers: w)
    }
    var x = pooled
    for block in blocks {
      var h = x
      for unit in block.units {
        var convInput = h
        if let bn = unit.bn, let a = unit.activated {
          prof.measure("bn-relu forward") {
            bn.forward(
              h.value.pointer, a.value.pointer, rows: n * h.shape.positions, training: training, workers: w)
          }
          convInput = a
        }
        prof.measure("conv forward k\(unit.conv.kernel.shape[0]) \(unit.conv.output.channels)") {
          unit.conv.forward(convInput.value.pointer, unit.output.value.pointer, batch: n, ws: ws, workers: w)
        }
        h = unit.output
      }
      prof.measure("shortcut forward") {
        if let shortcut = block.shortcut {
          shortcut.forward(x.value.pointer, h.value.pointer, batch: n, ws: ws, workers: w, accumulate: true)
        } else {
          add(x.value.pointer, into: h.value.pointer, count: n * h.shape.count)
        }
      }
      x = h
    }
    let last = x
    prof.measure("head forward") {
      headBN.forward(
        last.value.pointer, headActivated.value.pointer, rows: n * last.shape.positions, training: training,
        workers: w)
      let c = last.shape.channels
      features = Array(repeating: 0, count: n * c)
      logits = Array(repeating: 0, count: n)
      features.withUnsafeMutableBufferPointer { f in
        GlobalAveragePool.forward(
          headActivated.value.pointer, f.address, batch: n, positions: last.shape.positions, channels: c)
        logits.withUnsafeMutableBufferPointer { z in dense.forward(f.address, z.address, batch: n) }
      }
    }
  }

  /// `parameterGradients`: accumulate every parameter's gradient (training); without it only the
  /// activations' gradients are computed (saliency maps).
  private func runBackward(batch n: Int, training: Bool, inputGradient: Bool, parameterGradients: Bool = true)
  {
    let params = parameterGradients
    let w = workers
    let prof = Profile.shared
    prof.measure("zero activation gradients") {
      for a in activations { a.grad.zero(w) }
      if inputGradient { input.grad.zero(w) }
    }
    let last = blocks.last?.output ?? pooled
    let c = last.shape.channels
    prof.measure("head backward") {
      featuresGrad = Array(repeating: 0, count: n * c)
      features.withUnsafeBufferPointer { f in
        featuresGrad.withUnsafeMutableBufferPointer { df in
          logitsGrad.withUnsafeBufferPointer { dz in
            dense.backward(f.address, dz.address, df.address, batch: n, parameterGradients: params)
          }
          GlobalAveragePool.backward(
            df.address, headActivated.grad.pointer, batch: n, positions: last.shape.positions,
            channels: c)
        }
      }
      headBN.backward(
        last.value.pointer, headActivated.value.pointer, headActivated.grad.pointer, last.grad.pointer,
        rows: n * last.shape.positions, training: training, workers: w, parameterGradients: params)
    }
    for (index, block) in blocks.enumerated().reversed() {
      let x = index == 0 ? pooled : blocks[index - 1].output
      let out = block.output
      prof.measure("shortcut backward") {
        if let shortcut = block.shortcut {
          shortcut.backward(
            x.value.pointer, out.grad.pointer, x.grad.pointer, batch: n, ws: ws, workers: w,
            parameterGradients: params)
        } else {
          add(out.grad.pointer, into: x.grad.pointer, count: n * out.shape.count)
        }
      }
      for (i, unit) in block.units.enumerated().reversed() {
        let h = i == 0 ? x : block.units[i - 1].output
        let convInput = unit.activated ?? h
        prof.measure("conv backward k\(unit.conv.kernel.shape[0]) \(unit.conv.output.channels)") {
          unit.conv.backward(
            convInput.value.pointer, unit.output.grad.pointer, convInput.grad.pointer, batch: n, ws: ws,
            workers: w, parameterGradients: params)
        }
        if let bn = unit.bn, let a = unit.activated {
          prof.measure("bn-relu backward") {
            bn.backward(
              h.value.pointer, a.value.pointer, a.grad.pointer, h.grad.pointer, rows: n * h.shape.positions,
              training: training, workers: w, parameterGradients: params)
          }
        }
      }
    }
    prof.measure("maxpool backward") {
      pool.backward(pooled.grad.pointer, stemActivated.grad.pointer, batch: n, workers: w)
    }
    prof.measure("bn-relu backward") {
      stemBN.backward(
        stemOut.value.pointer, stemActivated.value.pointer, stemActivated.grad.pointer, stemOut.grad.pointer,
        rows: n * stemOut.shape.positions, training: training, workers: w, parameterGradients: params)
    }
    // conv1 needs no input gradient except for saliency maps.
    prof.measure("conv1 backward") {
      stemConv.backward(
        input.value.pointer, stemOut.grad.pointer, inputGradient ? input.grad.pointer : nil, batch: n, ws: ws,
        workers: w, parameterGradients: params)
    }
  }

  /// y += x elementwise.
  private func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    let (px, py) = (SharedPointer(x), SharedPointer(y))
    workers.split(count, grain: 1 << 14) { range in
      for i in range { py[i] += px[i] }
    }
  }

  /// Adds the L2 gradient 2 * l2 * w to every regularized kernel; returns the penalty l2 * sum(w^2).
  private func applyL2() -> Float {
    let l2 = config.l2
    var penalty = 0.0
    for p in parameters where p.regularized {
      let (w, g) = (p.value.pointer, p.grad.pointer)
      var sum: Float = 0
      for i in 0..<p.count {
        sum += w[i] * w[i]
        g[i] += 2 * l2 * w[i]
      }
      penalty += Double(sum)
    }
    return Float(penalty) * l2
  }
}
