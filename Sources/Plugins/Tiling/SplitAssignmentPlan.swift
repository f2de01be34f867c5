import Platform
import Primitives

/// Which part (train, validation, test) each patient of a dataset goes to: the pure heart of
/// `split`, a function of the patients, their labels and the parameters alone, so that its
/// guarantees can be checked over many seeds and shapes without a catalog.
///
/// A patient is one unit: all its cubes go to one part. Its labels are those of its videos, and
/// it belongs to the stratum of each: a patient with both labels is counted in both. Each stratum
/// has target counts per part (``targets(patients:test:validation:)``), and each part ends up
/// with exactly its target of every stratum whenever whole patients allow it, and within one
/// patient of it otherwise.
///
/// ```swift
/// let plan = SplitAssignmentPlan(
///   patients: [
///     .init(id: "pat_1", order: "P-001", labels: ["absent", "present"]),
///     .init(id: "pat_2", order: "P-002", labels: ["present"]),
///     .init(id: "pat_3", order: "P-003", labels: ["absent"]),
///   ], test: 0.3, validation: 0.15, seed: 42)
/// plan.parts["pat_1"]  // .train: the only patient with both labels
/// ```
public struct SplitAssignmentPlan: Sendable, Equatable {
  public struct Patient: Sendable, Hashable {
    public var id: String
    /// The sort key before the shuffle: the patient's code, so that the same seed splits the same
    /// collection the same way in every catalog, whatever ids it was given there.
    public var order: String
    /// At least one: a patient without labels belongs to no stratum and gets no part.
    public var labels: Set<String>

    public init(id: String, order: String? = nil, labels: Set<String>) {
      self.id = id
      self.order = order ?? id
      self.labels = labels
    }
  }

  /// A number of patients per part.
  public struct Counts: Sendable, Hashable, CustomStringConvertible {
    public var test = 0
    public var validation = 0
    public var train = 0

    public init(test: Int = 0, validation: Int = 0, train: Int = 0) {
      (self.test, self.validation, self.train) = (test, validation, train)
    }

    public subscript(part: SplitAssignment.Part) -> Int {
      get {
        switch part {
        case .test: test
        case .validation: validation
        case .train: train
        }
      }
      set {
        switch part {
        case .test: test = newValue
        case .validation: validation = newValue
        case .train: train = newValue
        }
      }
    }

    public var total: Int { test + validation + train }
    public var description: String { "test \(test), validation \(validation), train \(train)" }
  }

  /// The part of every patient, by id.
  public private(set) var parts: [String: SplitAssignment.Part] = [:]
  /// Per label, the patients carrying it (both-label patients included) that each part should hold.
  public private(set) var targets: [String: Counts] = [:]

  /// The order parts are dealt in: a shuffled group fills test, then validation, then train.
  static let dealOrder: [SplitAssignment.Part] = [.test, .validation, .train]

  public init(patients: [Patient], test: Double, validation: Double, seed: Int) {
    var generator = SeededGenerator(seed: UInt64(bitPattern: Int64(seed)))
    let labels = Set(patients.flatMap(\.labels)).sorted()
    for label in labels {
      targets[label] = Self.targets(
        patients: patients.filter { $0.labels.contains(label) }.count, test: test, validation: validation)
    }
    // What each stratum still needs per part once earlier groups have been placed.
    var room = targets

    // Patients with several labels go first: each fills room in several strata at once, so they
    // are the hardest to fit. They are dealt by their own share (spread over the parts like any
    // stratum), moved only where that share would overfill a stratum they count in.
    let mixed = Dictionary(grouping: patients.filter { $0.labels.count > 1 }) { $0.labels.sorted() }
    let mixedGroups = mixed.sorted {
      $0.key.count != $1.key.count ? $0.key.count > $1.key.count : $0.key.lexicographicallyPrecedes($1.key)
    }
    for (key, members) in mixedGroups {
      let group = Self.shuffled(members, using: &generator)
      var cap = Counts()
      for part in Self.dealOrder {
        cap[part] = max(0, key.map { room[$0, default: Counts()][part] }.min() ?? 0)
      }
      let share = Self.fit(
        Self.targets(patients: group.count, test: test, validation: validation), under: cap)
      deal(group, share)
      for label in key {
        for part in Self.dealOrder { room[label, default: Counts()][part] -= share[part] }
      }
    }

    // Then each label's own patients fill what its stratum still lacks. Without patients of
    // several labels this is exactly split 1.0.0: per label, in label order, one generator.
    for label in labels {
      let group = Self.shuffled(patients.filter { $0.labels == [label] }, using: &generator)
      deal(group, Self.fill(room[label, default: Counts()], with: group.count))
    }
  }

  /// How many of a stratum's `n` patients each part should hold: its share rounded, with at
  /// least one patient in test and validation once the stratum has 3, test first when it has 2,
  /// and always one left for training.
  public static func targets(patients n: Int, test: Double, validation: Double) -> Counts {
    var testCount = Int((Double(n) * test).rounded())
    var validationCount = Int((Double(n) * validation).rounded())
    if n >= 3 {
      if test > 0 { testCount = max(1, testCount) }
      if validation > 0 { validationCount = max(1, validationCount) }
    } else if n == 2, test > 0 {
      (testCount, validationCount) = (1, 0)
    }
    while testCount + validationCount >= n, n > 1 {
      if validationCount > 0 { validationCount -= 1 } else { testCount -= 1 }
    }
    return Counts(test: testCount, validation: validationCount, train: n - testCount - validationCount)
  }

  // MARK: - Steps

  /// Sorted by (order, id) before the shuffle so that the result depends on the codes and the
  /// seed only, never on dictionary order.
  static func shuffled(_ patients: [Patient], using generator: inout SeededGenerator) -> [Patient] {
    var group = patients.sorted { ($0.order, $0.id) < ($1.order, $1.id) }
    group.shuffle(using: &generator)
    return group
  }

  /// `share` with patients moved out of every part above `cap` into the part with the most room
  /// left (train, then validation, on ties: an extra patient there costs the evaluation least).
  /// When no part has room the rest stay where they are: some stratum then gets one more than
  /// its target in that part, and ``fill(_:with:)`` takes one away from another.
  static func fit(_ share: Counts, under cap: Counts) -> Counts {
    var share = share
    while let over = dealOrder.first(where: { share[$0] > cap[$0] }),
      let spare = [SplitAssignment.Part.train, .validation, .test].filter({ cap[$0] > share[$0] })
        .max(by: { cap[$0] - share[$0] < cap[$1] - share[$1] })
    {
      share[over] -= 1
      share[spare] += 1
    }
    return share
  }

  /// The counts `count` patients of one label are dealt by to meet what its stratum still lacks
  /// (`room`). Where earlier groups overfilled a part, the room there is negative; the surplus
  /// is taken back one patient at a time from the parts that still lack the most (validation,
  /// then test, on ties), so that every part stays within one patient of its target.
  static func fill(_ room: Counts, with count: Int) -> Counts {
    var need = Counts()
    for part in dealOrder { need[part] = max(0, room[part]) }
    while need.total > count,
      let part = [SplitAssignment.Part.validation, .test, .train].filter({ need[$0] > 0 })
        .max(by: { need[$0] < need[$1] })
    {
      need[part] -= 1
    }
    // Room sums to the label's own patients unless a part was overfilled, so this adds nobody
    // in practice; it keeps every patient assigned if that reasoning ever fails.
    need.train += count - need.total
    return need
  }

  /// The first `counts.test` patients to test, the next `counts.validation` to validation, the
  /// rest to train.
  private mutating func deal(_ group: [Patient], _ counts: Counts) {
    for (index, patient) in group.enumerated() {
      parts[patient.id] =
        index < counts.test ? .test : index < counts.test + counts.validation ? .validation : .train
    }
  }
}
