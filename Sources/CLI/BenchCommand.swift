import ArgumentParser
import Foundation
import Resnet3D

/// `pleura bench ...`: speed figures of the engines (the side-by-side runs live in benchmarks/).
struct BenchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure the speed of Pleura's engines.",
    discussion: """
      Figures for this machine; benchmarks/ runs them beside other tools.

      Example:
        pleura bench train --arch resnet3d-18 --input 60x30x30 --batch 32
      """,
    subcommands: [Train.self, Transcode.self, Tile.self, Verify.self, Roi.self]
  )
}

extension BenchCommand {
  /// `pleura bench train --arch resnet3d-18 --input 60x30x30 --batch 32`
  struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "train",
      abstract: "Training and inference throughput of a ResNet3D on random grey clips, and peak memory.",
      discussion: """
        Example:
          pleura bench train --arch resnet3d-18 --input 60x30x30 --batch 32

        The convolutions' GEMMs run on Pleura's AVX-512 kernel where the CPU has AVX-512F, else on
        OpenBLAS; PLEURA_GEMM=openblas in the environment forces OpenBLAS, to compare the two.
        """
    )

    @Option(help: "resnet3d-18, resnet3d-34, resnet3d-50 or resnet-18 (2D; input 1xHxW).")
    var arch = "resnet3d-18"

    @Option(help: "Clip size FRAMESxHEIGHTxWIDTH.")
    var input = "60x30x30"

    @Option(help: "Clips per batch.")
    var batch = 32

    @Option(help: "Timed steps (the median is reported).")
    var steps = 6

    @Option(help: "Untimed warm-up steps before timing.")
    var warmup = 2

    @Option(help: "Width multiplier (1 = the paper's network).")
    var width = 1.0

    @Option(help: "Worker threads.")
    var threads = 2

    @Flag(help: "Feed three (identical) channels instead of using the exact one-channel conv1 saving.")
    var rgb = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
      try FiniteNumber.check(["--width": width])
      _ = try parsedInput()
      guard batch >= 1, steps >= 1, warmup >= 0, threads >= 1, width > 0 else {
        throw ValidationError(
          "--batch, --steps and --threads must be at least 1, --warmup at least 0, --width positive")
      }
      do { _ = try ResNet3DConfig.Preset.named(arch) } catch { throw ValidationError(error.description) }
    }

    private func parsedInput() throws -> [Int] {
      let parts = input.split(separator: "x").compactMap { Int($0) }
      guard parts.count == 3, parts.allSatisfy({ $0 > 0 }) else {
        throw ValidationError("--input must look like 60x30x30 (frames x height x width), got '\(input)'")
      }
      return parts
    }

    func run() async throws {
      let size = try parsedInput()
      let config = ResNet3DConfig(
        preset: try ResNet3DConfig.Preset.named(arch), frames: size[0], height: size[1], width: size[2],
        widthMultiplier: width, greyInput: !rgb)
      let result = try Resnet3DBenchmark(
        config: config, batch: batch, warmup: warmup, steps: steps, threads: threads
      ).run()
      if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
        return
      }
      let trainMedian = Double(batch) / result.trainClipsPerSecond
      let inferMedian = Double(batch) / result.inferClipsPerSecond
      print(
        "\(arch) input \(input) batch \(batch) threads \(threads) width \(width)\(rgb ? " rgb" : " grey")"
          + ", GEMM kernel \(result.gemmKernel)")
      print(
        String(format: "train: %.2f clips/s (median %.3f s/step)", result.trainClipsPerSecond, trainMedian))
      print(
        String(
          format: "inference: %.2f clips/s (median %.3f s/batch)", result.inferClipsPerSecond, inferMedian))
      print(
        String(
          format: "inference without Winograd (direct folded): %.2f clips/s, %.3f CPU s/batch",
          result.directInferClipsPerSecond, result.directInferCPUSecondsPerBatch))
      print(
        String(
          format: "layer-by-layer inference (unfolded): %.2f clips/s; training-mode forward: %.2f clips/s",
          result.layeredInferClipsPerSecond, result.trainingForwardClipsPerSecond))
      print(String(format: "peak RSS: %.0f MiB", Double(result.peakRSSBytes) / 1_048_576))
      print(
        String(
          format: "CPU time: %.3f s per training step, %.3f s per inference batch",
          result.trainCPUSecondsPerStep, result.inferCPUSecondsPerBatch))
    }
  }
}
