import Foundation
import Platform

/// Maps rectangles between a source video's pixels and a conversion's pixels through the
/// conversion's scaling (stretch, or letterbox with its black bars), and frame numbers through
/// the two frame rates.
public struct RoiMapping: Sendable {
  public var sourceWidth: Int
  public var sourceHeight: Int
  public var conversionWidth: Int
  public var conversionHeight: Int
  /// Where the source picture lands inside the conversion frame.
  public var placement: PixelRect
  public var sourceFPS: Double
  public var conversionFPS: Double

  public init(source: SourceVideo, conversion: Conversion) {
    sourceWidth = source.width
    sourceHeight = source.height
    conversionWidth = conversion.width
    conversionHeight = conversion.height
    let scaling = Self.scaling(ofParametersJSON: conversion.parametersJson)
    let placed = GrayScaler(width: conversion.width, height: conversion.height, mode: scaling)
      .placement(sourceWidth: source.width, sourceHeight: source.height)
    placement = PixelRect(x: placed.x, y: placed.y, width: placed.width, height: placed.height)
    sourceFPS = Double(source.fpsNum) / Double(source.fpsDen)
    conversionFPS = Double(conversion.fpsNum) / Double(conversion.fpsDen)
  }

  /// The scaling transcode recorded for the conversion (stretch when the record cannot be read).
  static func scaling(ofParametersJSON json: String) -> ScalingMode {
    let parameters = try? ParameterSchema.decode(json: json, as: TranscodePlugin.self)
    return parameters.flatMap { ScalingMode(rawValue: $0.scaling) } ?? .stretch
  }

  /// Each edge is mapped on its own and rounded to the nearest pixel, so a rectangle and its
  /// image cover the same part of the picture.
  public func toConversion(_ rect: PixelRect) -> PixelRect {
    let sx = Double(placement.width) / Double(sourceWidth)
    let sy = Double(placement.height) / Double(sourceHeight)
    let x0 = placement.x + Int((Double(rect.x) * sx).rounded())
    let x1 = placement.x + Int((Double(rect.maxX) * sx).rounded())
    let y0 = placement.y + Int((Double(rect.y) * sy).rounded())
    let y1 = placement.y + Int((Double(rect.maxY) * sy).rounded())
    return PixelRect(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0))
  }

  public func toSource(_ rect: PixelRect) -> PixelRect {
    let sx = Double(sourceWidth) / Double(placement.width)
    let sy = Double(sourceHeight) / Double(placement.height)
    let x0 = Int((Double(rect.x - placement.x) * sx).rounded())
    let x1 = Int((Double(rect.maxX - placement.x) * sx).rounded())
    let y0 = Int((Double(rect.y - placement.y) * sy).rounded())
    let y1 = Int((Double(rect.maxY - placement.y) * sy).rounded())
    let clampedX0 = min(max(0, x0), sourceWidth - 1)
    let clampedY0 = min(max(0, y0), sourceHeight - 1)
    return PixelRect(
      x: clampedX0, y: clampedY0, width: max(1, min(sourceWidth, x1) - clampedX0),
      height: max(1, min(sourceHeight, y1) - clampedY0))
  }

  /// Frame numbers map by time: the conversion frame shown at the source frame's moment.
  public func frameToConversion(_ frame: Int) -> Int {
    Int((Double(frame) * conversionFPS / sourceFPS).rounded())
  }
  public func frameToSource(_ frame: Int) -> Int {
    Int((Double(frame) * sourceFPS / conversionFPS).rounded())
  }
}
