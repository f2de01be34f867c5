import Platform
import Primitives

extension SyntheticLungVideo {
  /// Frame `index` (0-based), a pure function of the parameters and index.
  public func frame(_ index: Int) -> GrayImage {
    switch renderer {
    case .classic(let scene, let motion): classicFrame(index, scene: scene, motion: motion)
    case .realistic(let scan): scan.frame(index: index, at: seconds(ofFrame: index), seed: parameters.seed)
    }
  }

  /// A classic frame: the still picture moved by the chest (sub-pixel, blending two rows), plus the lung
  /// speckle shifted and cross-faded by the sliding motion, plus this frame's noise.
  func classicFrame(_ index: Int, scene: Scene, motion: Motion) -> GrayImage {
    let width = scene.width
    let height = scene.height
    let state = motion.state(at: seconds(ofFrame: index))
    var noiseGenerator = SeededGenerator(
      seed: SeededGenerator.derive(parameters.seed, 0x4E00_0000 &+ UInt64(index)))
    let noiseX = Int(noiseGenerator.next() % UInt64(Scene.noisePad))
    let noiseY = Int(noiseGenerator.next() % UInt64(Scene.noisePad))
    let noiseStride = width + Scene.noisePad
    let weightA = Int32(state.weight)
    let weightB = 16 - weightA
    let offsetA = Scene.margin - state.shiftA
    let offsetB = Scene.margin - state.shiftB
    // Chest shift c = whole + fraction/256 px down: output row y blends source rows y - whole and y - whole - 1.
    let whole = state.chestQ8 >> 8
    let fraction = Int32(state.chestQ8 & 255)
    let keep = 256 - fraction

    let pixels = [UInt8](unsafeUninitializedCapacity: width * height) { output, count in
      scene.background.withUnsafeBufferPointer { background in
        scene.textureA.withUnsafeBufferPointer { textureA in
          scene.textureB.withUnsafeBufferPointer { textureB in
            scene.columnWeight.withUnsafeBufferPointer { columnWeight in
              scene.noise.withUnsafeBufferPointer { noise in
                let out = output.address
                let back = background.address
                let texA = textureA.address
                let texB = textureB.address
                let columns = columnWeight.address
                for y in 0..<height {
                  let sourceY = y - whole < 0 ? 0 : (y - whole >= height ? height - 1 : y - whole)
                  let previousY = sourceY > 0 ? sourceY - 1 : 0
                  let backRow = back + sourceY * width
                  let backPrevious = back + previousY * width
                  let noiseRow = noise.address + (y + noiseY) * noiseStride + noiseX
                  let outRow = out + y * width
                  if sourceY >= scene.lungTop {
                    // The lung moves with the chest too: blend its speckle between the same two rows.
                    let lungRow = sourceY - scene.lungTop
                    let lungPrevious = max(0, previousY - scene.lungTop)
                    let rowA = texA + lungRow * scene.textureWidth + offsetA
                    let rowB = texB + lungRow * scene.textureWidth + offsetB
                    let previousA = texA + lungPrevious * scene.textureWidth + offsetA
                    let previousB = texB + lungPrevious * scene.textureWidth + offsetB
                    let gain = (scene.rowGain[lungRow] &* keep) &>> 8
                    let previousGain = (scene.rowGain[lungPrevious] &* fraction) &>> 8
                    for x in 0..<width {
                      let still = (Int32(backRow[x]) &* keep &+ Int32(backPrevious[x]) &* fraction) &>> 8
                      let mixed = (Int32(rowA[x]) &* weightA &+ Int32(rowB[x]) &* weightB) &>> 4
                      let mixedPrevious =
                        (Int32(previousA[x]) &* weightA &+ Int32(previousB[x]) &* weightB) &>> 4
                      let blended = (mixed &* gain &+ mixedPrevious &* previousGain) &>> 8
                      let speckle = (blended &* columns[x]) &>> 8
                      var value = still &+ speckle &+ Int32(noiseRow[x])
                      if value < 0 { value = 0 } else if value > 255 { value = 255 }
                      outRow[x] = UInt8(truncatingIfNeeded: value)
                    }
                  } else {
                    for x in 0..<width {
                      let still = (Int32(backRow[x]) &* keep &+ Int32(backPrevious[x]) &* fraction) &>> 8
                      var value = still &+ Int32(noiseRow[x])
                      if value < 0 { value = 0 } else if value > 255 { value = 255 }
                      outRow[x] = UInt8(truncatingIfNeeded: value)
                    }
                  }
                }
              }
            }
          }
        }
      }
      count = width * height
    }
    return GrayImage(width: width, height: height, pixels: pixels)
  }
}
