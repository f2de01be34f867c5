import ArgumentParser
import Foundation
import Media
import Platform

/// Every option's default is the plugin's own.
private let defaults = TranscodePlugin.Parameters()

extension Pleura {
  struct Transcode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Convert source videos to the working format (default: 640x480, 30 fps, H.264 MP4).",
      discussion: """
        Datasets are tiled from conversions. Each video is its own run; one that fails does not stop \
        the others. A video already converted with the same parameters reuses that run.

        Example:
          pleura transcode --all
        """)

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Source videos: ids or file names.") var videos: [String] = []
    @Flag(help: "Every source video without a conversion for these parameters (with --force: every one).")
    var all = false
    @Option(help: "Output width.") var width = defaults.width
    @Option(help: "Output height.") var height = defaults.height
    @Option(help: "Output frame rate, e.g. 30 or 30000/1001.")
    var fps = VideoRational(defaults.fpsNumerator, defaults.fpsDenominator).shortDescription
    @Option(help: "h264, h264-lossless, ffv1 or mpeg4.") var codec = defaults.codec
    @Option(help: "x264 constant rate factor.") var crf = defaults.crf
    @Option(help: "x264 preset.") var preset = defaults.preset
    @Option(help: "stretch or letterbox.") var scaling = defaults.scaling
    @Flag(help: "Convert again, even what is already converted with these parameters.") var force = false

    func validate() throws {
      try FiniteNumber.check(["--crf": crf])
      guard all || !videos.isEmpty else {
        throw ValidationError(
          "no videos named: give source video ids (see `pleura videos`), or --all for every video not yet converted"
        )
      }
      guard !all || videos.isEmpty else { throw ValidationError("give VIDEO ids or --all, not both") }
      guard fpsRational != nil else {
        throw ValidationError("--fps '\(fps)' is not a rate such as 30 or 30000/1001")
      }
      do { _ = try TranscodePlugin.options(parameters) } catch {
        throw ValidationError(String(describing: error))
      }
    }

    /// The rate as the media library parses it ("30", "30000/1001").
    var fpsRational: (Int, Int)? { VideoRational(fps).map { ($0.numerator, $0.denominator) } }

    var parameters: TranscodePlugin.Parameters {
      var parameters = TranscodePlugin.Parameters()
      parameters.width = width
      parameters.height = height
      (parameters.fpsNumerator, parameters.fpsDenominator) =
        fpsRational ?? (defaults.fpsNumerator, defaults.fpsDenominator)
      parameters.codec = codec
      parameters.crf = crf
      parameters.preset = preset
      parameters.scaling = scaling
      return parameters
    }

    func run() async throws {
      let catalog = try catalogOptions.open()
      let parameters = parameters
      let targets: [EntityRef] = try await catalog.database.read { db in
        if all { return try TranscodePlugin.videosToConvert(parameters, again: force, in: db) }
        return try videos.map { try EntityLookup.resolve(name: $0, as: [.sourceVideo], in: db) }
      }
      let outcomes = try await BatchRun.each(
        targets, catalogOptions.runner(catalog), progress: "transcode", unit: "videos"
      ) { runner, target in
        try await runner.run(TranscodePlugin.self, parameters: parameters, inputs: [target], force: force)
      }
      if all && targets.isEmpty && !output.json {
        print("every source video is already converted with these parameters")
      }
      try outcomes.report(json: output)
    }
  }
}
