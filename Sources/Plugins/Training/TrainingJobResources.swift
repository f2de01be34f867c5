import Platform

// What a run of each Training plugin asks of a cluster node: a CPU per engine thread, since the
// engine's sums are ordered for its thread count and the same count gives the same weights
// there as here (docs/CLUSTER.md).

extension TrainPlugin: DeclaresJobResources {
  public static func resources(for parameters: Parameters) -> JobResources {
    JobResources(cpusPerTask: max(1, parameters.threads))
  }
}

extension EvaluatePlugin: DeclaresJobResources {
  public static func resources(for parameters: Parameters) -> JobResources {
    JobResources(cpusPerTask: max(1, parameters.threads))
  }
}

extension ExplainPlugin: DeclaresJobResources {
  public static func resources(for parameters: Parameters) -> JobResources {
    JobResources(cpusPerTask: max(1, parameters.threads))
  }
}
