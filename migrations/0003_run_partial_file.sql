-- Files a run writes outside the catalog folder until it is done, such as an export's hidden
-- `.NAME.partial-RUN-XXXXXX` beside its destination. The prefix is recorded before the file is
-- made, so that a run killed part-way leaves a row the next open uses to remove the file (see
-- RunReaper). Local bookkeeping: never exported.
CREATE TABLE run_partial_file (
  run_id TEXT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
  path_prefix TEXT NOT NULL,
  PRIMARY KEY (run_id, path_prefix)
);
