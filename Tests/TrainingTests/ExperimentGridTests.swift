import Foundation
import Testing
import Tiling

@testable import Training

@Suite struct ExperimentGridTests {
  @Test func gridKeysAreTheTrainEvaluateAndSplitParametersOfTheSameNames() throws {
    let grid = try ExperimentGrid(
      json: Data(
        #"{"epochs": 3, "seed": 5, "threads": 1, "bootstrap": 10, "part": "all", "split": {"test": 0.25}}"#
          .utf8))
    #expect(grid.train.epochs == 3 && grid.train.seed == 5 && grid.train.threads == 1)
    #expect(grid.evaluate.seed == 5 && grid.evaluate.threads == 1)
    #expect(grid.evaluate.bootstrap == 10 && grid.evaluate.part == "all")
    #expect(grid.split.test == 0.25 && grid.split.validation == SplitPlugin.Parameters().validation)
  }

  @Test func anEmptyGridIsTheStudysAtFullWidthWithThePluginsDefaults() throws {
    let grid = try ExperimentGrid(json: Data("{}".utf8))
    var expected = TrainPlugin.Parameters()
    expected.width = 1
    #expect(grid.train == expected)
    #expect(grid.evaluate == EvaluatePlugin.Parameters())
    #expect(grid.split == SplitPlugin.Parameters())
    #expect(grid.pairs.count == 18)
  }

  @Test func aSettingOfTheWrongTypeIsRefused() {
    #expect(throws: (any Error).self) { try ExperimentGrid(json: Data(#"{"epochs": "many"}"#.utf8)) }
    #expect(throws: (any Error).self) { try ExperimentGrid(json: Data(#"{"datasets": 3}"#.utf8)) }
  }
}
