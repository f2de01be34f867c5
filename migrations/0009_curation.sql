-- Curation: labels become versioned annotations like ROIs, a reviewer's decision is marked as the
-- adjudicated version, and the current label or ROI of a video is its latest adjudicated version
-- if it has one, else its latest version.

-- One version of a video's lung-sliding label. Version 1 is the label given at ingest (author
-- 'ingest'); its id is derived from the video's id, so that every site that holds the video
-- derives the same row. No row is ever updated or deleted.
CREATE TABLE label_annotation (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  source_video_id TEXT NOT NULL REFERENCES source_video (id),
  version INTEGER NOT NULL CHECK (version >= 1),
  label TEXT NOT NULL CHECK (label IN ('present', 'absent', 'unknown')),
  adjudicated INTEGER NOT NULL DEFAULT 0 CHECK (adjudicated IN (0, 1)),
  author TEXT NOT NULL,
  supersedes_id TEXT REFERENCES label_annotation (id),
  created_at TEXT NOT NULL,
  UNIQUE (source_video_id, version)
);
CREATE INDEX label_annotation_author ON label_annotation (author);

-- source_video.label keeps the label given at ingest; it is version 1 of every video's history.
INSERT INTO label_annotation (id, site_id, source_video_id, version, label, adjudicated, author, created_at)
SELECT 'lab_' || substr(id, 5), site_id, id, 1, label, 0, 'ingest', created_at FROM source_video;

ALTER TABLE roi_annotation ADD COLUMN adjudicated INTEGER NOT NULL DEFAULT 0 CHECK (adjudicated IN (0, 1));
CREATE INDEX roi_annotation_author ON roi_annotation (author);

-- The current label of every video (the ingest label for a video that has no version row).
CREATE VIEW current_label AS
SELECT v.id AS source_video_id, l.id AS label_id, coalesce(l.label, v.label) AS label,
  coalesce(l.version, 1) AS version, coalesce(l.author, 'ingest') AS author,
  coalesce(l.adjudicated, 0) AS adjudicated, coalesce(l.created_at, v.created_at) AS created_at
FROM source_video v
LEFT JOIN label_annotation l ON l.id = (
  SELECT id FROM label_annotation WHERE source_video_id = v.id ORDER BY adjudicated DESC, version DESC LIMIT 1);

-- The current ROI of every video that has one.
CREATE VIEW current_roi AS
SELECT r.* FROM roi_annotation r
WHERE r.id = (
  SELECT id FROM roi_annotation x WHERE x.source_video_id = r.source_video_id
  ORDER BY adjudicated DESC, version DESC LIMIT 1);

-- The workbench (`pleura serve`): accounts, free-text notes and thumbnails. None of these rows
-- is ever exported: a bundle carries entities and their provenance, not who may log in or what a
-- curator wrote in the margin.
CREATE TABLE workbench_user (
  name TEXT PRIMARY KEY NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('curator', 'reviewer', 'admin')),
  -- "pbkdf2-sha256$<iterations>$<salt, base64>$<key, base64>"
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE video_note (
  id TEXT PRIMARY KEY NOT NULL,
  source_video_id TEXT NOT NULL REFERENCES source_video (id),
  author TEXT NOT NULL,
  text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
  created_at TEXT NOT NULL
);
CREATE INDEX video_note_video ON video_note (source_video_id);

-- A one-row contact sheet of the video, cached as a blob the first time a page shows it.
CREATE TABLE video_thumbnail (
  source_video_id TEXT PRIMARY KEY NOT NULL REFERENCES source_video (id),
  blob_sha256 TEXT NOT NULL REFERENCES blob (sha256),
  created_at TEXT NOT NULL
);
