/// How a frame is fitted to a different output size.
public enum ScalingMode: String, Hashable, Sendable, CaseIterable, Codable {
  /// Scale width and height independently to fill the output (the study's choice; may distort).
  case stretch
  /// Keep the aspect ratio, centre the picture and fill the rest with black bars.
  case letterbox
}
