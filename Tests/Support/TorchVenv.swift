import Foundation
import Testing

/// The torch-resnet3d plugin's PyTorch venv (made by plugins/torch-resnet3d/setup-venv.sh, about
/// 4 GB, so not part of `make test`'s set-up): the plugin's tests run only where it exists.
public enum TorchVenv {
  /// The plugin's folder in this checkout.
  public static let plugin = PackageRoot.url.appendingPathComponent("plugins/torch-resnet3d")

  /// Where the plugin's `run` looks: `$PLEURA_TORCH_VENV`, else
  /// `${XDG_DATA_HOME:-~/.local/share}/pleura/torch-resnet3d-venv`.
  public static let folder: URL = {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["PLEURA_TORCH_VENV"], !path.isEmpty { return URL(fileURLWithPath: path) }
    let data =
      environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
      ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
    return data.appendingPathComponent("pleura/torch-resnet3d-venv")
  }()

  public static var python: String { folder.appendingPathComponent("bin/python").path }

  /// Whether the venv's Python imports torch, numpy and safetensors.
  public static let available: Bool =
    FileManager.default.isExecutableFile(atPath: python)
    && ExternalTool.run(python, ["-c", "import torch, numpy, safetensors"]).status == 0

  /// The reason tests give when they skip.
  public static let skipReason: Comment =
    "no PyTorch venv for torch-resnet3d (run plugins/torch-resnet3d/setup-venv.sh, about 4 GB)"
}
