import Foundation
import Sharing
import TestSupport
import Testing

@Suite struct PseudonymizerTests {
  func keyFile(_ scratch: Scratch, bytes: Int = 32, mode: Int = 0o600) throws -> URL {
    let url = scratch.url.appending(path: "site.key")
    var random = SeededBytes(seed: 11)
    try random.data(count: bytes).write(to: url)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    return url
  }

  @Test func sameCodeAndKeyGiveTheSamePseudonym() throws {
    let scratch = Scratch()
    let key = try keyFile(scratch)
    let a = try Pseudonymizer(keyFile: key).pseudonym(for: "PAT-00042")
    let b = try Pseudonymizer(keyFile: key).pseudonym(for: "PAT-00042")
    #expect(a == b)
    #expect(a.hasPrefix("p-") && a.count == 26)
    #expect(a.dropFirst(2).allSatisfy { $0.isHexDigit && !$0.isUppercase })
    #expect(!a.contains("00042"))
  }

  @Test func differentCodesOrKeysGiveDifferentPseudonyms() throws {
    let scratch = Scratch()
    let pseudonymizer = try Pseudonymizer(keyFile: try keyFile(scratch))
    let other = Pseudonymizer(key: .init(data: Data(repeating: 7, count: 32)))
    #expect(pseudonymizer.pseudonym(for: "PAT-1") != pseudonymizer.pseudonym(for: "PAT-2"))
    #expect(pseudonymizer.pseudonym(for: "PAT-1") != other.pseudonym(for: "PAT-1"))
    #expect(pseudonymizer.pseudonym(for: "pat-1") != pseudonymizer.pseudonym(for: "PAT-1"))
  }

  /// A reference value computed independently:
  /// `python3 -c 'import hmac,hashlib; print(hmac.new(bytes([7]*32), b"pleura-patient-v1:PAT-1", hashlib.sha256).hexdigest()[:24])'`
  @Test func pseudonymIsTheDocumentedHMAC() {
    let pseudonymizer = Pseudonymizer(key: .init(data: Data(repeating: 7, count: 32)))
    #expect(pseudonymizer.pseudonym(for: "PAT-1") == "p-54442fa06ff7b87ba6ae269f")
  }

  @Test func missingKeyFileIsRefused() {
    let scratch = Scratch()
    let path = scratch.url.appending(path: "none.key")
    #expect(throws: PseudonymizerError.keyFileMissing(path: path.path)) { try Pseudonymizer(keyFile: path) }
  }

  @Test(arguments: [0o644, 0o640, 0o604, 0o660])
  func groupOrWorldReadableKeyIsRefused(mode: Int) throws {
    let scratch = Scratch()
    let key = try keyFile(scratch, mode: mode)
    let error = try #require(throws: PseudonymizerError.self) { try Pseudonymizer(keyFile: key) }
    #expect(error == .keyFileTooOpen(path: key.path, mode: UInt32(mode)))
    #expect(error.description.contains("chmod 600"))
  }

  @Test func shortKeyIsRefused() throws {
    let scratch = Scratch()
    let key = try keyFile(scratch, bytes: 31)
    #expect(throws: PseudonymizerError.keyTooShort(path: key.path, bytes: 31)) {
      try Pseudonymizer(keyFile: key)
    }
  }

  @Test func symlinkedKeyIsRefused() throws {
    let scratch = Scratch()
    let key = try keyFile(scratch)
    let link = scratch.url.appending(path: "link.key")
    try FileManager.default.createSymbolicLink(at: link, withDestinationURL: key)
    #expect(throws: PseudonymizerError.keyFileNotRegular(path: link.path)) {
      try Pseudonymizer(keyFile: link)
    }
  }

  @Test func createdKeyFileIsPrivateAndUsable() throws {
    let scratch = Scratch()
    let key = scratch.url.appending(path: "new.key")
    try Pseudonymizer.createKeyFile(at: key)
    let attributes = try FileManager.default.attributesOfItem(atPath: key.path)
    #expect(attributes[.posixPermissions] as? Int == 0o600)
    #expect(attributes[.size] as? Int == 32)
    #expect(try Pseudonymizer(keyFile: key).pseudonym(for: "x").count == 26)
    #expect(throws: PseudonymizerError.self) { try Pseudonymizer.createKeyFile(at: key) }
  }
}
