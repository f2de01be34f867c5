import Foundation
import Platform
import TestSupport
import Testing

/// An external plugin that fails (non-zero exit, a signal, its time limit, no or an invalid
/// result, weights whose shapes do not match their bytes) leaves no entity and no blob, and a
/// failed run whose error names the reason with the plugin's last standard-error lines.
@Suite struct ExternalRunFailureTests {
  /// A plugin whose program is the shell script `body` (run with the request on stdin, in the
  /// output folder), making `outputs`, with `files` copied into its folder.
  static func plugin(
    _ body: String, outputs: [String] = ["evaluation", "model"], timeSeconds: Int = 60,
    files: [String: Data] = [:],
    in folder: URL
  ) throws -> ExternalPlugin {
    let pluginFolder = folder.appendingPathComponent("plugin-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: pluginFolder, withIntermediateDirectories: true)
    let manifest: [String: Any] = [
      "name": "failing", "version": "1.0.0", "summary": "Fails on purpose.", "command": ["run.sh"],
      "outputs": outputs, "resources": ["timeSeconds": timeSeconds], "deterministic": true,
    ]
    try JSONSerialization.data(withJSONObject: manifest).write(
      to: pluginFolder.appendingPathComponent("plugin.json"))
    let program = pluginFolder.appendingPathComponent("run.sh")
    try "#!/bin/sh\nHERE=$(dirname \"$0\")\n\(body)\n".write(to: program, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program.path)
    for (name, data) in files { try data.write(to: pluginFolder.appendingPathComponent(name)) }
    return try ExternalPlugin.load(folder: pluginFolder, origin: "test")
  }

  /// Runs the plugin and returns the error's text and the failed run's stored error, checking
  /// that nothing but that run was written.
  static func failure(of plugin: ExternalPlugin, in test: TestCatalog) async throws -> (String, String) {
    let before = try await (test.count("model"), test.count("evaluation"), test.count("blob"))
    var message = ""
    do {
      _ = try await test.runner.run(external: plugin, parameters: [:])
      Issue.record("the run succeeded")
    } catch {
      message = "\(error)"
    }
    let after = try await (test.count("model"), test.count("evaluation"), test.count("blob"))
    #expect(before == after, "a failed run left rows")
    let stored = try CatalogSnapshot.files(under: test.catalog.blobs.root).filter { !$0.contains("staging") }
    #expect(stored.isEmpty, "a failed run left blobs: \(stored)")
    let run = try await test.catalog.database.read { db in
      try Run.order(Run.Columns.startedAt.desc).fetchOne(db)
    }
    #expect(run?.status == .failed && run?.plugin == "failing")
    #expect(
      run?.pluginManifestSha256 == plugin.manifestSHA256 && run?.pluginCommandSha256 == plugin.commandSHA256)
    let edges = try await test.count("run_edge")
    #expect(edges == 0)
    return (message, run?.error ?? "")
  }

  @Test func aNonZeroExitFailsWithTheLastStandardErrorLines() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let plugin = try Self.plugin(
      "cat >/dev/null\necho 'loading weights' >&2\necho 'out of memory at layer 3' >&2\nexit 3",
      in: test.folder)
    let (message, stored) = try await Self.failure(of: plugin, in: test)
    #expect(
      message.contains("exited with status 3") && message.contains("out of memory at layer 3"), "\(message)")
    #expect(stored.contains("out of memory at layer 3"), "\(stored)")
  }

  @Test func aSignalFailsTheRun() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let plugin = try Self.plugin("cat >/dev/null\nkill -9 $$", in: test.folder)
    let (message, _) = try await Self.failure(of: plugin, in: test)
    #expect(message.contains("killed by signal 9"), "\(message)")
  }

  @Test func aRunPastItsTimeLimitIsStoppedWithItsChildren() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let marker = test.file("child-survived")
    let plugin = try Self.plugin(
      "cat >/dev/null\n(sleep 6; touch '\(marker.path)') &\necho 'still working' >&2\nsleep 60",
      timeSeconds: 1,
      in: test.folder)
    let (message, stored) = try await Self.failure(of: plugin, in: test)
    #expect(message.contains("time limit of 1 s") && message.contains("still working"), "\(message)")
    #expect(stored.contains("time limit"))
    // The child was in the plugin's process group and was stopped with it.
    try await Task.sleep(for: .seconds(7))
    #expect(!FileManager.default.fileExists(atPath: marker.path))
  }

  @Test(arguments: [
    ("echo 'just text'", "no {\"result\""),
    ("echo '{\"result\": {\"outputs\": 5}}'", "result line is not valid"),
    ("echo '{\"result\": {\"outputs\": []}}'", "0 outputs"),
    (
      "echo '{\"result\": {\"outputs\": [{\"key\": \"m\", \"kind\": \"dataset\", \"files\": {}, \"metadata\": {}}]}}'",
      "the manifest's outputs"
    ),
    (
      "echo x > s.csv; echo '{\"result\": {\"outputs\": [{\"key\": \"e\", \"kind\": \"evaluation\", \"files\": {\"scores\": \"../s.csv\"}, \"metadata\": {}}]}}'",
      "must be a path inside the output folder"
    ),
    (
      "ln -s /etc/passwd w; echo '{\"result\": {\"outputs\": [{\"key\": \"m\", \"kind\": \"model\", \"files\": {\"weights\": \"w\"}, \"metadata\": {}}]}}'",
      "not a regular file"
    ),
    (
      "echo 'cube,score' > s.csv; echo '{\"result\": {\"outputs\": [{\"key\": \"e\", \"kind\": \"evaluation\", \"files\": {\"scores\": \"s.csv\"}, \"metadata\": {\"model\": \"model_0000000000000000\", \"dataset\": \"ds_0000000000000000\", \"part\": \"test\", \"metrics\": {}}}]}}'",
      "id of an input model"
    ),
    (
      "echo '{\"result\": {\"outputs\": []}}'; echo '{\"result\": {\"outputs\": []}}'", "more than one result"
    ),
  ])
  func anInvalidResultLeavesNoEntity(script: String, reason: String) async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let plugin = try Self.plugin("cat >/dev/null\n" + script, in: test.folder)
    let (message, stored) = try await Self.failure(of: plugin, in: test)
    #expect(message.contains("invalid result") && message.contains(reason), "\(message)")
    #expect(stored.contains(reason), "\(stored)")
  }

  /// Safetensors with one F32 tensor of `shape` over `bytes` bytes of data.
  static func safetensors(shape: [Int], bytes: Int) -> Data {
    var header = Data(#"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,\#(bytes)]}}"#.utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var data = Data()
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    return data + header + Data(count: bytes)
  }

  @Test func weightsWhoseShapeDoesNotMatchTheirBytesAreRefused() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let model =
      #"{"result": {"outputs": [{"key": "m", "kind": "model", "files": {"weights": "w.safetensors"}, "metadata": {}}]}}"#
    let cases: [(Data, String)] = [
      (Self.safetensors(shape: [2, 3], bytes: 20), "shape [2, 3] of F32 (24 bytes) but 20 bytes"),
      (Data("not safetensors at all".utf8), "header length"), (Data([1, 2]), "shorter than"),
      (Self.safetensors(shape: [2], bytes: 8) + Data(count: 4), "account for 8"),
    ]
    for (file, reason) in cases {
      let plugin = try Self.plugin(
        "cat >/dev/null\ncp \"$HERE/w.bin\" w.safetensors\necho '\(model)'", files: ["w.bin": file],
        in: test.folder)
      let (message, _) = try await Self.failure(of: plugin, in: test)
      #expect(message.contains(reason), "\(message)")
    }
  }

  @Test func aPluginEditedAfterLoadingIsNotRun() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let plugin = try Self.plugin("cat >/dev/null\nexit 0", in: test.folder)
    try "#!/bin/sh\nexit 1\n".write(
      to: plugin.folder.appendingPathComponent("run.sh"), atomically: true, encoding: .utf8)
    let before = try test.snapshot()
    await #expect(throws: ExternalPluginError.self) {
      try await test.runner.run(external: plugin, parameters: [:])
    }
    #expect(try test.snapshot() == before)
  }

  @Test func badParametersAndInputsAreRefusedBeforeAnythingIsWritten() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let folder = try ManifestValidationTests.folder(ManifestValidationTests.valid, in: test.folder)
    let plugin = try ExternalPlugin.load(folder: folder, origin: "test")
    let before = try test.snapshot()
    let registered = RegisteredPlugin(external: plugin)
    for assignments in [["steps=11"], ["steps=2.5"], ["mode=c"], ["rate=nan"], ["verbose=maybe"], ["nope=1"]]
    {
      await #expect(throws: (any Error).self, "\(assignments)") {
        try await registered.runWithAssignments(test.runner, assignments, [], false)
      }
    }
    // The manifest needs one dataset and one split.
    do {
      _ = try await registered.runWithAssignments(test.runner, [], [], false)
      Issue.record("a run without its inputs started")
    } catch {
      #expect("\(error)".contains("takes 1 dataset input(s); 0 given"), "\(error)")
    }
    #expect(try test.snapshot() == before)
  }
}
