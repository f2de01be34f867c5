import Bag
import Foundation
import TestSupport
import Testing

@Suite struct BagRoundTripTests {
  @Test(arguments: [BagCompression.zstd(), .gzip()])
  func writtenBagVerifiesWithItsPayload(compression: BagCompression) throws {
    let scratch = Scratch()
    let source = scratch.url.appending(path: "blob.npy")
    var random = SeededBytes(seed: 7)
    let blob = random.data(count: 3 << 20)
    try blob.write(to: source)
    let archive = scratch.url.appending(path: "out.\(compression.fileExtension)")

    let writer = try BagWriter(creating: archive, bagName: "site-a-export", compression: compression)
    try writer.addData(Data("[{\"id\": 1}]".utf8), as: "catalog/videos.json")
    try writer.addFile(at: source, as: "objects/ab/blob.npy")
    try writer.addData(Data(), as: "empty.txt")
    var info = BagInfo()
    info.append("Source-Organization", "Site A")
    info.append("Pleura-Version", "0.1.0")
    let summary = try writer.finish(info: info)

    #expect(summary.payloadFiles == 3)
    #expect(summary.payloadBytes == Int64(blob.count + 11))
    #expect(summary.archiveBytes > 0)
    #expect(scratch.contents(of: scratch.url).sorted() == ["blob.npy", archive.lastPathComponent].sorted())

    let staging = scratch.folder("staging")
    let bag = try BagReader(stagingParent: staging).extract(archive: archive)
    #expect(bag.name == "site-a-export")
    #expect(bag.info["Source-Organization"] == "Site A")
    #expect(bag.info["Payload-Oxum"] == "\(blob.count + 11).3")
    #expect(bag.info["Bagging-Date"] != nil)
    #expect(
      bag.payload.map(\.path) == ["data/catalog/videos.json", "data/empty.txt", "data/objects/ab/blob.npy"])
    #expect(try Data(contentsOf: bag.url(of: "data/objects/ab/blob.npy")) == blob)
    let mode = try FileManager.default.attributesOfItem(atPath: bag.root.path)[.posixPermissions] as? Int
    #expect(mode == 0o700)
    try bag.remove()
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func verifyChecksAndLeavesNothing() throws {
    let scratch = Scratch()
    let archive = scratch.url.appending(path: "b.tar.zst")
    let writer = try BagWriter(creating: archive, bagName: "b")
    try writer.addData(Data("x".utf8), as: "x.txt")
    try writer.finish(info: BagInfo())
    let staging = scratch.folder("staging")
    let result = try BagReader(stagingParent: staging).verify(archive: archive)
    #expect(result.payload.map(\.size) == [1])
    #expect(scratch.contents(of: staging).isEmpty)
  }

  @Test func folderIsAddedRecursivelyInSortedOrder() throws {
    let scratch = Scratch()
    let source = scratch.folder("src")
    try FileManager.default.createDirectory(
      at: source.appending(path: "b/c"), withIntermediateDirectories: true)
    try Data("1".utf8).write(to: source.appending(path: "a.json"))
    try Data("22".utf8).write(to: source.appending(path: "b/c/d.bin"))
    let archive = scratch.url.appending(path: "f.tar.gz")
    let writer = try BagWriter(creating: archive, bagName: "f", compression: .gzip())
    try writer.addFolder(at: source, as: "rows")
    try writer.finish(info: BagInfo())
    let result = try BagReader(stagingParent: scratch.folder("s")).verify(archive: archive)
    #expect(result.payload.map(\.path) == ["data/rows/a.json", "data/rows/b/c/d.bin"])
  }

  @Test func namesWithQuotesAndSQLAreStoredVerbatim() throws {
    let scratch = Scratch()
    let archive = scratch.url.appending(path: "q.tar.zst")
    let names = ["Robert'); DROP TABLE video;--.json", "a b\"c.npy", "100 percent.txt", "ünïcode ✓.txt"]
    let writer = try BagWriter(creating: archive, bagName: "q")
    for name in names { try writer.addData(Data(name.utf8), as: name) }
    try writer.finish(info: BagInfo())
    let bag = try BagReader(stagingParent: scratch.folder("s")).extract(archive: archive)
    defer { try? bag.remove() }
    #expect(Set(bag.payload.map(\.path)) == Set(names.map { "data/\($0)" }))
    for name in names { #expect(try Data(contentsOf: bag.url(of: "data/\(name)")) == Data(name.utf8)) }
  }

  @Test(arguments: [
    "../x", "/abs", "a//b", "100%.txt", "a/./b", "a\\b", "new\nline", "tab\there", "", "a/",
    "\u{2024}\u{2024}/x",
  ])
  func writerRefusesUnsafePayloadPaths(path: String) throws {
    let scratch = Scratch()
    let archive = scratch.url.appending(path: "w.tar.zst")
    let writer = try BagWriter(creating: archive, bagName: "w")
    #expect {
      try writer.addData(Data(), as: path)
    } throws: { error in
      guard case .invalidPayloadPath(let p, _) = error as? BagError else { return false }
      return p == path
    }
    writer.cancel()
    #expect(scratch.contents(of: scratch.url).isEmpty)
  }

  @Test func writerRefusesDuplicatesAndExistingArchive() throws {
    let scratch = Scratch()
    let archive = scratch.url.appending(path: "d.tar.zst")
    let writer = try BagWriter(creating: archive, bagName: "d")
    try writer.addData(Data(), as: "a/b")
    #expect(throws: BagError.self) { try writer.addData(Data(), as: "a/b") }
    #expect(throws: BagError.self) { try writer.addData(Data(), as: "a") }
    #expect(throws: BagError.self) { try writer.addData(Data(), as: "a/b/c") }
    try writer.finish(info: BagInfo())
    #expect(throws: BagError.writerClosed) { try writer.addData(Data(), as: "z") }
    #expect(throws: BagError.archiveExists(path: archive.path)) {
      _ = try BagWriter(creating: archive, bagName: "d")
    }
  }

  @Test func cancelledWriterLeavesNoFile() throws {
    let scratch = Scratch()
    do {
      let writer = try BagWriter(creating: scratch.url.appending(path: "c.tar.zst"), bagName: "c")
      try writer.addData(Data("x".utf8), as: "x")
    }
    #expect(scratch.contents(of: scratch.url).isEmpty)
  }

  @Test func sourcesThatAreNotRegularFilesAreRefused() throws {
    let scratch = Scratch()
    let fifo = scratch.url.appending(path: "pipe")
    #expect(mkfifo(fifo.path, 0o600) == 0)
    let writer = try BagWriter(creating: scratch.url.appending(path: "s.tar.zst"), bagName: "s")
    for source in [fifo, scratch.folder("dir")] {
      #expect(
        throws: BagError.invalidPayloadPath(path: source.path, reason: "the source is not a regular file")
      ) {
        try writer.addFile(at: source, as: "x")
      }
    }
    writer.cancel()
  }

  @Test func bagIsReadFromAPipe() throws {
    let scratch = Scratch()
    let archive = scratch.url.appending(path: "p.tar.gz")
    let writer = try BagWriter(creating: archive, bagName: "p", compression: .gzip())
    try writer.addData(Data(repeating: 9, count: 300_000), as: "nines.bin")
    try writer.finish(info: BagInfo())
    let process = Process()
    process.executableURL = URL(filePath: "/bin/cat")
    process.arguments = [archive.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let bag = try BagReader(stagingParent: scratch.folder("s"))
      .extract(fileDescriptor: pipe.fileHandleForReading.fileDescriptor, name: "stdin")
    process.waitUntilExit()
    #expect(bag.payload.map(\.size) == [300_000])
    try bag.remove()
  }
}
