import Foundation

/// How sure an automatic ROI suggestion was (0...1), and when that counts as low: low-confidence boxes
/// are marked as such wherever an ROI is shown, and `roi suggest --apply` records them only when asked
/// to (`--min-confidence`).
public enum RoiConfidence {
  /// Below this, a suggestion is low-confidence.
  public static let lowBelow = 0.5

  public static func isLow(_ confidence: Double) -> Bool { confidence < lowBelow }

  /// "0.82", or "0.31 (low confidence)".
  public static func describe(_ confidence: Double) -> String {
    String(format: "%.2f", confidence) + (isLow(confidence) ? " (low confidence)" : "")
  }
}
