import Foundation
import TestSupport
import Testing

/// Every dataset name a listing prints is accepted wherever a dataset is asked for: at the site
/// that imported it (`Hospital A/demo@1`) as at the site that built it (`demo@1`).
@Suite(.serialized, .tags(.slow)) struct ListedNamesCLITests {
  @Test func everyListedDatasetNameIsAcceptedByEveryCommandThatTakesADataset() async throws {
    let sites = try await TwoSites.shared.sites()
    let b = sites.b
    let listed = try #require(try b.json(["dataset", "list"]) as? [[String: Any]])
    let name = try #require(listed.first?["reference"] as? String)
    #expect(name == "Hospital A/demo@1")
    let id = try #require(listed.first?["id"] as? String)
    let modelRows = try #require(try b.json(["models"]) as? [[String: Any]])
    #expect(modelRows.first?["dataset"] as? String == name)

    for given in [name, "Hospital A/demo", "demo@1", "demo", id, String(id.prefix(9))] {
      let show = try b.run(["dataset", "show", given])
      #expect(show.status == 0, "dataset show \(given): \(show.stderr)")
      #expect(show.stdout.contains("(\(id))"), "dataset show \(given)")
    }
    let out = b.folder.appendingPathComponent("out-\(UUID().uuidString)")
    let commands: [[String]] = [
      ["dataset", "diff", name, "demo@1"],
      ["show", name], ["lineage", name], ["run", "split", "--input", name, "--param", "seed=4"],
      ["split", name, "--seed", "3"],
      ["train", name, "--width", "0.03125", "--epochs", "1", "--batch", "16"],
      ["evaluate", sites.model, "--dataset", name, "--bootstrap", "20"],
      [
        "explain", sites.model, "--dataset", name, "--samples", "2", "--no-overlay", "-o",
        out.path + "-explain",
      ],
      ["dataset", "export-npy", name, out.path + "-npy"],
      ["export", name, "-o", out.path + ".tar.zst"],
    ]
    for arguments in commands {
      let result = try b.run(arguments)
      #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
    }
  }

  @Test func aDatasetNameThatMatchesNothingSuggestsTheClosestListedName() async throws {
    let b = try await TwoSites.shared.sites().b
    let typo = try b.run(["dataset", "show", "dmeo@1"])
    #expect(typo.status == 1)
    #expect(typo.stderr == "error: no dataset dmeo@1 in this catalog; did you mean Hospital A/demo@1?\n")
    let site = try b.run(["dataset", "show", "Hospital X/demo@1"])
    #expect(site.status == 1)
    #expect(site.stderr.hasPrefix("error: no site named 'Hospital X' in this catalog"), "\(site.stderr)")
    let version = try b.run(["dataset", "show", "Hospital A/demo@x"])
    #expect(version.stderr.hasPrefix("error: 'Hospital A/demo@x' is not NAME@VERSION"), "\(version.stderr)")
  }
}
