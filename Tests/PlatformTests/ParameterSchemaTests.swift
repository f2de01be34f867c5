import Testing

@testable import Platform

@Suite struct ParameterSchemaTests {
  @Test func recordedParametersDecodeThroughThePluginsOwnType() throws {
    let parameters = try ParameterSchema.decode(
      json: #"{"blobText":"","code":"P7","fail":true,"refuse":false}"#, as: MakePatientPlugin.self)
    #expect(parameters.code == "P7" && parameters.fail)
  }

  @Test func aFieldTheRecordDoesNotHoldReadsAsItsDefault() throws {
    let parameters = try ParameterSchema.decode(json: #"{"code":"P7"}"#, as: MakePatientPlugin.self)
    #expect(parameters.code == "P7")
    #expect(parameters.blobText == MakePatientPlugin.Parameters().blobText)
    #expect(parameters.fail == MakePatientPlugin.Parameters().fail)
  }

  @Test func aFieldOfTheWrongTypeOrNoObjectIsRefused() {
    #expect(throws: ParameterError.self) {
      try ParameterSchema.decode(json: #"{"code":7}"#, as: MakePatientPlugin.self)
    }
    #expect(throws: ParameterError.self) {
      try ParameterSchema.decode(json: "[1]", as: MakePatientPlugin.self)
    }
  }
}
