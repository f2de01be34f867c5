import CFFmpeg
import Primitives

/// FFmpeg's own description of a libav* return code.
func ffmpegErrorDescription(_ code: Int32) -> String {
  var buffer = [CChar](repeating: 0, count: 256)
  let text = buffer.withUnsafeMutableBufferPointer { pointer in
    String(cString: pleura_av_strerror(code, pointer.address, pointer.count))
  }
  return text
}
