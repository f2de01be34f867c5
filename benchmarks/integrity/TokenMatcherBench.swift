// Driver for token-matcher.sh: compiled together with Sources/Sharing/TokenMatcher.swift.
import Foundation

let runs = Int(CommandLine.arguments.dropFirst().first ?? "5") ?? 5
let row = #"{"clipIndex":0,"id":"cube_0123456789abcdef","label":"present","patientId":"pat_0123456789abcdef","shardSha256":"d4641799647e1bbec9b95d27a5776c23147398fd126eff099aef7359da27a476"},"#
let text = String(repeating: row, count: 20_000_000 / row.utf8.count)
let bytes = Array(text.utf8)

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func seconds(_ body: () -> Void) -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
func values(_ count: Int) -> [String] {
  (0..<count / 2).flatMap { ["PAT-\($0)", "scan_of_patient_\($0).mp4"] }
}

print("| values | automaton build s | automaton scan s (20 MB) | one regex per value s (20 MB) |")
print("|---|---|---|---|")
for count in [100, 1_000, 20_000] {
  let list = values(count)
  var build: [Double] = []
  var scan: [Double] = []
  var regex: [Double] = []
  for _ in 0..<runs {
    var matcher: TokenMatcher?
    build.append(seconds {
      var needles: [TokenMatcher.Needle] = []
      for (index, value) in list.enumerated() {
        let units = Array(value.utf16)
        needles.append(.init(Array(value.utf8), encoding: .utf8, value: index))
        needles.append(.init(units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, encoding: .utf16LittleEndian, value: index))
        needles.append(.init(units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, encoding: .utf16BigEndian, value: index))
      }
      matcher = TokenMatcher(needles)
    })
    scan.append(seconds { precondition(bytes.withUnsafeBytes { matcher!.firstMatch(in: $0) } == nil) })
    // The former check: one case-insensitive whole-token regular expression per value (UTF-8
    // only), each over the whole text. Timed on 100 values only, then scaled to `count`.
    if count <= 1_000 {
      let sample = Array(list.prefix(100))
      let elapsed = seconds {
        for value in sample {
          let pattern = try! NSRegularExpression(
            pattern: "(?<![A-Za-z0-9_-])" + NSRegularExpression.escapedPattern(for: value) + "(?![A-Za-z0-9_])",
            options: [.caseInsensitive])
          precondition(pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil)
        }
      }
      regex.append(elapsed * Double(count) / Double(sample.count))
    }
  }
  let regexText = regex.isEmpty ? "(not run)" : String(format: "%.1f (scaled from 100)", median(regex))
  print(String(format: "| %d | %.3f | %.3f | %@ |", count, median(build), median(scan), regexText))
}
