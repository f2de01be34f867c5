import Foundation
import GRDB
import Platform
import Primitives
import Tiling

/// How the images of one M-mode window are fed when a recipe stores several per window (the `k`
/// brightest columns, `"sampling": "brightest"` with `topK` > 1): training draws ONE of a window's
/// images per epoch, as VanBerlo et al. (2022) sampled among the brightest columns, so that the
/// neighbours of the brightest column augment it instead of tripling every window's weight;
/// validation and evaluation take each window's rank-0 image (its brightest column), the image
/// the recipe is named for, so every window counts once and the score does not depend on a draw.
///
/// The draw depends only on the seed, the epoch and the window's place in the training part (a
/// resumed run draws the same), and every `k` epochs each window shows each of its images once:
/// epoch `e` takes position `e mod k` of a seeded permutation drawn for the cycle `e / k`.
/// Recorded in the model's hyperparameters (`ModelSetup.windowSampling`).
public struct WindowSampling: Codable, Sendable, Equatable {
  /// Images stored per window (the recipe's `topK`; a window of a narrow ROI may hold fewer).
  public var topK: Int
  /// What training feeds per epoch, in words, for whoever reads the hyperparameters.
  public var training: String
  /// What validation and evaluation score, in words.
  public var evaluation: String

  public init(topK: Int) {
    self.topK = topK
    training =
      "one of each window's \(topK) images per epoch (seeded by seed, epoch and window; each once per \(topK) epochs)"
    evaluation = "each window's rank-0 image (its brightest column)"
  }

  /// The sampling a dataset's recipe calls for, or nil when each stored image stands alone
  /// (cubes, every k-th column, one brightest column).
  public static func of(recipeJSON: String) -> WindowSampling? {
    guard let recipe = try? JSONDecoder().decode(DatasetRecipe.self, from: Data(recipeJSON.utf8)),
      recipe.kind == .mmode, let settings = recipe.mmode, settings.sampling == .brightest, settings.topK > 1
    else { return nil }
    return WindowSampling(topK: settings.topK)
  }

  public static func of(dataset id: String, in db: Database) throws -> WindowSampling? {
    of(recipeJSON: try Dataset.find(db, key: id).recipeJson)
  }

  /// The images validation and evaluation score: each window's rank-0 image, in the given order.
  public func scored(_ items: [CubeItem]) -> [CubeItem] { items.filter { $0.tileRow == 0 } }

  /// A window's images in rank order, windows in their first appearance in `items` (the stored
  /// order: shard by shard, window by window).
  static func windows(_ items: [CubeItem]) -> [[CubeItem]] {
    var windows: [[CubeItem]] = []
    var index: [WindowKey: Int] = [:]
    for item in items {
      let key = WindowKey(conversion: item.conversionId, clip: item.clipIndex)
      if let at = index[key] {
        windows[at].append(item)
      } else {
        index[key] = windows.count
        windows.append([item])
      }
    }
    return windows.map { $0.sorted { $0.tileRow < $1.tileRow } }
  }

  /// The training images of epoch `epoch`: one per window, in window order.
  public func drawn(_ items: [CubeItem], epoch: Int, seed: Int) -> [CubeItem] {
    Self.windows(items).enumerated().map { ordinal, images in
      images[Self.position(of: epoch, window: ordinal, count: images.count, seed: seed)]
    }
  }

  /// Which of a window's `count` images epoch `epoch` takes: position `epoch mod count` of the
  /// permutation seeded for (seed, window, cycle `epoch / count`).
  static func position(of epoch: Int, window: Int, count: Int, seed: Int) -> Int {
    guard count > 1 else { return 0 }
    let cycle = epoch / count
    var generator = SeededGenerator(
      seed: (UInt64(bitPattern: Int64(seed)) &* 0x9E37_79B9_7F4A_7C15)
        ^ (UInt64(window) &* 0xBF58_476D_1CE4_E5B9) ^ (UInt64(cycle) &* 0x94D0_49BB_1331_11EB) ^ 0x544F_504B)
    var permutation = Array(0..<count)
    permutation.shuffle(using: &generator)
    return permutation[epoch % count]
  }

  struct WindowKey: Hashable {
    var conversion: String
    var clip: Int
  }
}
