import ArgumentParser
import Foundation
import Media
import Platform

extension Pleura {
  struct Frame: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write one frame of a video or conversion as PNG.",
      discussion: """
        ID is a source video or conversion id, or a unique prefix of one (see `pleura videos`); \
        --at picks the frame shown at that time.

        Example:
          pleura frame vid_3f9a0c12 --at 1.5 -o frame.png
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @Argument(help: "A source video or conversion: its id, or the video's file name.") var id: String
    @Option(help: "Time in seconds.") var at = 0.0
    @Option(name: .shortAndLong, help: "Output PNG file.") var output: String

    func validate() throws {
      try FiniteNumber.check(["--at": at])
      guard at >= 0 else {
        throw ValidationError("--at \(String(format: "%g", at)): before the start of the video")
      }
    }

    func run() async throws {
      let file = try OutputPath.file(output)
      let catalog = try catalogOptions.open()
      let target = try MediaTarget.resolve(id, in: catalog)
      let image = try target.withFile(in: catalog) { url in try FrameGrabber.frame(of: url, at: at) }
      try file.write(PNGWriter.encode(image))
      print("wrote \(output) (\(image.width)x\(image.height), \(target.label) at \(at) s)")
    }
  }

  struct MMode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "mmode",
      abstract: "Write the M-mode image (one pixel column over time, left to right) as PNG.",
      discussion: """
        An M-mode image shows lung sliding as texture below the pleural line (a "seashore") and its \
        absence as straight lines (a "barcode"). The column defaults to the middle of the video's \
        current ROI.

        Example:
          pleura mmode vid_3f9a0c12 --column 320 -o mmode.png
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @Argument(help: "A source video or conversion: its id, or the video's file name.") var id: String
    @Option(help: "Pixel column.") var column: Int?
    @Option(help: "Row range Y0-Y1 (default: the ROI's rows, else the whole height).") var rows: String?
    @Option(name: .shortAndLong, help: "Output PNG file.") var output: String

    func run() async throws {
      let file = try OutputPath.file(output)
      let catalog = try catalogOptions.open()
      let target = try MediaTarget.resolve(id, in: catalog)
      guard let column = column ?? target.roi.map({ $0.x + $0.width / 2 }) else {
        throw ValidationError("\(target.label) has no ROI: give --column X (0-\(target.width - 1))")
      }
      var range: Range<Int>? = target.roi.map { $0.y..<$0.maxY }
      if let rows {
        guard let (top, bottom) = FrameRange.parse(rows), top >= 0, bottom > top, bottom <= target.height
        else {
          throw ValidationError("--rows '\(rows)' is not Y0-Y1 within 0-\(target.height)")
        }
        range = top..<bottom
      }
      guard (0..<target.width).contains(column) else {
        throw ValidationError("--column \(column) is outside the frame width \(target.width)")
      }
      let image = try target.withFile(in: catalog) { url in
        try MModeImage.make(from: url, column: column, rows: range)
      }
      try file.write(PNGWriter.encode(image))
      print("wrote \(output) (\(image.width)x\(image.height): column \(column) of \(target.label) over time)")
    }
  }

  struct Sheet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a contact sheet (evenly spaced frames with their times) as PNG.",
      discussion: """
        A grid of --columns by --rows frames spread over the whole video, each stamped with its time.

        Example:
          pleura sheet vid_3f9a0c12 --columns 4 --rows 3 -o sheet.png
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @Argument(help: "A source video or conversion: its id, or the video's file name.") var id: String
    @Option(help: "Columns.") var columns = 4
    @Option(help: "Rows.") var rows = 3
    @Option(name: .shortAndLong, help: "Output PNG file.") var output: String

    func validate() throws {
      for (name, value) in [("--columns", columns), ("--rows", rows)] where value < 1 {
        throw ValidationError("\(name) \(value): a contact sheet needs at least 1")
      }
    }

    func run() async throws {
      let file = try OutputPath.file(output)
      let catalog = try catalogOptions.open()
      let target = try MediaTarget.resolve(id, in: catalog)
      let image = try target.withFile(in: catalog) { url in
        try ContactSheet.make(from: url, columns: columns, rows: rows)
      }
      try file.write(PNGWriter.encode(image))
      print("wrote \(output) (\(image.width)x\(image.height), \(columns * rows) frames of \(target.label))")
    }
  }
}
