-- An external plugin's job (Platform/Jobs, docs/CLUSTER.md) names the plugin's folder and the
-- SHA-256 of its manifest and program as they were at submission: the node refuses to run other
-- files, and `pleura jobs resubmit` sends the very same plugin again. NULL for built-in plugins.
ALTER TABLE job ADD COLUMN plugin_folder TEXT;
ALTER TABLE job ADD COLUMN plugin_manifest_sha256 TEXT;
ALTER TABLE job ADD COLUMN plugin_command_sha256 TEXT;
