-- Runs sent to Slurm (Platform/Jobs, docs/CLUSTER.md). A job is one task of a submission (an
-- sbatch job array: one task per run); its node works in its own folder under CATALOG/jobs/ and
-- never writes catalog.sqlite. The coordinator (`pleura experiment --executor slurm`, `pleura jobs
-- collect`) lands a finished job's run in one transaction and records here where and how it ran.
-- Local bookkeeping of this site: never exported.
CREATE TABLE job (
  id TEXT PRIMARY KEY NOT NULL,
  submission TEXT NOT NULL,
  task INTEGER NOT NULL CHECK (task >= 0),
  slurm_job_id TEXT NOT NULL,
  plugin TEXT NOT NULL,
  parameters_json TEXT NOT NULL,
  inputs_json TEXT NOT NULL,
  cache_key TEXT NOT NULL,
  resources_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('submitted', 'landed', 'failed', 'cancelled')),
  submitted_at TEXT NOT NULL,
  finished_at TEXT,
  run_id TEXT REFERENCES run (id),
  node TEXT,
  slurm_state TEXT,
  reason TEXT,
  resubmitted_as TEXT REFERENCES job (id),
  UNIQUE (submission, task)
);
CREATE INDEX job_status ON job (status);
CREATE INDEX job_run ON job (run_id);

-- Catalog-wide settings, one value per key (`executor`: local or slurm, the default of the
-- commands that take --executor).
CREATE TABLE setting (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
