import Foundation

/// The files of an external plugin's folder that Pleura trusts: the manifest and the program,
/// which must stay inside the folder however the manifest names it.
enum PluginFolder {
  /// Why `program` cannot be the plugin's command, or nil: it must be a relative path to a
  /// regular, executable file inside `folder` once every symbolic link is resolved.
  static func problem(withProgram program: String, in folder: URL) -> String? {
    if program.hasPrefix("/") { return "is an absolute path; it must be relative to the plugin's folder" }
    if program.split(separator: "/").contains("..") { return "leaves the plugin's folder ('..')" }
    let root = folder.resolvingSymlinksInPath().standardizedFileURL.path
    let file = folder.appendingPathComponent(program).resolvingSymlinksInPath().standardizedFileURL.path
    guard file.hasPrefix(root + "/") else { return "leaves the plugin's folder through a symbolic link" }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue
    else {
      return "is not a file in the plugin's folder"
    }
    guard FileManager.default.isExecutableFile(atPath: file) else {
      return "is not executable (chmod +x, with a #! line for a script)"
    }
    return nil
  }

  /// The program's path with links resolved (checked by ``problem(withProgram:in:)``).
  static func program(_ program: String, in folder: URL) -> URL {
    folder.appendingPathComponent(program).resolvingSymlinksInPath().standardizedFileURL
  }
}
