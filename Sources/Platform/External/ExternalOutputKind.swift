import Foundation

/// What an external plugin's result may make (the manifest's `outputs`, an output's `kind`):
/// the entity kinds Pleura can check from files and metadata, and `pictures`, PNG files attached
/// to the run the way `explain` attaches its pictures (blobs listed in the run's summary,
/// belonging to no entity).
public enum ExternalOutputKind: String, Codable, Sendable, CaseIterable {
  case model, evaluation, dataset, conversion, pictures

  /// The entity kind an output of this kind is, if it is one.
  public var entityKind: EntityKind? { EntityKind(rawValue: rawValue) }

  /// "a model", "pictures": for messages.
  public var withArticle: String { entityKind?.withArticle ?? rawValue }
}
