package dev.sluice.sync;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON mapper of the module (thread-safe once configured). It writes U+0000 as U+FFFD
 * ({@link NulBytes}): everything it writes goes into {@code jsonb}, which rejects {@code \u0000}.
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper(new JsonFactoryBuilder().characterEscapes(new NulAsReplacement()).build())
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /** JSON's standard escapes, except U+0000, which is written as U+FFFD. */
  private static final class NulAsReplacement extends CharacterEscapes {
    private static final int[] ASCII = standardAsciiEscapesForJSON();
    private static final SerializedString REPLACEMENT = new SerializedString(String.valueOf(NulBytes.REPLACEMENT));

    static {
      ASCII[0] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ASCII;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch == 0 ? REPLACEMENT : null;
    }
  }

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  static JsonNode read(String text) {
    if (text == null) {
      return MAPPER.nullNode();
    }
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON does not parse: " + e.getOriginalMessage(), e);
    }
  }
}
