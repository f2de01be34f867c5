import ArgumentParser
import Foundation
import Media
import Platform
import Tiling

extension Pleura {
  struct Roi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "roi",
      abstract: "Pleural regions of interest: set, import, export, history, show, suggest.",
      discussion: """
        Cubes are tiled inside each video's current ROI. Every edit adds a version that supersedes \
        the previous one; older versions stay, and each dataset records the versions it used.

        Example:
          pleura roi suggest --all --apply
        """,
      subcommands: [Set.self, Import.self, Export.self, History.self, ShowOverlay.self, Suggest.self])

    static var defaultAuthor: String { ProcessInfo.processInfo.environment["USER"] ?? "unknown" }

    struct Set: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Set a video's ROI; an edit adds a version that supersedes the previous one.",
        discussion: """
          --rect is X,Y,W,H in the source video's pixels, or with --space conversion in the pixels of \
          its newest conversion. --frames limits the ROI to an inclusive frame range.

          Example:
            pleura roi set vid_3f9a0c12 --rect 120,200,300,90
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "A source video (id or file name), or a conversion id for its pixels.") var video:
        String
      @Option(help: "X,Y,W,H in pixels.") var rect: String
      @Option(help: "Inclusive frame range A-B.") var frames: String?
      @Option(help: "source or conversion (the video's newest conversion).") var space = "source"
      @Option(help: "Who drew it.") var author = Roi.defaultAuthor

      func validate() throws {
        guard PixelRect(parsing: rect) != nil else {
          throw ValidationError("--rect '\(rect)' is not X,Y,W,H")
        }
        guard ["source", "conversion"].contains(space) else {
          throw ValidationError("--space '\(space)' is not source or conversion")
        }
        if let frames {
          guard let (first, last) = FrameRange.parse(frames) else {
            throw ValidationError("--frames '\(frames)' is not A-B")
          }
          guard first >= 0, first <= last else {
            throw ValidationError("--frames \(frames): the first frame comes after the last")
          }
        }
      }

      func run() async throws {
        let catalog = try catalogOptions.open()
        let target = try MediaTarget.resolve(video, preferConversion: space == "conversion", in: catalog)
        let range = frames.flatMap(FrameRange.parse) ?? (-1, -1)
        guard let rect = PixelRect(parsing: rect) else {
          throw ValidationError("--rect '\(rect)' is not X,Y,W,H")
        }
        let entry = RoiEntry(
          video: target.video.id, conversion: target.conversion?.id ?? "", rect: rect,
          frameStart: range.0, frameEnd: range.1, author: author)
        try await RoiCommands.record([entry], catalog: catalog, options: catalogOptions)
      }
    }

    struct Import: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Import ROIs from CSV or JSON (video by id or by original file name).",
        discussion: """
          CSV columns: video,x,y,width,height[,frame_start,frame_end][,author][,conversion][,confidence] \
          (as `pleura roi export` writes them: a suggestion's confidence, 0-1, comes back with it, so a \
          low-confidence box stays marked). JSON: an array of objects with the same keys. All rows are \
          checked before any is stored.

          Example:
            pleura roi import rois.csv --author jdoe
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "CSV or JSON file.") var file: String
      @Option(help: "Author for rows that name none.") var author = Roi.defaultAuthor

      func run() async throws {
        let url = try InputFile.check(file)
        let catalog = try catalogOptions.open()
        let entries: [RoiEntry]
        do {
          entries = try RoiFile.read(url, defaultAuthor: author, catalog: catalog)
        } catch let error as RoiFileError {
          throw ValidationError(error.description)
        }
        try await RoiCommands.record(entries, catalog: catalog, options: catalogOptions)
      }
    }

    struct Export: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Export every video's current ROI as CSV (or JSON with --json).",
        discussion: """
          The CSV has the columns `pleura roi import` reads, so ROIs can be edited elsewhere and \
          imported back.

          Example:
            pleura roi export > rois.csv
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions

      func run() async throws {
        let rows = try RoiViews.current(try catalogOptions.open())
        if output.json { return try output.printJSON(rows) }
        print(
          "video,file_name,version,x,y,width,height,frame_start,frame_end,author,conversion,confidence,low_confidence"
        )
        for row in rows {
          let fields: [String] = [
            row.video, row.fileName, "\(row.version)", "\(row.x)", "\(row.y)", "\(row.width)",
            "\(row.height)",
            row.frameStart.map(String.init) ?? "", row.frameEnd.map(String.init) ?? "", row.author,
            row.conversion ?? "", row.confidence.map { String(format: "%.2f", $0) } ?? "",
            row.confidence.map { RoiConfidence.isLow($0) ? "yes" : "no" } ?? "",
          ]
          print(fields.map(RoiFile.csvField).joined(separator: ","))
        }
      }
    }

    struct History: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Every ROI version of a video, oldest first.",
        discussion: """
          Example:
            pleura roi history vid_3f9a0c12
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "A source video: its id or file name.") var video: String

      func run() async throws {
        let catalog = try catalogOptions.openForReading()
        let target = try MediaTarget.resolve(video, in: catalog)
        let versions = try await catalog.database.read { db in
          try RoiAnnotation.history(forVideo: target.video.id, in: db)
        }
        if output.json { return try output.printJSON(versions) }
        if versions.isEmpty { return print("\(target.video.id) has no ROI yet") }
        Terminal.table(
          ["VERSION", "ID", "RECT", "SPACE", "FRAMES", "AUTHOR", "CONFIDENCE", "CREATED"],
          versions.map { roi in
            [
              "\(roi.version)", roi.id, roi.rect.description, roi.conversionId ?? "source",
              roi.frameStart.map { "\($0)-\(roi.frameEnd.map(String.init) ?? "")" } ?? "all", roi.author,
              roi.confidence.map(RoiConfidence.describe) ?? "-", roi.createdAt,
            ]
          })
      }
    }

    struct Suggest: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract:
          "Propose the pleural ROI with a confidence and its reasons; --apply records confident ones.",
        discussion: """
          The suggestion finds the picture's valid region (ignoring black surround and burned-in overlays), \
          the rib shadows and the pleural line below the chest wall, and bounds the depth where the echo \
          signal ends. Each rectangle comes with a confidence (0-1) and its reasons; below --min-confidence \
          it is shown as low-confidence and --apply leaves it alone. Look at it with `pleura roi show` before \
          building a dataset.

          --all proposes for every source video that has no ROI yet; an ROI already set is never \
          superseded by it.

          Example:
            pleura roi suggest vid_3f9a0c12 vid_81b2aa07 --apply
            pleura roi suggest --all --apply
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @OptionGroup var output: OutputOptions
      @Argument(help: "Source videos: ids or file names.") var videos: [String] = []
      @Flag(help: "Every source video that has no ROI yet.") var all = false
      @Flag(
        help: "Record each suggestion at or above --min-confidence as a new ROI version (author roi-suggest)."
      )
      var apply = false
      @Option(help: "Lowest confidence (0-1) that --apply records.")
      var minConfidence = RoiSuggester.defaultMinimumConfidence

      func validate() throws {
        guard all || !videos.isEmpty else {
          throw ValidationError(
            "no videos named: give source video ids (see `pleura videos`), or --all for every video without an ROI"
          )
        }
        guard !all || videos.isEmpty else { throw ValidationError("give VIDEO ids or --all, not both") }
        try FiniteNumber.check(["--min-confidence": minConfidence])
        guard (0...1).contains(minConfidence) else {
          throw ValidationError("--min-confidence \(minConfidence) is outside 0...1")
        }
      }

      func run() async throws {
        let catalog = try catalogOptions.open()
        var entries: [RoiEntry] = []
        var results: [SuggestResult] = []
        var failures = 0
        let videos = all ? try await catalog.database.read(MediaTarget.videosWithoutRoi) : self.videos
        if all && videos.isEmpty && !output.json { Swift.print("every source video already has an ROI") }
        for id in videos {
          let target = try MediaTarget.resolve(id, in: catalog)
          do {
            let suggestion = try target.withFile(in: catalog) { url in
              try RoiSuggester.suggest(url: url, frameCount: target.frameCount)
            }
            let applies = apply && suggestion.confidence >= minConfidence
            results.append(SuggestResult(video: target.video.id, suggestion: suggestion, applied: applies))
            if applies {
              entries.append(
                RoiEntry(
                  video: target.video.id, rect: suggestion.rect, author: "roi-suggest",
                  confidence: suggestion.confidence))
            }
          } catch {
            failures += 1
            results.append(
              SuggestResult(
                video: target.video.id, suggestion: nil, applied: false, problem: String(describing: error)))
          }
        }
        if output.json {
          try output.printJSON(results)
        } else {
          for result in results { print(result, threshold: minConfidence, apply: apply) }
        }
        if !entries.isEmpty {
          try await RoiCommands.record(entries, catalog: catalog, options: catalogOptions)
        }
        if failures > 0 { throw ExitCode(1) }
      }

      func print(_ result: SuggestResult, threshold: Double, apply: Bool) {
        guard let rect = result.rect, let confidence = result.confidence else {
          return Terminal.warn("\(result.video): \(result.problem ?? "no ROI suggested")")
        }
        Swift.print(
          "\(result.video): ROI \(rect) (pleural line at row \(result.pleuraY.map(String.init) ?? "?")), confidence "
            + RoiConfidence.describe(confidence))
        for reason in result.reasons ?? [] { Swift.print("  - \(reason)") }
        if apply, !result.applied {
          Swift.print(
            String(
              format: "  not applied: confidence %.2f is below %.2f (--min-confidence)", confidence, threshold
            ))
        }
      }
    }

    struct SuggestResult: Encodable {
      var video: String
      var rect: PixelRect?
      var pleuraY: Int?
      var confidence: Double?
      var lowConfidence: Bool?
      var reasons: [String]?
      var probe: String?
      var applied: Bool
      var problem: String?

      init(video: String, suggestion: RoiSuggester.Suggestion?, applied: Bool, problem: String? = nil) {
        self.video = video
        rect = suggestion?.rect
        pleuraY = suggestion?.pleuraY
        confidence = suggestion?.confidence
        lowConfidence = suggestion?.isLowConfidence
        reasons = suggestion?.reasons
        probe = suggestion?.probe
        self.applied = applied
        self.problem = problem
      }
    }

    struct ShowOverlay: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Write a frame with the ROI and its tile grid drawn on it (PNG).",
        discussion: """
          A source video id shows its newest conversion when it has one, so the grid is the one \
          tiling will use; --tile sets the tile size.

          Example:
            pleura roi show vid_3f9a0c12 --tile 30 -o roi.png
          """)
      @OptionGroup var catalogOptions: CatalogOptions
      @Argument(help: "A source video (id or file name; shows its newest conversion) or a conversion id.")
      var video: String
      @Option(help: "Tile size of the grid.") var tile = 30
      @Option(help: "Time in seconds.") var at = 0.0
      @Option(name: .shortAndLong, help: "Output PNG file.") var output: String

      func validate() throws {
        try FiniteNumber.check(["--at": at])
        guard DatasetRecipe.tileSizes.contains(tile) else {
          throw ValidationError("--tile \(tile): a tile is \(DatasetRecipe.tileSizes) pixels, as in recipes")
        }
        guard at >= 0 else {
          throw ValidationError("--at \(String(format: "%g", at)): before the start of the video")
        }
      }

      func run() async throws {
        let file = try OutputPath.file(output)
        let catalog = try catalogOptions.open()
        var target = try MediaTarget.resolve(video, in: catalog)
        if target.conversion == nil,
          let converted = try? MediaTarget.resolve(video, preferConversion: true, in: catalog)
        {
          target = converted
        }
        guard let roi = target.roi else {
          throw MediaTargetError.noRoi(video: target.video.id, fileName: target.video.fileName)
        }
        let frame = try target.withFile(in: catalog) { url in try FrameGrabber.frame(of: url, at: at) }
        let low = target.roiConfidence.map(RoiConfidence.isLow) ?? false
        let image = RoiOverlay.draw(frame: frame, roi: roi, tile: tile, lowConfidence: low)
        try file.write(PNGWriter.encode(image))
        print(
          "wrote \(output): ROI \(roi) (version \(target.roiVersion ?? 0)) with a \(tile) px grid on \(target.label)"
            + (target.roiConfidence.map { "; suggested with confidence \(RoiConfidence.describe($0))" } ?? "")
            + (low ? " (drawn dashed in red)" : ""))
      }
    }
  }
}

/// Shared by the `roi` subcommands.
enum RoiCommands {
  static func record(_ entries: [RoiEntry], catalog: Catalog, options: CatalogOptions) async throws {
    do {
      let outcome = try await options.runner(catalog).run(RoiPlugin.self, parameters: .init(entries: entries))
      RunReport.print(outcome)
    } catch let error as RoiError {
      throw ValidationError(error.description)
    }
  }
}

/// `A-B`: two whole numbers, neither negative (`-3-5` is refused, not read as 3-5).
enum FrameRange {
  static func parse(_ text: String) -> (Int, Int)? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == 2, let a = parts[0], let b = parts[1] else { return nil }
    return (a, b)
  }
}
