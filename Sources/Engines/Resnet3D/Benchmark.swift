// Throughput of training and inference on random clips, and the process's peak memory.

import Foundation
import Primitives

/// Runs warm-up and timed training steps and inference batches on one model.
///
/// ```swift
/// let result = try Resnet3DBenchmark(config: .init(preset: .resnet18, greyInput: true)).run()
/// print(result.trainClipsPerSecond, result.inferClipsPerSecond)
/// ```
public struct Resnet3DBenchmark: Sendable {
  public var config: ResNet3DConfig
  public var batch: Int
  public var warmup: Int
  public var steps: Int
  public var threads: Int
  public var seed: UInt64

  public init(
    config: ResNet3DConfig, batch: Int = 32, warmup: Int = 2, steps: Int = 6, threads: Int = 2,
    seed: UInt64 = 0
  ) {
    self.config = config
    self.batch = batch
    self.warmup = warmup
    self.steps = steps
    self.threads = threads
    self.seed = seed
  }

  public struct Result: Sendable, Codable {
    public var architecture: String
    public var input: String
    public var batch: Int
    public var threads: Int
    /// Who ran the convolutions' GEMMs: "pleura" (its AVX-512 kernel) or "openblas" (Gemm.swift).
    public var gemmKernel: String
    public var trainStepSeconds: [Double]
    public var inferBatchSeconds: [Double]
    /// Clips per second from the median step time.
    public var trainClipsPerSecond: Double
    public var inferClipsPerSecond: Double
    /// VmHWM of the process in bytes (0 where /proc is missing).
    public var peakRSSBytes: Int
    /// Process CPU time (user + system) per timed training step and inference batch: a cost that
    /// other processes on the machine disturb far less than wall time.
    public var trainCPUSecondsPerStep: Double
    public var inferCPUSecondsPerBatch: Double
    /// The layer-by-layer forward with BN in inference mode (the path `infer` replaces), and in
    /// training mode (what batch-norm calibration runs over the training cubes every epoch).
    public var layeredInferClipsPerSecond: Double
    public var trainingForwardClipsPerSecond: Double
    /// The folded network with every convolution on the direct lowering (no Winograd), timed in
    /// the same process as `inferClipsPerSecond` so that the two compare under the same load.
    public var directInferClipsPerSecond: Double
    public var directInferCPUSecondsPerBatch: Double
  }

  public func run() throws -> Result {
    let model = ResNet3D(config: config, seed: seed, threads: threads)
    var generator = SeededGenerator(seed: seed &+ 1)
    let clips = (0..<(batch * config.clipSize)).map { _ in Float(generator.normal()) }
    let labels = (0..<batch).map { _ in Float(generator.next() & 1) }
    func time(_ body: () throws -> Void) rethrows -> Double {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    for _ in 0..<warmup { try model.trainStep(inputs: clips, labels: labels) }
    Profile.shared.reset()
    let cpu0 = Self.cpuSeconds()
    let train = try (0..<steps).map { _ in try time { try model.trainStep(inputs: clips, labels: labels) } }
    let cpu1 = Self.cpuSeconds()
    if Profile.shared.enabled { print("training, \(steps) steps:\n" + Profile.shared.report()) }
    // Inference as evaluation runs it: the batch-norm-folded network (Inference.swift).
    for _ in 0..<warmup { _ = try model.infer(batch: clips) }
    Profile.shared.reset()
    let cpu2 = Self.cpuSeconds()
    let infer = try (0..<steps).map { _ in try time { _ = try model.infer(batch: clips) } }
    let cpu3 = Self.cpuSeconds()
    if Profile.shared.enabled { print("inference, \(steps) batches:\n" + Profile.shared.report()) }
    model.inferenceUsesWinograd = false
    for _ in 0..<warmup { _ = try model.infer(batch: clips) }
    Profile.shared.reset()
    let cpu4 = Self.cpuSeconds()
    let direct = try (0..<steps).map { _ in try time { _ = try model.infer(batch: clips) } }
    let cpu5 = Self.cpuSeconds()
    model.inferenceUsesWinograd = true
    if Profile.shared.enabled { print("direct inference, \(steps) batches:\n" + Profile.shared.report()) }
    let layered = try (0..<steps).map { _ in try time { _ = try model.forward(batch: clips, training: false) }
    }
    let trainingForward = try (0..<steps).map { _ in
      try time { _ = try model.forward(batch: clips, training: true) }
    }
    return Result(
      architecture: config.architecture,
      input: "\(config.frames)x\(config.height)x\(config.width)x\(config.inputChannels)",
      batch: batch, threads: threads, gemmKernel: Gemm.kernel.rawValue, trainStepSeconds: train,
      inferBatchSeconds: infer,
      trainClipsPerSecond: Double(batch) / Self.median(train),
      inferClipsPerSecond: Double(batch) / Self.median(infer), peakRSSBytes: Self.peakRSSBytes(),
      trainCPUSecondsPerStep: (cpu1 - cpu0) / Double(steps),
      inferCPUSecondsPerBatch: (cpu3 - cpu2) / Double(steps),
      layeredInferClipsPerSecond: Double(batch) / Self.median(layered),
      trainingForwardClipsPerSecond: Double(batch) / Self.median(trainingForward),
      directInferClipsPerSecond: Double(batch) / Self.median(direct),
      directInferCPUSecondsPerBatch: (cpu5 - cpu4) / Double(steps))
  }

  static func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  /// User + system CPU time of the process so far.
  static func cpuSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
      getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
      getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  /// Peak resident set size (VmHWM in /proc/self/status), in bytes.
  public static func peakRSSBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
      return kb * 1024
    }
    return 0
  }
}
