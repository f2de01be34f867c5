import Foundation
import Media
import Platform

/// Every pixel column of a conversion over time, kept in memory so that the M-mode strip under
/// the cursor answers at once: the video is decoded once, then any column's M-mode is a copy.
///
/// A stack holds at most `byteLimit` bytes: a longer or larger video keeps every second (third,
/// ...) column and the strip shows the nearest kept one. At most `maximumStacks` stacks are kept, the
/// least recently used dropped first (640x480, 10 s at 30 fps is 92 MB; at 2 it fits 3 such).
actor LumaStackCache {
  static let byteLimit = 96 << 20
  static let maximumStacks = 3

  struct Stack: Sendable {
    var width: Int
    var height: Int
    /// Frames decoded; `capacity` frames are laid out per column.
    var frames: Int
    var capacity: Int
    /// Columns 0, step, 2 step, ... are kept.
    var step: Int
    /// [kept column][frame][row]
    var pixels: [UInt8]

    /// The M-mode of the kept column nearest `x`: time left to right, depth top to bottom.
    func mmode(column x: Int) -> GrayImage {
      let kept = min((x + step / 2) / step, (width - 1) / step)
      var out = [UInt8](repeating: 0, count: frames * height)
      pixels.withUnsafeBufferPointer { source in
        let base = kept * capacity * height
        for frame in 0..<frames {
          for row in 0..<height { out[row * frames + frame] = source[base + frame * height + row] }
        }
      }
      return GrayImage(width: frames, height: height, pixels: out)
    }
  }

  private var stacks: [String: Stack] = [:]
  private var order: [String] = []
  private var building: [String: Task<Stack, any Error>] = [:]

  func stack(for conversion: Conversion, catalog: Catalog) async throws -> Stack {
    if let stack = stacks[conversion.id] {
      order.removeAll { $0 == conversion.id }
      order.append(conversion.id)
      return stack
    }
    if let task = building[conversion.id] { return try await task.value }
    let task = Task.detached { try Self.build(conversion, catalog: catalog) }
    building[conversion.id] = task
    defer { building[conversion.id] = nil }
    let stack = try await task.value
    stacks[conversion.id] = stack
    order.append(conversion.id)
    while order.count > Self.maximumStacks { stacks[order.removeFirst()] = nil }
    return stack
  }

  static func build(_ conversion: Conversion, catalog: Catalog) throws -> Stack {
    try catalog.blobs.withNamedPath(
      conversion.blobSha256, of: "conversion \(conversion.id)", fileName: conversion.fileName
    ) { url in
      let (width, height) = (conversion.width, conversion.height)
      let frames = max(1, conversion.frameCount)
      let step = max(1, Int((Double(width * height * frames) / Double(byteLimit)).rounded(.up)))
      let kept = (width + step - 1) / step
      var pixels = [UInt8](repeating: 0, count: kept * frames * height)
      let decoder = try VideoDecoder(url: url)
      var index = 0
      while index < frames, let frame = try decoder.nextFrame() {
        let image = frame.image
        guard image.width == width, image.height == height else { break }
        image.pixels.withUnsafeBufferPointer { source in
          for k in 0..<kept {
            let column = k * step
            let base = (k * frames + index) * height
            for row in 0..<height { pixels[base + row] = source[row * width + column] }
          }
        }
        index += 1
      }
      return Stack(
        width: width, height: height, frames: index, capacity: frames, step: step, pixels: pixels)
    }
  }
}

/// The automatic ROI suggestion of a conversion (its box, confidence and reasons), computed once per
/// conversion.
actor SuggestionCache {
  private var found: [String: RoiSuggester.Suggestion] = [:]

  func suggestion(for conversion: Conversion, catalog: Catalog) async throws -> RoiSuggester.Suggestion {
    if let suggestion = found[conversion.id] { return suggestion }
    let suggestion = try await Task.detached {
      try catalog.blobs.withNamedPath(
        conversion.blobSha256, of: "conversion \(conversion.id)", fileName: conversion.fileName
      ) { url in
        do {
          return try RoiSuggester.suggest(url: url, frameCount: conversion.frameCount)
        } catch let failure as RoiSuggester.Failure {
          throw WorkbenchError(
            .init(code: 422, reasonPhrase: "Unprocessable Content"),
            "no ROI suggestion for this video: \(failure.description)")
        }
      }
    }.value
    found[conversion.id] = suggestion
    return suggestion
  }
}
