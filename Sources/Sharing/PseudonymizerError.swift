import Platform

/// Why the site key for pseudonyms cannot be used: the site key's own errors.
public typealias PseudonymizerError = SiteKeyError
