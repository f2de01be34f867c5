import Foundation
import TestSupport

/// An external plugin written at test time (Python with NumPy, and the ffmpeg CLI to read and
/// write videos) that makes one of the output kinds beyond models and evaluations: `make=dataset`
/// cuts mirrored 8-frame 16 x 16 cubes from its input conversions at their ROIs, `make=conversion`
/// writes a 64 x 48 grey FFV1 conversion of its input source video, `make=pictures` draws two
/// PNG pictures. `fault` breaks one thing on purpose, so that each refusal has a plugin to show it.
enum MakerPlugin {
  static let faults = [
    "none", "float-shard", "short-sidecar", "foreign-conversion", "corrupt-video", "truncated-video",
    "wrong-size",
    "not-png",
    "bad-crc",
  ]

  static func write(in folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let manifest: [String: Any] = [
      "name": "maker", "version": "1.0.0", "summary": "Makes datasets, conversions and pictures.",
      "command": ["maker.py"],
      "parameters": [
        "make": ["type": "enum", "values": ["dataset", "conversion", "pictures"], "default": "dataset"],
        "fault": ["type": "enum", "values": faults, "default": "none"],
      ],
      "inputs": [
        ["kind": "source_video", "min": 0, "max": 64], ["kind": "conversion", "min": 0, "max": 64],
        ["kind": "roi_annotation", "min": 0, "max": 64], ["kind": "label_annotation", "min": 0, "max": 64],
      ],
      "outputs": ["dataset", "conversion", "pictures"], "deterministic": true,
    ]
    try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]).write(
      to: folder.appendingPathComponent("plugin.json"))
    let program = folder.appendingPathComponent("maker.py")
    try source.write(to: program, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program.path)
  }

  static let source = #"""
    #!/usr/bin/env python3
    import json, os, struct, subprocess, sys, zlib
    import numpy as np

    request = json.load(sys.stdin)
    make = request["parameters"]["make"]
    fault = request["parameters"]["fault"]
    out = request["outputFolder"]

    def of_kind(kind):
        return [item for item in request["inputs"] if item["kind"] == kind]

    def finish(output):
        print(json.dumps({"result": {"outputs": [output], "summary": "made " + make}}))

    def grey_frames(path, width, height):
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                             check=True, capture_output=True).stdout
        return np.frombuffer(raw, np.uint8).reshape(-1, height, width)

    def make_dataset():
        rois = {item["record"]["sourceVideoId"]: item["record"] for item in of_kind("roi_annotation")}
        labels = {item["record"]["sourceVideoId"]: item["record"] for item in of_kind("label_annotation")}
        files = {}
        size, length = 16, 8
        for k, conversion in enumerate(of_kind("conversion")):
            record = conversion["record"]
            width, height = record["width"], record["height"]
            frames = grey_frames(conversion["files"]["video"], width, height)
            roi = rois[record["sourceVideoId"]]
            x = min(max(roi["x"], 0), width - size)
            y = min(max(roi["y"], 0), height - size)
            clips = min(3, len(frames) // length)
            cubes = np.stack([frames[c * length:(c + 1) * length, y:y + size, x:x + size] for c in range(clips)])
            cubes = np.ascontiguousarray(cubes[:, :, :, ::-1])
            if fault == "float-shard":
                cubes = cubes.astype(np.float32)
            np.save(os.path.join(out, f"shard-{k}.npy"), cubes)
            lines = ["index,clip,first_frame,frames,tile_row,tile_col,x,y,size,label,patient,conversion,roi_version"]
            named = "conv_00000000000000ff" if fault == "foreign-conversion" else record["id"]
            for c in range(clips):
                lines.append(f"{c},{c},{c * length},{length},0,0,{x},{y},{size},"
                             f"{labels[record['sourceVideoId']]['label']},{record['patientCode']},{named},{roi['version']}")
            if fault == "short-sidecar":
                lines = lines[:-1]
            with open(os.path.join(out, f"sidecar-{k}.csv"), "w") as sidecar:
                sidecar.write("\n".join(lines) + "\n")
            files[f"shard-{k}"] = f"shard-{k}.npy"
            files[f"sidecar-{k}"] = f"sidecar-{k}.csv"
        finish({"key": "mirrored", "kind": "dataset", "files": files,
                "metadata": {"name": "mirrored", "recipe": {"name": "mirrored", "mirrored": True, "tileSize": size,
                                                            "framesPerCube": length}}})

    def make_conversion():
        source = of_kind("source_video")[0]
        path = os.path.join(out, "grey.mkv")
        subprocess.run(["ffmpeg", "-v", "error", "-i", source["files"]["video"], "-vf", "scale=64:48,format=gray",
                        "-r", "15", "-c:v", "ffv1", "-threads", "1", path], check=True)
        data = open(path, "rb").read()
        if fault == "truncated-video":
            with open(path, "wb") as video:
                video.write(data[:len(data) // 3])
        if fault == "corrupt-video":
            with open(path, "wb") as video:
                video.write(bytes(4096) + data[4096:])
        width, height = (96, 72) if fault == "wrong-size" else (64, 48)
        parameters = {"width": width, "height": height, "fpsNumerator": 15, "fpsDenominator": 1, "codec": "ffv1"}
        finish({"key": "grey", "kind": "conversion", "files": {"video": "grey.mkv"},
                "metadata": {"source": source["id"], "parameters": parameters}})

    def png(pixels):
        height, width = pixels.shape
        def chunk(kind, data):
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
        rows = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")

    def make_pictures():
        ramp = np.tile(np.arange(64, dtype=np.uint8) * 4, (32, 1))
        pictures = {"ramp.png": png(ramp), "checks.png": png(((np.indices((32, 32)).sum(0) % 2) * 255).astype(np.uint8))}
        if fault == "not-png":
            pictures["checks.png"] = b"GIF89a this is not a PNG"
        if fault == "bad-crc":
            broken = bytearray(pictures["checks.png"])
            broken[20] ^= 0xFF
            pictures["checks.png"] = bytes(broken)
        for name, data in pictures.items():
            with open(os.path.join(out, name), "wb") as picture:
                picture.write(data)
        finish({"key": "pictures", "kind": "pictures", "files": {name: name for name in pictures}, "metadata": {}})

    {"dataset": make_dataset, "conversion": make_conversion, "pictures": make_pictures}[make]()
    """#
}
