-- Pleura catalog schema, version 1: every entity of DESIGN.md plus the run-to-entity edges.
-- Ids are "<kind>_<16 hex>" strings, random and therefore unique across sites, so that imported
-- rows keep their ids. Times are ISO-8601 UTC strings. JSON columns hold canonical JSON.

CREATE TABLE site (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  uuid TEXT NOT NULL UNIQUE,
  is_local INTEGER NOT NULL DEFAULT 0 CHECK (is_local IN (0, 1)),
  created_at TEXT NOT NULL
);
-- Exactly one site is the catalog's own.
CREATE UNIQUE INDEX site_one_local ON site (is_local) WHERE is_local = 1;

-- Every blob an entity references; the file lives at objects/<2 hex>/<sha256>. A blob known
-- only by its hash (an imported row whose bytes stayed at the other site) has stored = 0.
CREATE TABLE blob (
  sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
  size INTEGER NOT NULL CHECK (size >= 0),
  stored INTEGER NOT NULL DEFAULT 1 CHECK (stored IN (0, 1)),
  created_at TEXT NOT NULL
);

CREATE TABLE run (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  plugin TEXT NOT NULL,
  plugin_version TEXT NOT NULL,
  parameters_json TEXT NOT NULL,
  seed INTEGER,
  cache_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  error TEXT,
  platform_version TEXT NOT NULL,
  pid INTEGER,
  summary TEXT
);
CREATE INDEX run_cache ON run (cache_key, status);
CREATE INDEX run_status ON run (status);

-- Provenance: what each run read (input) and made (output).
CREATE TABLE run_edge (
  run_id TEXT NOT NULL REFERENCES run (id),
  direction TEXT NOT NULL CHECK (direction IN ('input', 'output')),
  entity_kind TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, direction, entity_id)
);
CREATE INDEX run_edge_entity ON run_edge (entity_id, direction);

-- A site-scoped pseudonym; no names, birth dates or other direct identifiers.
CREATE TABLE patient (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  code TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (site_id, code)
);

CREATE TABLE source_video (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  patient_id TEXT NOT NULL REFERENCES patient (id),
  blob_sha256 TEXT NOT NULL REFERENCES blob (sha256),
  file_name TEXT NOT NULL,
  label TEXT NOT NULL CHECK (label IN ('present', 'absent', 'unknown')),
  notes TEXT,
  container TEXT NOT NULL,
  codec TEXT NOT NULL,
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  fps_num INTEGER NOT NULL CHECK (fps_num > 0),
  fps_den INTEGER NOT NULL CHECK (fps_den > 0),
  frame_count INTEGER NOT NULL CHECK (frame_count >= 0),
  duration_seconds REAL NOT NULL CHECK (duration_seconds >= 0),
  created_at TEXT NOT NULL,
  UNIQUE (site_id, blob_sha256)
);
CREATE INDEX source_video_patient ON source_video (patient_id);

CREATE TABLE conversion (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  source_video_id TEXT NOT NULL REFERENCES source_video (id),
  blob_sha256 TEXT NOT NULL REFERENCES blob (sha256),
  parameters_json TEXT NOT NULL,
  container TEXT NOT NULL,
  codec TEXT NOT NULL,
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  fps_num INTEGER NOT NULL CHECK (fps_num > 0),
  fps_den INTEGER NOT NULL CHECK (fps_den > 0),
  frame_count INTEGER NOT NULL CHECK (frame_count >= 0),
  duration_seconds REAL NOT NULL CHECK (duration_seconds >= 0),
  pixel_data TEXT NOT NULL DEFAULT 'luma',
  created_at TEXT NOT NULL,
  UNIQUE (source_video_id, parameters_json)
);

-- A rectangle in the source video's pixels (conversion_id NULL) or in one conversion's pixels.
-- Edits add a version that supersedes the previous one; no row is ever updated or deleted.
CREATE TABLE roi_annotation (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  source_video_id TEXT NOT NULL REFERENCES source_video (id),
  conversion_id TEXT REFERENCES conversion (id),
  version INTEGER NOT NULL CHECK (version >= 1),
  x INTEGER NOT NULL CHECK (x >= 0),
  y INTEGER NOT NULL CHECK (y >= 0),
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  frame_start INTEGER,
  frame_end INTEGER,
  author TEXT NOT NULL,
  supersedes_id TEXT REFERENCES roi_annotation (id),
  created_at TEXT NOT NULL,
  UNIQUE (source_video_id, version)
);

CREATE TABLE dataset (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  name TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  recipe_json TEXT NOT NULL,
  summary_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  UNIQUE (site_id, name, version)
);

CREATE TABLE cube (
  id TEXT PRIMARY KEY NOT NULL,
  dataset_id TEXT NOT NULL REFERENCES dataset (id),
  conversion_id TEXT NOT NULL REFERENCES conversion (id),
  roi_id TEXT NOT NULL REFERENCES roi_annotation (id),
  patient_id TEXT NOT NULL REFERENCES patient (id),
  label TEXT NOT NULL CHECK (label IN ('present', 'absent', 'unknown')),
  clip_index INTEGER NOT NULL CHECK (clip_index >= 0),
  first_frame INTEGER NOT NULL CHECK (first_frame >= 0),
  frames INTEGER NOT NULL CHECK (frames > 0),
  tile_row INTEGER NOT NULL CHECK (tile_row >= 0),
  tile_col INTEGER NOT NULL CHECK (tile_col >= 0),
  x INTEGER NOT NULL,
  y INTEGER NOT NULL,
  size INTEGER NOT NULL CHECK (size > 0),
  shard_sha256 TEXT NOT NULL REFERENCES blob (sha256),
  shard_index INTEGER NOT NULL CHECK (shard_index >= 0)
);
CREATE INDEX cube_dataset ON cube (dataset_id);

CREATE TABLE split (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  dataset_id TEXT NOT NULL REFERENCES dataset (id),
  seed INTEGER NOT NULL,
  parameters_json TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE split_assignment (
  split_id TEXT NOT NULL REFERENCES split (id),
  patient_id TEXT NOT NULL REFERENCES patient (id),
  part TEXT NOT NULL CHECK (part IN ('train', 'validation', 'test')),
  PRIMARY KEY (split_id, patient_id)
);

CREATE TABLE model (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  dataset_id TEXT NOT NULL REFERENCES dataset (id),
  split_id TEXT NOT NULL REFERENCES split (id),
  architecture TEXT NOT NULL,
  weights_sha256 TEXT NOT NULL REFERENCES blob (sha256),
  hyperparameters_json TEXT NOT NULL,
  curves_json TEXT NOT NULL,
  chosen_epoch INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE evaluation (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES site (id),
  model_id TEXT NOT NULL REFERENCES model (id),
  dataset_id TEXT NOT NULL REFERENCES dataset (id),
  part TEXT NOT NULL CHECK (part IN ('train', 'validation', 'test', 'all')),
  metrics_json TEXT NOT NULL,
  scores_sha256 TEXT REFERENCES blob (sha256),
  created_at TEXT NOT NULL
);
