package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A job's error goes into a text column, which cannot hold U+0000: one such message must not wedge completions. */
class ErrorTextTest {
  @Test
  void nulCharactersInAnErrorAreStoredAsTheReplacementCharacter() {
    RuntimeException e = new RuntimeException("vendor said <html>\u0000</html>");
    assertThat(JobRun.errorText(e)).isEqualTo("java.lang.RuntimeException: vendor said <html>\uFFFD</html>");
    assertThat(JobRun.stackText(e)).doesNotContain("\u0000").contains("<html>\uFFFD</html>");
    assertThat(JobRun.errorText(new PermanentJobFailure("gave up: \u0000"))).isEqualTo("gave up: \uFFFD");
  }
}
