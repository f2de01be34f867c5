/// Why a DICOM file cannot be ingested or read. Messages name the file and the problem, never a
/// value from the header that could identify someone (modality, transfer syntax and SOP class
/// names are safe to say).
public enum DicomError: Error, Equatable, Sendable, CustomStringConvertible {
  case notDicom(file: String, reason: String)
  case notUltrasound(file: String, modality: String)
  case notUltrasoundStorage(file: String, sopClass: String)
  case stillImage(file: String)
  case unsupportedTransferSyntax(file: String, name: String)
  case unsupportedImage(file: String, reason: String)
  case frameCountBeyondData(file: String, declared: Int, available: Int)
  case noFrameRate(file: String)
  case undecodable(file: String, reason: String)
  case burnedInText(file: String, reason: String)
  case maskOutsideFrame(file: String, mask: String, width: Int, height: Int)
  case needsSiteKey(file: String)
  case noPatientID(file: String)
  case cannotWrite(file: String, reason: String)

  public var description: String {
    switch self {
    case .notDicom(let file, let reason): "\(file): \(reason)"
    case .notUltrasound(let file, let modality):
      "\(file): not an ultrasound DICOM: its modality is \(modality.isEmpty ? "not stated" : "'\(modality)'")"
    case .notUltrasoundStorage(let file, let sopClass):
      "\(file): not an ultrasound DICOM: its SOP class is \(sopClass)"
    case .stillImage(let file):
      "\(file): a single-frame ultrasound image, not a video (still images are not ingested)"
    case .unsupportedTransferSyntax(let file, let name):
      "\(file): transfer syntax \(name) is not supported (DCMTK cannot decode it here)"
    case .unsupportedImage(let file, let reason): "\(file): \(reason)"
    case .frameCountBeyondData(let file, let declared, let available):
      "\(file): the header declares \(declared) frames but the pixel data holds only \(available)"
    case .noFrameRate(let file):
      "\(file): no frame rate: none of Frame Time, Frame Time Vector, Cine Rate or Recommended Display "
        + "Frame Rate is usable"
    case .undecodable(let file, let reason): "\(file): the pixel data cannot be decoded (\(reason))"
    case .burnedInText(let file, let reason): "\(file): \(reason)"
    case .maskOutsideFrame(let file, let mask, let width, let height):
      "\(file): mask \(mask) lies outside the \(width)x\(height) frame"
    case .needsSiteKey(let file):
      "\(file): de-identifying DICOM needs the site key: give --key-file FILE"
    case .noPatientID(let file):
      "\(file): --patient-from-header needs a Patient ID, and the header has none"
    case .cannotWrite(let file, let reason): "\(file): cannot write the de-identified copy (\(reason))"
    }
  }
}
