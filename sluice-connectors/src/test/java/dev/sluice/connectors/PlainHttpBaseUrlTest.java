package dev.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** A vendor token never travels in clear text beyond this host. */
class PlainHttpBaseUrlTest {
  private static ConnectionConfig with(String url) {
    return ConnectionConfig.builder("c", "hubspot").baseUrl(URI.create(url)).token("pat-secret", "${T}").build();
  }

  @Test
  void plainHttpToAnotherHostIsRefusedWithoutShowingTheToken() {
    assertThatThrownBy(() -> with("http://api.example.com")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https://").message().doesNotContain("pat-secret");
    assertThatThrownBy(() -> with("http://10.0.0.5:8080")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void plainHttpToLoopbackAndHttpsAnywhereAreAccepted() {
    assertThat(with("http://127.0.0.1:4010").baseUrl().getHost()).isEqualTo("127.0.0.1");
    assertThat(with("http://localhost:4010").baseUrl().getHost()).isEqualTo("localhost");
    assertThat(with("http://[::1]:4010").baseUrl().getPort()).isEqualTo(4010);
    assertThat(with("https://api.hubapi.com").baseUrl().getScheme()).isEqualTo("https");
    assertThat(ConnectionConfig.isLoopback("127.12.0.1")).isTrue();
    assertThat(ConnectionConfig.isLoopback("127.evil.com")).isFalse();
  }
}
