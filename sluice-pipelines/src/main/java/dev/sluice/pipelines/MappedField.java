package dev.sluice.pipelines;

/**
 * One destination field of a {@link Mapping}.
 *
 * @param typed the file declared the type (else {@link Mapping.FieldType#STRING} by default)
 * @param conflict which side wins when both changed the field between runs: {@link #NEWEST} (the
 *     later source modification time) or a connection's name (that system is the source of truth)
 */
record MappedField(String name, MappingExpression expression, Mapping.FieldType type, boolean typed, boolean required,
    String defaultValue, String conflict) {
  static final String NEWEST = "newest";
}
