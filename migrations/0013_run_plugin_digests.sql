-- An external plugin (docs/PLUGINS.md) is a folder of files that can change without its version
-- changing: each of its runs records the SHA-256 of the plugin's manifest (plugin.json) and of
-- its program, so that provenance says exactly what ran and `pleura rerun` refuses a changed
-- plugin. NULL for built-in plugins, whose code is the Pleura version (platform_version).
ALTER TABLE run ADD COLUMN plugin_manifest_sha256 TEXT;
ALTER TABLE run ADD COLUMN plugin_command_sha256 TEXT;
