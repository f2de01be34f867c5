import Foundation
import Platform

/// How a page shows an automatic ROI's confidence: a low-confidence box gets a visible mark (the same
/// words the command line prints), so nobody takes it for a checked one; a confident suggestion shows
/// its figure quietly; a box a person drew shows nothing.
enum RoiConfidenceMark {
  static func html(_ confidence: Double?) -> String {
    guard let confidence else { return "" }
    let figure = String(format: "%.2f", confidence)
    guard RoiConfidence.isLow(confidence) else { return " <small>confidence \(figure)</small>" }
    return
      " <span class=\"low-confidence\" title=\"An automatic suggestion below \(String(format: "%.2f", RoiConfidence.lowBelow)) "
      + "confidence: check it before use\">low confidence (\(figure))</span>"
  }
}
