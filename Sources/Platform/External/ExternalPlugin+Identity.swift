import GRDB

extension ExternalPlugin {
  /// An external run's identity: the built-in identity (name, version, parameters, inputs'
  /// content) extended by the SHA-256 of the manifest and of the program, so that a plugin edited
  /// in place is a different plugin. Local runs and Slurm jobs both take it from here: a job whose
  /// run lands with another key is refused (``JobLanding``).
  func cacheKey(parametersJSON: String, inputs: [EntityRef], in db: Database) throws -> String {
    let key = try RunIdentity.cacheKey(
      plugin: manifest.name, version: manifest.version, parametersJSON: parametersJSON, inputs: inputs, in: db
    )
    return SHA256Hex.digest([key, manifestSHA256, commandSHA256].joined(separator: "\n"))
  }
}
