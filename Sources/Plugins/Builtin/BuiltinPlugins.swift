import Media
import Platform

/// Every plugin that ships with Pleura; the CLI registers these at start-up.
public enum BuiltinPlugins {}
