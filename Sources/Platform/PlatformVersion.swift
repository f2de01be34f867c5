/// The version of the Pleura platform, recorded in every run so that a result can be traced to
/// the code that made it.
public enum PlatformVersion {
  public static let current = "0.1.0"
}
