-- The SHA-256 of the file a source video was made from, when the stored bytes are not that file:
-- a de-identified DICOM or a masked re-encode. The original itself is never stored; its hash lets
-- ingest recognise the same original given twice. Local to the site: bundles do not carry it.
CREATE TABLE source_video_original (
  source_video_id TEXT PRIMARY KEY NOT NULL REFERENCES source_video (id) ON DELETE CASCADE,
  site_id TEXT NOT NULL REFERENCES site (id),
  original_sha256 TEXT NOT NULL CHECK (length(original_sha256) = 64),
  UNIQUE (site_id, original_sha256)
);
