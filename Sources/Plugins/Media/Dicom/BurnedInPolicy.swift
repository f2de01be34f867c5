import Platform

/// Decides how a DICOM's burned-in text is removed, in this order: the rectangles given with
/// `--mask`; else everything outside the Sequence of Ultrasound Regions; else a mask rule for the
/// scanner and frame size. A file with none of these is stored unmasked only when it says Burned
/// In Annotation = NO, or when the user accepts burned-in text (`--accept-burned-in`).
public enum BurnedInPolicy {
  public enum Decision: Sendable, Equatable {
    case mask(PixelMask)
    /// Pixels kept as they are; `burnedIn` tells whether text may remain.
    case unmasked(burnedIn: Bool, reason: String)
  }

  public static func decide(
    _ video: DicomVideo, file: String, explicit: [PixelRect], rules: MaskRules, acceptBurnedIn: Bool
  ) throws -> Decision {
    let width = video.width
    let height = video.height
    if !explicit.isEmpty {
      for rect in explicit where rect.x >= width || rect.y >= height || rect.maxX <= 0 || rect.maxY <= 0 {
        throw DicomError.maskOutsideFrame(file: file, mask: rect.description, width: width, height: height)
      }
      let list = explicit.map(\.description).joined(separator: " ")
      return .mask(.inside(explicit, width: width, height: height, summary: "masked --mask \(list)"))
    }
    if !video.regions.isEmpty {
      let count = video.regions.count
      return .mask(
        .outside(
          video.regions, width: width, height: height,
          summary: "masked outside \(count) ultrasound region\(count == 1 ? "" : "s")"))
    }
    if let rule = rules.match(
      manufacturer: video.manufacturer, model: video.model, columns: width, rows: height)
    {
      let list = rule.rectangles.map(\.description).joined(separator: " ")
      return .mask(
        .inside(rule.rectangles, width: width, height: height, summary: "masked \(list) (\(rule.origin))"))
    }
    if video.burnedInAnnotation == "NO" {
      return .unmasked(burnedIn: false, reason: "Burned In Annotation is NO")
    }
    if acceptBurnedIn {
      return .unmasked(burnedIn: true, reason: "burned-in text accepted (--accept-burned-in)")
    }
    let says =
      video.burnedInAnnotation == nil ? "does not say whether it has burned-in text" : "has burned-in text"
    throw DicomError.burnedInText(
      file: file,
      reason: "the file \(says) (Burned In Annotation), and it has no ultrasound regions, no mask rule "
        + "matches it and no --mask was given; give --mask X,Y,W,H, add a rule, or --accept-burned-in")
  }
}
