import Platform
import Primitives

extension SyntheticLungVideo.Parameters {
  /// One video's parameters drawn with the study's variety, plus the container to write it in: 854x480 or
  /// 640x480, 30 or 54 fps, MP4 (H.264) or AVI (MPEG-4 Part 2), a duration uniform in `durations`
  /// (rounded to 0.1 s). The same seed gives the same choice.
  ///
  /// ```swift
  /// let patient = SyntheticPatientProfile.random(seed: patientSeed)
  /// let (parameters, container) = SyntheticLungVideo.Parameters.studyVariety(
  ///   sliding: .absent, seed: videoSeed, patient: patient)
  /// try SyntheticLungVideo(parameters: parameters).write(to: url, container: container)
  /// ```
  public static func studyVariety(
    sliding: LungSliding, seed: UInt64, patient: SyntheticPatientProfile,
    durations: ClosedRange<Double> = 2...18
  ) -> (parameters: Self, container: VideoContainer) {
    var generator = SeededGenerator(seed: SeededGenerator.derive(seed, 0x5641_5249))
    let width = generator.next() & 1 == 0 ? 854 : 640
    let fps = generator.next() & 1 == 0 ? 30 : 54
    let container: VideoContainer = generator.next() & 1 == 0 ? .mp4 : .avi
    let duration = (generator.uniform(durations) * 10).rounded() / 10
    let parameters = Self(
      width: width, height: 480, frameRate: VideoRational(integer: fps),
      duration: min(durations.upperBound, max(durations.lowerBound, duration)), sliding: sliding, seed: seed,
      patient: patient)
    return (parameters, container)
  }
}
