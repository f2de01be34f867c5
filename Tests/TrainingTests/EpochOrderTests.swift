import Platform
import Testing

@testable import Training

@Suite struct EpochOrderTests {
  static func items(present: Int, absent: Int) -> [CubeItem] {
    (0..<(present + absent)).map { i in
      CubeItem(
        id: "cube_\(i)", shardSha256: "s", shardIndex: i, label: i < present ? .present : .absent,
        patientId: "P\(i % 5)", conversionId: "conv_\(i / 3)", clipIndex: 0)
    }
  }

  @Test func orderIsASeededShufflePerEpoch() {
    let train = Self.items(present: 20, absent: 10)
    var parameters = TrainPlugin.Parameters()
    parameters.seed = 5
    let first = TrainPlugin.epochOrder(train, epoch: 0, parameters: parameters)
    #expect(first.map(\.id).sorted() == train.map(\.id).sorted())
    #expect(first == TrainPlugin.epochOrder(train, epoch: 0, parameters: parameters))
    #expect(first != TrainPlugin.epochOrder(train, epoch: 1, parameters: parameters))
  }

  @Test func classWeightingRepeatsTheRarerLabelUntilBothCountTheSame() {
    var parameters = TrainPlugin.Parameters()
    parameters.classWeighting = true
    let order = TrainPlugin.epochOrder(Self.items(present: 20, absent: 7), epoch: 3, parameters: parameters)
    #expect(order.filter { $0.label == .present }.count == 20)
    #expect(order.filter { $0.label == .absent }.count == 20)
    #expect(Set(order.filter { $0.label == .absent }.map(\.id)).count == 7)
  }

  @Test func shuffledLabelsPermuteWholeVideosAndKeepTheCounts() {
    let train = Self.items(present: 30, absent: 30)
    let (shuffled, _) = TrainPlugin.shuffledLabels(train, [], seed: 1)
    #expect(shuffled.filter { $0.label == .present }.count == 30)
    for video in Set(shuffled.map(\.conversionId)) {
      #expect(Set(shuffled.filter { $0.conversionId == video }.map(\.label)).count == 1)
    }
    #expect(shuffled.map(\.label) != train.map(\.label))
    // Half of the videos keep their true label: the shuffled labels say nothing about sliding.
    let agreeing = Set(zip(shuffled, train).filter { $0.label == $1.label }.map(\.0.conversionId))
    #expect(agreeing.count == 10)
  }
}
