package dev.sluice.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text[] literal EventWriter binds in place of the driver's array (quoted, escaped, NULL for
 * null), and the COPY text fields it sends for the events.
 */
class TextArrayLiteralTest {
  @Test
  void quotesEveryElementAndEscapesQuotesAndBackslashes() {
    assertThat(EventWriter.text(List.of())).isEqualTo("{}");
    assertThat(EventWriter.text(Arrays.asList("a", null, "", "{\"k\":\"v\\\\n\"}", "x,y} z")))
        .isEqualTo("{\"a\",NULL,\"\",\"{\\\"k\\\":\\\"v\\\\\\\\n\\\"}\",\"x,y} z\"}");
  }

  @Test
  void copyFieldsEscapeBackslashTabNewlineAndCarriageReturnOnly() {
    StringBuilder b = new StringBuilder();
    EventWriter.copyField(b, null);
    b.append('|');
    EventWriter.copyField(b, "");
    b.append('|');
    EventWriter.copyField(b, "{\"k\":\"a\\\"b\"}\tx\ny\rz,\"");
    assertThat(b.toString()).isEqualTo("\\N||{\"k\":\"a\\\\\"b\"}\\tx\\ny\\rz,\"");
  }
}
