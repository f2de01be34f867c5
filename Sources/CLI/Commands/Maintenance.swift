import ArgumentParser
import Platform

extension Pleura {
  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-hash every blob and check every reference and provenance edge.",
      discussion: """
        Each problem is printed on its own line, and the exit code is 1 when there is any.

        Example:
          pleura verify
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
      let report = try CatalogVerifier.run(
        try catalogOptions.openForReading(), progress: catalogOptions.progress)
      if output.json {
        try output.printJSON(report)
      } else if report.ok {
        print(
          "ok: \(report.blobsChecked) blobs and \(report.edgesChecked) provenance edges verified"
            + (report.leftoverBlobs == 0
              ? ""
              : "; \(report.leftoverBlobs) unreferenced blob(s) left by failed runs (`pleura gc` removes them)")
        )
      } else {
        for problem in report.problems { Terminal.error(problem) }
        print("\(report.problems.count) problem(s) found")
      }
      if !report.ok { throw ExitCode(1) }
    }
  }

  struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "gc", abstract: "Remove staged leftovers and blobs no entity references.",
      discussion: """
        Files under objects/ that are not Pleura blobs are listed and left alone.

        Example:
          pleura gc --dry-run
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Only list what would be removed.") var dryRun = false

    func run() async throws {
      let report = try GarbageCollector.run(try catalogOptions.open(), dryRun: dryRun)
      if output.json { return try output.printJSON(report) }
      let verb = dryRun ? "would remove" : "removed"
      for file in report.stagingFiles { print("\(verb) staging file \(file)") }
      for blob in report.unreferencedBlobs { print("\(verb) unreferenced blob \(blob)") }
      for stray in report.strayFiles { print("left alone: \(stray) is not a Pleura blob") }
      print(
        "\(verb) \(report.stagingFiles.count + report.unreferencedBlobs.count) file(s), \(report.bytes) bytes"
      )
    }
  }
}
