import Foundation
import Platform
import Resnet3D

/// What a model's weights were made for and how, stored as its `hyperparameters_json`: every
/// training parameter plus the network's input shape and the fixed choices of the study.
public struct ModelSetup: Codable, Sendable, Equatable {
  public var architecture: String
  public var widthMultiplier: Double
  public var epochs: Int
  public var batchSize: Int
  public var learningRate: Double
  public var classWeighting: Bool
  public var seed: Int
  public var threads: Int
  public var frames: Int
  public var size: Int
  /// Channels of the study's network (3 identical grey channels); fed as one (`greyInput`).
  public var channels: Int
  public var optimizer: String
  public var loss: String
  public var l2: Double
  public var adamBeta1: Double
  public var adamBeta2: Double
  public var adamEpsilon: Double
  /// How BN moving statistics are set: their mean over the training part after each epoch.
  public var batchNormStatistics: String
  public var network: String
  public var parameterCount: Int
  public var trainCubes: Int
  public var validationCubes: Int
  /// The model whose weights training started from (`pleura train --init`), none for a fresh
  /// initialisation (and in models trained before fine-tuning existed).
  public var initialModel: String?
  /// How many stages (conv1 with stage 1 first) were held at the initial model's weights.
  public var freezeStages: Int?
  /// For M-mode datasets with several images per window: one drawn per window and epoch in
  /// training, rank 0 scored (none where every stored image is fed, and in earlier models).
  public var windowSampling: WindowSampling?

  /// The engine's configuration for these weights.
  public func config() throws -> ResNet3DConfig {
    var config = ResNet3DConfig(
      preset: try ResNet3DConfig.Preset.named(architecture), frames: frames, height: size, width: size,
      channels: channels, widthMultiplier: widthMultiplier, greyInput: true)
    config.adam.learningRate = Float(learningRate)
    return config
  }

  /// `resnet3d-18` for any name the engine accepts (`18`, `resnet18`, ...).
  public static func presetName(_ name: String) throws -> String {
    try ResNet3DConfig.Preset.named(name).rawValue
  }

  public static func decode(_ model: Model) throws -> ModelSetup {
    try JSONDecoder().decode(ModelSetup.self, from: Data(model.hyperparametersJson.utf8))
  }
}

/// Building a model's network and loading its weights from the blob store.
public enum ModelLoader {
  public static func load(_ model: Model, blobs: BlobStore, threads: Int) throws -> (ResNet3D, ModelSetup) {
    let setup = try ModelSetup.decode(model)
    let network = ResNet3D(config: try setup.config(), seed: UInt64(setup.seed), threads: threads)
    try network.load(from: try blobs.read(model.weightsSha256, of: "the weights of model \(model.id)"))
    return (network, setup)
  }
}

/// One epoch of the training curves.
public struct EpochCurve: Codable, Sendable, Equatable {
  public var epoch: Int
  /// Mean loss of the epoch's steps (BCE + L2).
  public var trainLoss: Double
  /// Accuracy on the training part after the epoch (training-mode BN).
  public var trainAccuracy: Double
  public var validationLoss: Double
  public var validationAccuracy: Double
}
