import Platform
import Primitives

extension RealisticScan {
  /// Frame `index` at `t` seconds: the beam-space echo (still layers, the muscle's drift, the sliding
  /// lung and comet tails) scan-converted through the table, moved by breathing and the probe, plus
  /// this frame's noise over the floor, with the overlay on top. Integer arithmetic only, so the same
  /// seed gives the same frames on every machine.
  func frame(index: Int, at t: Double, seed: UInt64) -> GrayImage {
    let state = motion.state(at: t)
    let echo = beamFrame(state)
    let (width, height) = (geometry.width, geometry.height)
    var noiseGenerator = SeededGenerator(seed: SeededGenerator.derive(seed, 0x4E00_0000 &+ UInt64(index)))
    let noiseX = Int(noiseGenerator.next() % UInt64(Self.noisePad))
    let noiseY = Int(noiseGenerator.next() % UInt64(Self.noisePad))
    let noiseStride = width + Self.noisePad
    let beams = Int32(scene.beams)
    let samples = Int32(scene.samples)
    let maxU = (beams - 1) << 8
    let maxV = (samples - 1) << 8
    let shiftU = Int32(state.beamQ8)
    let shiftV = Int32(state.sampleQ8)
    var pixels = [UInt8](repeating: 0, count: width * height)
    pixels.withUnsafeMutableBufferPointer { out in
      echo.withUnsafeBufferPointer { echo in
        beamQ8.withUnsafeBufferPointer { us in
          sampleQ8.withUnsafeBufferPointer { vs in
            noise.withUnsafeBufferPointer { noise in
              for y in 0..<height {
                let noiseRow = (y + noiseY) * noiseStride + noiseX
                for x in 0..<width {
                  let i = y * width + x
                  let u0 = us[i]
                  guard u0 >= 0 else { continue }
                  // The probe's motion moves the content the other way in the picture.
                  let u = min(maxU, max(0, u0 - shiftU))
                  let v = min(maxV, max(0, vs[i] - shiftV))
                  let bu = u >> 8
                  let bv = v >> 8
                  let fu = u & 255
                  let fv = v & 255
                  let nextU = bu + 1 < beams ? 1 : 0
                  let nextV = bv + 1 < samples ? Int(beams) : 0
                  let j = Int(bv * beams + bu)
                  let top = echo[j] &* (256 - fu) &+ echo[j + nextU] &* fu
                  let bottom = echo[j + nextV] &* (256 - fu) &+ echo[j + nextV + nextU] &* fu
                  var value =
                    ((top &* (256 - fv) &+ bottom &* fv) &>> 16) &+ floor &+ Int32(noise[noiseRow + x])
                  if value < 0 { value = 0 } else if value > 255 { value = 255 }
                  out[i] = UInt8(truncatingIfNeeded: value)
                }
              }
            }
          }
        }
      }
      for (index, value) in overlay.pixels { out[index] = value }
    }
    return GrayImage(width: width, height: height, pixels: pixels)
  }

  /// The echo in beam space at one moment.
  func beamFrame(_ state: ScanMotion.State) -> [Int32] {
    let beams = scene.beams
    let samples = scene.samples
    let textureWidth = scene.textureWidth
    let weightA = Int32(state.weight)
    let weightB = 16 - weightA
    let muscle = Int32(state.muscle - 8)
    let reach = BeamScene.margin - 1
    let offsetA = BeamScene.margin - min(reach, max(-reach, state.shiftA))
    let offsetB = BeamScene.margin - min(reach, max(-reach, state.shiftB))
    return [Int32](unsafeUninitializedCapacity: beams * samples) { out, count in
      scene.still.withUnsafeBufferPointer { still in
        scene.muscleDelta.withUnsafeBufferPointer { delta in
          scene.textureA.withUnsafeBufferPointer { textureA in
            scene.textureB.withUnsafeBufferPointer { textureB in
              scene.lungGain.withUnsafeBufferPointer { lungGain in
                scene.bLines.withUnsafeBufferPointer { bLines in
                  scene.bLineGain.withUnsafeBufferPointer { bLineGain in
                    for v in 0..<samples {
                      let row = v * beams
                      for u in 0..<beams { out[row + u] = Int32(still[row + u]) }
                      if v < scene.muscleRows {
                        for u in 0..<beams { out[row + u] &+= (Int32(delta[row + u]) &* muscle) &>> 5 }
                      }
                      guard v >= scene.lungTop else { continue }
                      let lungRow = v - scene.lungTop
                      let gainRow = lungRow * beams
                      let rowA = lungRow * textureWidth + offsetA
                      let rowB = lungRow * textureWidth + offsetB
                      for u in 0..<beams {
                        let gain = Int32(lungGain[gainRow + u])
                        let mixed =
                          (Int32(textureA[rowA + u]) &* weightA &+ Int32(textureB[rowB + u]) &* weightB) &>> 4
                        let comet = (Int32(bLines[offsetA + u]) &* Int32(bLineGain[gainRow + u])) &>> 8
                        out[row + u] &+= ((mixed &* gain) &>> 8) &+ comet
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      count = beams * samples
    }
  }
}
