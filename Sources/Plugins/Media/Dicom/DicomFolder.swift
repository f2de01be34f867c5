import CDicomLazy
import Foundation

/// The DICOM files of a folder: those its DICOMDIR references when it has one, else every file
/// under it (recursively) that starts like DICOM, in path order.
public enum DicomFolder {
  public static func files(in folder: URL) throws -> [URL] {
    let root = folder.standardizedFileURL.resolvingSymlinksInPath()
    let directory = root.appendingPathComponent("DICOMDIR")
    if FileManager.default.fileExists(atPath: directory.path) {
      return try referenced(by: directory, root: root)
    }
    var found: [URL] = []
    guard
      let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
    else { throw DicomFolderError.unreadable(folder: folder.path) }
    for case let url as URL in walker {
      guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
        url.lastPathComponent.uppercased() != "DICOMDIR", DicomFile.looksLikeDicom(url)
      else { continue }
      found.append(url)
    }
    guard !found.isEmpty else { throw DicomFolderError.noDicomFiles(folder: folder.path) }
    return found.sorted { $0.path < $1.path }
  }

  /// The files a DICOMDIR names, each checked to lie inside `root`.
  static func referenced(by directory: URL, root: URL) throws -> [URL] {
    final class Collector {
      var ids: [String] = []
    }
    let collector = Collector()
    var error = [CChar](repeating: 0, count: 512)
    let status = pleura_dicomdir_files(
      directory.path,
      { context, id in
        guard let context, let id else { return }
        Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue().ids.append(String(cString: id))
      }, Unmanaged.passUnretained(collector).toOpaque(), &error, error.count)
    guard status == 0 else {
      throw DicomFolderError.badDirectory(file: directory.path, reason: DicomFile.text(error))
    }
    var files: [URL] = []
    var seen: Set<String> = []
    for id in collector.ids {
      let file = root.appendingPathComponent(id).standardizedFileURL
      guard file.path.hasPrefix(root.path + "/") else {
        throw DicomFolderError.badDirectory(
          file: directory.path, reason: "it names a file outside its folder")
      }
      guard FileManager.default.fileExists(atPath: file.path) else {
        throw DicomFolderError.badDirectory(file: directory.path, reason: "it names a missing file, \(id)")
      }
      if seen.insert(file.path).inserted { files.append(file) }
    }
    guard !files.isEmpty else { throw DicomFolderError.noDicomFiles(folder: root.path) }
    return files
  }
}

public enum DicomFolderError: Error, CustomStringConvertible, Equatable {
  case unreadable(folder: String)
  case noDicomFiles(folder: String)
  case badDirectory(file: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let folder): "\(folder): the folder cannot be read"
    case .noDicomFiles(let folder):
      "\(folder): is a folder with no DICOM file in it (a folder is read for ultrasound DICOM; give "
        + "other videos by name, or a --manifest)"
    case .badDirectory(let file, let reason): "\(file): cannot use this DICOMDIR: \(reason)"
    }
  }
}
