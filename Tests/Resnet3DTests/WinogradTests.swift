import Foundation
import Primitives
import Testing

@testable import Resnet3D

struct WinogradCase: Sendable, CustomStringConvertible {
  var input: VolumeShape
  var filters: Int
  var batch: Int
  var description: String { "\(input) -> \(filters), batch \(batch)" }
}

/// Odd sizes on every axis (partial tiles, a single-tile axis) and the stage-1 shape of R18 at
/// 60x30x30 (15x8x8, 64 channels).
private let winogradCases = [
  WinogradCase(input: VolumeShape(5, 3, 7, 3), filters: 5, batch: 3),
  WinogradCase(input: VolumeShape(1, 2, 3, 4), filters: 2, batch: 2),
  WinogradCase(input: VolumeShape(15, 8, 8, 64), filters: 64, batch: 2),
]

enum WinogradMode: CaseIterable, Sendable { case plain, accumulate, epilogue }

// Winograd adds and subtracts transformed values before multiplying: float32 rounding of a few
// 1e-6 relative; a wrong transform coefficient or a misplaced tile is off by whole units.
private let tolerance: Float = 1e-4

@Test(arguments: winogradCases, WinogradMode.allCases)
func winogradConvolutionIsTheDirectSum(_ c: WinogradCase, _ mode: WinogradMode) {
  let conv = Conv3D(
    name: "w", input: c.input, filters: c.filters, kernel: 3, stride: [1, 1, 1], padding: .same)
  #expect(conv.winogradEligible)
  let kernel = randomFloats(conv.kernel.count, seed: 1, scale: 0.2)
  let bias = randomFloats(c.filters, seed: 2)
  conv.kernel.setValues(kernel)
  conv.bias.setValues(bias)
  let x = randomFloats(c.batch * c.input.count, seed: 3)
  let reference = referenceConv(
    x: x, batch: c.batch, input: c.input, kernel: kernel, bias: bias, k: 3, stride: [1, 1, 1], padding: .same,
    filters: c.filters
  ).y
  let before = randomFloats(reference.count, seed: 4)
  let residual = randomFloats(reference.count, seed: 5)
  let scale = randomFloats(c.filters, seed: 6)
  let shift = randomFloats(c.filters, seed: 7)
  var y = mode == .accumulate ? before : [Float](repeating: .nan, count: reference.count)
  var next = [Float](repeating: .nan, count: reference.count)
  let u = conv.winogradKernel(stored: nil)
  residual.withUnsafeBufferPointer { r in
    scale.withUnsafeBufferPointer { s in
      shift.withUnsafeBufferPointer { t in
        next.withUnsafeMutableBufferPointer { nx in
          let epilogue =
            mode == .epilogue
            ? ConvEpilogue(
              residual: SharedPointer(r.address), relu: true,
              next: (SharedPointer(s.address), SharedPointer(t.address), SharedPointer(nx.address)))
            : .none
          x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
              conv.forwardWinograd(
                xp.address, yp.address, batch: c.batch, ws: Workspace(), workers: Workers(count: 2),
                kernel: u.pointer, bias: conv.bias.value.pointer, accumulate: mode == .accumulate,
                epilogue: epilogue)
            }
          }
        }
      }
    }
  }
  switch mode {
  case .plain:
    #expect(relativeError(y, reference) <= tolerance)
  case .accumulate:
    #expect(relativeError(y, zip(before, reference).map(+)) <= tolerance)
  case .epilogue:
    let activated = zip(reference, residual).map { max($0 + $1, 0) }
    #expect(relativeError(y, activated) <= tolerance)
    let expectedNext = activated.enumerated().map { i, v in
      max(v * scale[i % c.filters] + shift[i % c.filters], 0)
    }
    #expect(relativeError(next, expectedNext) <= tolerance)
  }
}

@Test func winogradTakesOnlyStrideOneThreeCubedSameConvolutions() {
  let input = VolumeShape(6, 6, 6, 4)
  func conv(k: Int, stride: Int, padding: Padding) -> Conv3D {
    Conv3D(
      name: "c", input: input, filters: 4, kernel: k, stride: [stride, stride, stride], padding: padding)
  }
  #expect(conv(k: 3, stride: 1, padding: .same).winogradEligible)
  #expect(!conv(k: 3, stride: 2, padding: .same).winogradEligible)
  #expect(!conv(k: 3, stride: 1, padding: .valid).winogradEligible)
  #expect(!conv(k: 1, stride: 1, padding: .same).winogradEligible)
  #expect(!conv(k: 5, stride: 1, padding: .same).winogradEligible)
}

@Test(arguments: [ResNet3DConfig.Preset.resnet18, .resnet50])
func inferenceWithWinogradGivesTheLogitsOfTheLayeredForwardAndTheDirectPath(_ preset: ResNet3DConfig.Preset)
  throws
{
  let config = ResNet3DConfig(
    preset: preset, frames: 17, height: 15, width: 13, widthMultiplier: 1.0 / 16, greyInput: true)
  let model = ResNet3D(config: config, seed: 41, threads: 2)
  randomizeNormalizations(model, seed: 42)
  let x = randomFloats(3 * config.clipSize, seed: 43)
  let layered = try model.forward(batch: x, training: false)
  #expect(model.inferenceUsesWinograd)
  let winograd = try model.infer(batch: x)
  // Some convolutions did run with Winograd: the comparison is not of the direct path with itself.
  #expect(!model.foldedNetwork().winograd.isEmpty)
  model.inferenceUsesWinograd = false
  let direct = try model.infer(batch: x)
  #expect(relativeError(winograd, layered) <= 1e-4, "\(winograd) vs \(layered)")
  #expect(relativeError(winograd, direct) <= 1e-4, "\(winograd) vs \(direct)")
}
