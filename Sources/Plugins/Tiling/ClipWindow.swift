import Foundation
import Media

/// The frames of one video streamed through a window of one clip's length, for both cutters
/// (`CubeCutter`'s clips, `MModeCutter`'s windows): each frame's kept pixels (a crop) go in, each
/// clip comes out as soon as its last frame is in, and frames before the next clip's start are
/// dropped, so memory holds at most one clip (or the overlap of two) whatever the video's length.
/// Clip starts may overlap, touch or leave gaps (the frames of a gap are decoded, not kept).
struct ClipWindow {
  /// First frames of the clips, ascending.
  let starts: [Int]
  /// Frames per clip.
  let length: Int
  /// frames[i] holds the crop of frame `firstFrame + i`.
  private var frames: [[UInt8]] = []
  private var firstFrame: Int
  /// The clip to emit next; `starts.count` once every clip is out.
  private(set) var nextClip = 0

  /// Nil without clips.
  init?(starts: [Int], length: Int) {
    guard let first = starts.first else { return nil }
    self.starts = starts
    self.length = length
    firstFrame = first
  }

  /// One past the last frame any clip needs.
  var framesNeeded: Int { (starts.last ?? 0) + length }

  /// Whether every clip has been emitted.
  var isComplete: Bool { nextClip == starts.count }

  /// Whether frame `index` still belongs in the window (it lies before no clip's start that is
  /// left, and some clip needs it).
  func wants(_ index: Int) -> Bool { index >= firstFrame && index < framesNeeded }

  /// Adds the crop of the next wanted frame and hands over every clip it completes: its index,
  /// its first frame, and its `length` crops (a slice of the window, indices as they lie).
  mutating func append(
    _ crop: [UInt8], emit: (_ clip: Int, _ start: Int, _ frames: ArraySlice<[UInt8]>) throws -> Void
  ) rethrows {
    frames.append(crop)
    while nextClip < starts.count, starts[nextClip] + length <= firstFrame + frames.count {
      let start = starts[nextClip]
      try emit(nextClip, start, frames[(start - firstFrame)..<(start - firstFrame + length)])
      nextClip += 1
      // Frames before the next clip's start are no longer needed.
      let keepFrom = nextClip < starts.count ? starts[nextClip] : firstFrame + frames.count
      let drop = min(frames.count, max(0, keepFrom - firstFrame))
      frames.removeFirst(drop)
      firstFrame += drop
      if frames.isEmpty { firstFrame = max(firstFrame, keepFrom) }  // a gap between clips
    }
  }

  /// Decodes `source` once and feeds the window the crop of every wanted frame (`crop` makes it
  /// from the decoded image, or throws when the image is too small), stopping after the last
  /// clip. Fewer frames than the clips need is an error naming `conversion`.
  static func stream(
    _ source: URL, starts: [Int], length: Int, conversion: String, cancelled: () -> Bool,
    crop: (GrayImage) throws -> [UInt8],
    emit: (_ clip: Int, _ start: Int, _ frames: ArraySlice<[UInt8]>) throws -> Void
  ) throws {
    guard var window = ClipWindow(starts: starts, length: length) else {
      throw TilingError.nothingToCut(conversion: conversion)
    }
    var seen = 0
    let decoder = try VideoDecoders.open(source)
    while let frame = try decoder.nextFrame() {
      if cancelled() { throw CancellationError() }
      seen = frame.index + 1
      guard frame.index < window.framesNeeded else { break }
      guard window.wants(frame.index) else { continue }
      try window.append(try crop(frame.image), emit: emit)
    }
    guard window.isComplete else {
      throw TilingError.tooFewFrames(
        conversion: conversion, expected: window.framesNeeded, found: seen)
    }
  }
}
