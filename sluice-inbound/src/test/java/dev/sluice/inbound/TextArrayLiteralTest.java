package dev.sluice.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text[] literal EventWriter binds in place of the driver's array: quoted, escaped, NULL for null. */
class TextArrayLiteralTest {
  @Test
  void quotesEveryElementAndEscapesQuotesAndBackslashes() {
    assertThat(EventWriter.text(List.of())).isEqualTo("{}");
    assertThat(EventWriter.text(Arrays.asList("a", null, "", "{\"k\":\"v\\\\n\"}", "x,y} z")))
        .isEqualTo("{\"a\",NULL,\"\",\"{\\\"k\\\":\\\"v\\\\\\\\n\\\"}\",\"x,y} z\"}");
  }
}
