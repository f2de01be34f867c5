import Media
import Platform
import Server
import Testing
import Tiling
import Training

@testable import CLI

/// A command's options start at its plugin's own defaults, so that `pleura transcode --all` runs
/// exactly what `pleura run transcode` runs. Each test parses the command with no option given and
/// compares the parameters it would run with the plugin's `Parameters()`: a default written into a
/// command that disagrees with the plugin's fails here.
@Suite struct CLIDefaultsTests {
  @Test func synthesize() throws {
    #expect(try Pleura.Synthesize.parse([]).parameters == SynthesizePlugin.Parameters())
  }

  @Test func transcode() throws {
    #expect(try Pleura.Transcode.parse(["--all"]).parameters == TranscodePlugin.Parameters())
  }

  @Test func split() throws {
    #expect(try Pleura.SplitCommand.Make.parse(["demo@1"]).parameters == SplitPlugin.Parameters())
  }

  @Test func train() throws {
    #expect(try Pleura.Train.parse(["demo@1"]).parameters == TrainPlugin.Parameters())
  }

  @Test func evaluate() throws {
    #expect(try Pleura.Evaluate.parse(["model_0000000000000001"]).parameters == EvaluatePlugin.Parameters())
  }

  @Test func explain() throws {
    #expect(
      try Pleura.Explain.parse(["model_0000000000000001", "-o", "out"]).parameters
        == ExplainPlugin.Parameters())
  }

  @Test func serve() throws {
    let command = try Pleura.Serve.parse([])
    let defaults = WorkbenchConfiguration()
    #expect(command.host == defaults.host && command.port == defaults.port && command.blind == defaults.blind)
  }

  @Test func theOptionsReallyReachTheParameters() throws {
    let train = try Pleura.Train.parse(["demo@1", "--epochs", "3", "--width", "0.25", "--lr", "0.01"])
      .parameters
    #expect(train.epochs == 3 && train.width == 0.25 && train.learningRate == 0.01)
    let transcode = try Pleura.Transcode.parse(["--all", "--fps", "30000/1001", "--preset", "fast"])
      .parameters
    #expect(transcode.fpsNumerator == 30000 && transcode.fpsDenominator == 1001 && transcode.preset == "fast")
  }
}
