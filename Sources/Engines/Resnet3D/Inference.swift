// The inference network: the same model run for scores only, with the batch norms folded into
// the convolutions (BatchNormFolding.swift) and every remaining elementwise step done in a
// convolution's output pass (Conv3D+Epilogue.swift). Per block, the layer-by-layer forward
// reads and writes each activation three or four times (BN-ReLU, convolution, residual add);
// here each convolution writes its output once, already activated for the next one. Nothing
// that only backward needs is kept: no max-pool winners, no pre-activation copies, no gradients.
//
// Per block (pre-activation, s = stride):
//   shortcut (when present) writes h = shortcut(x)
//   unit i < last: a_{i+1} = relu(conv_i(a_i) folded with bn_{i+1})
//   last unit:     h (+)= conv_last(a_last) [+ x for an identity shortcut];
//                  the next block's a_1 (or the head's activation) = relu(bn(h)) in the same pass
// The stem: relu(conv1 folded with stem.bn), then the max-pool.

import Primitives

/// The folded weights of one model, valid while its parameters are unchanged.
final class InferenceNetwork {
  /// Sum of the parameters' write counters when the fold was made: any write changes it.
  let signature: Int
  let stem: FoldedConv
  /// Per block, per unit but the last: that unit's convolution with the next unit's batch norm.
  let inner: [[FoldedConv]]
  /// Per block: the batch norm that reads its residual sum (the next block's first unit's, or
  /// the head's).
  let after: [BatchNormAffine]
  /// Per convolution, its kernel in the layout its GEMMs read (Conv3D.gemmKernel), made once per
  /// fold instead of on every batch: for the tap-class convolutions that is a copy of the kernel
  /// per class (tens of MB per convolution at stages 2 and 3), which took about a tenth of
  /// inference time. Made while `preparedBudget` floats last; later convolutions make theirs
  /// per batch as before.
  let prepared: [ObjectIdentifier: FloatBuffer]
  /// Per stride-1 3x3x3 "same" convolution where Winograd pays (`usesWinograd`), its
  /// transformed kernel (Conv3D.winogradKernel) made from the kernel it multiplies by.
  let winograd: [ObjectIdentifier: FloatBuffer]
  /// 256 MB: the whole network of R18 at 60x30x30 (about 230 MB), part of larger ones.
  static let preparedBudget = 1 << 26

  /// - Parameter budget: floats of GEMM-layout kernels to keep (tests lower it).
  init(_ model: ResNet3D, signature: Int, budget: Int = InferenceNetwork.preparedBudget) {
    self.signature = signature
    stem = FoldedConv(model.stemConv, model.stemBN)
    inner = model.blocks.map { block in
      (0..<(block.units.count - 1)).map { i in
        guard let bn = block.units[i + 1].bn else {
          preconditionFailure("unit \(i + 2) of a residual block has a batch norm")
        }
        return FoldedConv(block.units[i].conv, bn)
      }
    }
    after = model.blocks.indices.map { index in
      guard index + 1 < model.blocks.count else { return BatchNormAffine(model.headBN) }
      guard let bn = model.blocks[index + 1].units[0].bn else {
        preconditionFailure("only the first block lacks its first batch norm")
      }
      return BatchNormAffine(bn)
    }
    // In the order inference runs them, each with the kernel it multiplies by (folded or stored).
    var convs: [(Conv3D, UnsafePointer<Float>?)] = [(model.stemConv, UnsafePointer(stem.kernel.pointer))]
    for (index, block) in model.blocks.enumerated() {
      if let shortcut = block.shortcut { convs.append((shortcut, nil)) }
      for (i, unit) in block.units.enumerated() {
        let folded = i + 1 < block.units.count ? UnsafePointer(inner[index][i].kernel.pointer) : nil
        convs.append((unit.conv, folded))
      }
    }
    var prepared: [ObjectIdentifier: FloatBuffer] = [:]
    var left = budget
    for (conv, kernel) in convs where conv.gemmKernelCount <= left {
      guard let buffer = conv.gemmKernel(stored: kernel, ws: model.ws) else { continue }
      prepared[ObjectIdentifier(conv)] = buffer
      left -= buffer.count
    }
    self.prepared = prepared
    var winograd: [ObjectIdentifier: FloatBuffer] = [:]
    for (conv, kernel) in convs where Self.usesWinograd(conv) {
      winograd[ObjectIdentifier(conv)] = conv.winogradKernel(stored: kernel)
    }
    self.winograd = winograd
  }

  /// Whether inference runs `conv` with Winograd: eligible convolutions whose Winograd products
  /// (64 per tile) are at most 2/3 of the direct lowering's (the valid taps of each position),
  /// the rest being the transforms and GEMMs with Ci instead of 27 Ci terms. On R18 at 60x30x30
  /// that takes stages 1 (15x8x8: 0.39 of the products, 1.5x faster) and 2 (8x4x4: 0.47, 1.7x)
  /// and leaves stage 3 (4x2x2: 1.6, no faster) and stage 4 (2x1x1: 16, 10x slower).
  static func usesWinograd(_ conv: Conv3D) -> Bool {
    guard conv.winogradEligible else { return false }
    let axes = [conv.lowering.axes.d, conv.lowering.axes.h, conv.lowering.axes.w]
    // Per axis, (output, tap) pairs that read inside the input; for "same" stride 1 that is 3n - 2.
    let direct = axes.map { 3 * $0.input - 2 }.reduce(1, *)
    let winograd = 64 * axes.map { ($0.input + 1) / 2 }.reduce(1, *)
    return 3 * winograd <= 2 * direct
  }

  /// The Winograd kernel of `conv`, if inference runs it with Winograd.
  func winogradKernel(_ conv: Conv3D) -> UnsafePointer<Float>? {
    winograd[ObjectIdentifier(conv)].map { UnsafePointer($0.pointer) }
  }

  /// Runs `conv` for inference (`Conv3D.forward`'s contract): with Winograd where this network has
  /// its transformed kernel and `winograd` is on, else the direct lowering with its kept kernel.
  func convolve(
    _ conv: Conv3D, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, ws: Workspace,
    workers: Workers, winograd: Bool, weights: ConvWeights? = nil, accumulate: Bool = false,
    epilogue: ConvEpilogue = .none
  ) {
    if winograd, let u = winogradKernel(conv) {
      conv.forwardWinograd(
        x, y, batch: batch, ws: ws, workers: workers, kernel: u,
        bias: weights?.bias ?? UnsafePointer(conv.bias.value.pointer), accumulate: accumulate,
        epilogue: epilogue)
    } else {
      conv.forward(
        x, y, batch: batch, ws: ws, workers: workers, accumulate: accumulate, weights: weights,
        epilogue: epilogue,
        prepared: preparedKernel(conv))
    }
  }

  /// The kept GEMM-layout kernel of `conv`, if any.
  func preparedKernel(_ conv: Conv3D) -> UnsafePointer<Float>? {
    prepared[ObjectIdentifier(conv)].map { UnsafePointer($0.pointer) }
  }
}

extension ResNet3D {
  /// Logits (N) of a batch with BN in inference mode, through the folded network: the same
  /// function as `forward(batch:training: false)` up to float rounding (about 1e-5 relative),
  /// keeping nothing for backward. Folds again whenever a parameter has changed.
  public func infer(batch: [Float]) throws(ResNet3DError) -> [Float] {
    let n = try loadForInference(batch)
    let net = foldedNetwork()
    return runInference(net, batch: n)
  }

  /// The folded weights for the current parameters (made on first use and after any change).
  func foldedNetwork() -> InferenceNetwork {
    let signature = parameters.reduce(0) { $0 &+ $1.version }
    if let net = inferenceNetwork, net.signature == signature { return net }
    let net = Profile.shared.measure("fold batch norms") { InferenceNetwork(self, signature: signature) }
    inferenceNetwork = net
    return net
  }

  /// Sizes only the tensors the inference network writes and copies the batch in.
  func loadForInference(_ batch: [Float]) throws(ResNet3DError) -> Int {
    let size = config.clipSize
    guard !batch.isEmpty, batch.count % size == 0 else {
      throw .badInput("\(batch.count) floats is not a whole number of \(input.shape) clips")
    }
    let n = batch.count / size
    var used = [input, stemActivated, pooled, headActivated]
    for block in blocks {
      used.append(block.output)
      used += block.units.compactMap(\.activated)
    }
    for a in used { a.ensure(batch: n, withGradient: false) }
    input.value.copy(from: batch)
    return n
  }

  func runInference(_ net: InferenceNetwork, batch n: Int) -> [Float] {
    let w = workers
    let winograd = inferenceUsesWinograd
    let prof = Profile.shared
    prof.measure("conv1 forward") {
      net.convolve(
        stemConv, input.value.pointer, stemActivated.value.pointer, batch: n, ws: ws, workers: w,
        winograd: winograd, weights: net.stem.weights, epilogue: ConvEpilogue(relu: true))
    }
    prof.measure("maxpool forward") {
      pool.forward(stemActivated.value.pointer, pooled.value.pointer, batch: n, training: false, workers: w)
    }
    var x = pooled
    for (index, block) in blocks.enumerated() {
      let h = block.output
      if let shortcut = block.shortcut {
        prof.measure("shortcut forward") {
          net.convolve(
            shortcut, x.value.pointer, h.value.pointer, batch: n, ws: ws, workers: w, winograd: winograd)
        }
      }
      var a = block.units[0].activated ?? x
      for (i, unit) in block.units.enumerated() {
        let key = "conv forward k\(unit.conv.kernel.shape[0]) \(unit.conv.output.channels)"
        if i + 1 < block.units.count {
          guard let next = block.units[i + 1].activated else {
            preconditionFailure("unit \(i + 2) of a residual block has a batch norm")
          }
          prof.measure(key) {
            net.convolve(
              unit.conv, a.value.pointer, next.value.pointer, batch: n, ws: ws, workers: w,
              winograd: winograd,
              weights: net.inner[index][i].weights, epilogue: ConvEpilogue(relu: true))
          }
          a = next
        } else {
          let reader = index + 1 < blocks.count ? blocks[index + 1].units[0].activated : headActivated
          guard let reader else { preconditionFailure("only the first block lacks its first batch norm") }
          let epilogue = net.after[index].epilogue(
            writingTo: reader.value.pointer,
            residual: block.shortcut == nil ? UnsafePointer(x.value.pointer) : nil)
          prof.measure(key) {
            net.convolve(
              unit.conv, a.value.pointer, h.value.pointer, batch: n, ws: ws, workers: w, winograd: winograd,
              accumulate: block.shortcut != nil, epilogue: epilogue)
          }
        }
      }
      x = h
    }
    return prof.measure("head forward") {
      let (positions, c) = (x.shape.positions, x.shape.channels)
      var features = [Float](repeating: 0, count: n * c)
      var logits = [Float](repeating: 0, count: n)
      features.withUnsafeMutableBufferPointer { f in
        GlobalAveragePool.forward(
          headActivated.value.pointer, f.address, batch: n, positions: positions, channels: c)
        logits.withUnsafeMutableBufferPointer { z in dense.forward(f.address, z.address, batch: n) }
      }
      return logits
    }
  }
}
