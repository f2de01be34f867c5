import ArgumentParser
import Platform

/// Runs one plugin run per target; failures are collected, reported at the end, and make the
/// exit code 1 without stopping the other runs. With several targets each finished one is a
/// progress step (`label: 2/5 videos, ...`); one target is reported by its run alone.
struct BatchRun: Encodable {
  var runs: [RunOutcome] = []
  var failures: [String] = []

  static func each<T>(
    _ targets: [T], _ runner: Runner, progress label: String, unit: String,
    _ body: (Runner, T) async throws -> RunOutcome
  ) async throws -> BatchRun {
    var batch = BatchRun()
    let progress = targets.count > 1 ? runner.progress : .silent
    progress(label, 0, targets.count, unit: unit, perItem: true)
    for (index, target) in targets.enumerated() {
      do {
        batch.runs.append(try await body(runner, target))
      } catch let error as CatalogError {
        throw error
      } catch {
        batch.failures.append(String(describing: error))
      }
      progress(label, index + 1, targets.count, unit: unit, perItem: true)
    }
    return batch
  }

  func report(json output: OutputOptions) throws {
    if output.json {
      try output.printJSON(self)
    } else {
      for outcome in runs { RunReport.print(outcome) }
    }
    if failures.count == 1, runs.isEmpty {
      Terminal.error(failures[0])
      throw ExitCode(1)
    }
    if !failures.isEmpty {
      Terminal.error("\(failures.count) of \(runs.count + failures.count) run(s) failed:")
      for failure in failures { Terminal.warn("  " + failure) }
      throw ExitCode(1)
    }
  }
}
