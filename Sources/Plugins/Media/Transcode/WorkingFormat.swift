/// The working format the study converted every video to, written once: 640x480 at 30 fps,
/// H.264 in MP4 (crf 18, preset medium), stretched to fit. Transcode's parameters, the library's
/// options, the writer's and the synthesizer's defaults and the recipes' default conversion all
/// read it from here.
public enum WorkingFormat {
  public static let width = 640
  public static let height = 480
  public static let frameRate = VideoRational(integer: 30)
  public static let crf = 18.0
  public static let preset = "medium"
  public static let codec = VideoCodec.h264(crf: crf, preset: preset)
  public static let scaling = ScalingMode.stretch
}
