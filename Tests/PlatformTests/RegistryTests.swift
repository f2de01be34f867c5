import Testing

@testable import Platform

@Suite struct RegistryTests {
  @Test func refusesDuplicateNames() throws {
    var registry = PluginRegistry()
    try registry.register(MakePatientPlugin.self)
    #expect(throws: RegistryError.duplicate("make-patient")) { try registry.register(MakePatientPlugin.self) }
  }

  @Test func unknownNameListsKnownOnesAndAClosMatch() throws {
    var registry = PluginRegistry()
    try registry.register(MakePatientPlugin.self)
    try registry.register(FailInPersistPlugin.self)
    #expect(
      throws: RegistryError.unknown(
        "make-patent", known: ["fail-in-persist", "make-patient"], suggestion: "make-patient")
    ) { try registry.plugin(named: "make-patent") }
    let plugin = try registry.plugin(named: "make-patient")
    #expect(plugin.version == SemanticVersion(1, 2, 0))
    #expect(plugin.takes == [.patient])
  }

  @Test func schemaListsParametersWithTypesAndDefaults() {
    let parameters = ParameterSchema.describe(MakePatientPlugin.self)
    #expect(parameters.map(\.name) == ["blobText", "code", "fail", "refuse"])
    let code = parameters.first { $0.name == "code" }
    #expect(code == ParameterInfo(name: "code", type: "string", defaultValue: "P1", help: "the patient code"))
    #expect(parameters.first { $0.name == "fail" }?.type == "bool")
  }

  @Test func overridesAreTypedByTheirDefaults() throws {
    let parameters = try ParameterSchema.apply(["code=P7", "fail=no"], to: MakePatientPlugin.self)
    #expect(parameters.code == "P7")
    #expect(parameters.fail == false)
    #expect(throws: ParameterError.badValue(name: "fail", value: "maybe", expected: "true or false")) {
      try ParameterSchema.apply(["fail=maybe"], to: MakePatientPlugin.self)
    }
    #expect(throws: ParameterError.malformed("code")) {
      try ParameterSchema.apply(["code"], to: MakePatientPlugin.self)
    }
    #expect(
      throws: ParameterError.unknown(
        name: "cod", plugin: "make-patient", valid: ["blobText", "code", "fail", "refuse"], suggestion: "code"
      )
    ) { try ParameterSchema.apply(["cod=1"], to: MakePatientPlugin.self) }
  }
}
