/// Whether the pleura slides in a lung-ultrasound video (the label the study's models learn).
public enum LungSliding: String, Hashable, Sendable, Codable, CaseIterable {
  /// Normal lung sliding: seashore pattern in M-mode.
  case present
  /// No sliding (e.g. pneumothorax): barcode / stratosphere pattern in M-mode.
  case absent
}
