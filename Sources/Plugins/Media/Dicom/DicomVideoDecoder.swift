import Foundation

/// Decodes an ultrasound DICOM cine loop through DCMTK into grey frames, one at a time, like
/// `VideoDecoder` does for the containers FFmpeg reads.
///
/// Frame `i` is shown at `i / frameRate` seconds (the rate from Frame Time, Frame Time Vector or
/// Cine Rate); colour frames become BT.601 luma.
public final class DicomVideoDecoder: VideoFrameDecoder {
  public let url: URL
  public let info: VideoStreamInfo
  /// What inspection found (transfer syntax, regions, burned-in annotation...).
  public let video: DicomVideo

  private let reader: FrameReader
  private let layout: FrameReader.Layout
  private var buffer: [UInt8]
  private var next = 0

  public init(url: URL) throws {
    self.url = url
    let file = try DicomFile(url: url)
    video = try DicomVideo.inspect(file)
    reader = FrameReader(file: file)
    layout = try reader.begin()
    buffer = [UInt8](repeating: 0, count: layout.frameBytes)
    info = VideoStreamInfo(
      containerName: "dicom", container: "dicom", codecName: video.transferSyntax, width: video.width,
      height: video.height, frameRate: video.frameRate, timeBase: video.frameRate.inverse,
      duration: video.durationSeconds, declaredFrameCount: video.frameCount,
      pixelFormatName: layout.samples == 1 ? "gray" : "rgb24")
  }

  public var framesDecoded: Int { next }

  public func nextFrame() throws -> DecodedFrame? {
    guard next < layout.frames else { return nil }
    try reader.decode(next, into: &buffer)
    let frame = DecodedFrame(
      index: next, pts: Int64(next), duration: 1, timeBase: info.timeBase,
      image: FrameReader.luma(buffer, layout: layout))
    next += 1
    return frame
  }

  /// The next frame as decoded, before the conversion to grey (1 or 3 samples per pixel).
  func nextRawFrame() throws -> [UInt8]? {
    guard next < layout.frames else { return nil }
    try reader.decode(next, into: &buffer)
    next += 1
    return buffer
  }

  var samples: Int { layout.samples }
}
