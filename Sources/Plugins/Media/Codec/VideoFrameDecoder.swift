import Foundation

/// Anything that turns a video file into grey frames in presentation order: `VideoDecoder`
/// (FFmpeg: MP4, AVI, MOV, MPEG, GIF...) and `DicomVideoDecoder` (DCMTK: ultrasound DICOM).
/// Everything downstream (transcode, pictures, ROI suggestion, tiles) reads through this, so a
/// DICOM source works wherever an MP4 does.
///
/// ```swift
/// let decoder = try VideoDecoders.open(clip)
/// while let frame = try decoder.nextFrame() { print(frame.index, frame.seconds) }
/// ```
public protocol VideoFrameDecoder: AnyObject {
  /// The file being decoded.
  var url: URL { get }
  /// What the file says about the stream.
  var info: VideoStreamInfo { get }
  /// Number of frames handed out so far.
  var framesDecoded: Int { get }
  /// The next frame, or nil at the end.
  func nextFrame() throws -> DecodedFrame?
}

extension VideoFrameDecoder {
  /// Decodes every remaining frame, calling `body` with each; stops early when `body` returns false.
  public func forEachFrame(_ body: (DecodedFrame) throws -> Bool) throws {
    while let frame = try nextFrame() {
      if try !body(frame) { return }
    }
  }
}

/// Picks the decoder for a file by its content (never its name: blobs have none).
public enum VideoDecoders {
  /// A `DicomVideoDecoder` for DICOM files, a `VideoDecoder` for everything else.
  /// - Parameter threads: FFmpeg decoder threads (0: libavcodec chooses); DICOM decodes on one.
  public static func open(_ url: URL, threads: Int = 0) throws -> any VideoFrameDecoder {
    if DicomFile.looksLikeDicom(url) { return try DicomVideoDecoder(url: url) }
    return try VideoDecoder(url: url, threads: threads)
  }
}
