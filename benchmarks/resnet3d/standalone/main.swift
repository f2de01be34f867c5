// Stand-in for `pleura bench train --arch A --input FxHxW --batch B --steps S --warmup W --threads T --json`
// (same engine sources, built by build.sh with swiftc -O -wmo), for when the release build of pleura
// is not ready. Arguments as run.sh passes them; the input is grey, as `bench train` without --rgb.
import Foundation
import Resnet3D
var opts: [String: String] = [:]
var args = Array(CommandLine.arguments.dropFirst(3))  // drops the path, "bench" and "train"
while let a = args.first {
  args.removeFirst()
  if a == "--json" { continue }
  opts[a] = args.removeFirst()
}
let size = opts["--input"]!.split(separator: "x").map { Int($0)! }
let config = ResNet3DConfig(
  preset: try ResNet3DConfig.Preset.named(opts["--arch"]!), frames: size[0], height: size[1], width: size[2],
  greyInput: true)
let result = try Resnet3DBenchmark(
  config: config, batch: Int(opts["--batch"]!)!, warmup: Int(opts["--warmup"]!)!, steps: Int(opts["--steps"]!)!,
  threads: Int(opts["--threads"]!)!
).run()
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
print(String(decoding: try encoder.encode(result), as: UTF8.self))
