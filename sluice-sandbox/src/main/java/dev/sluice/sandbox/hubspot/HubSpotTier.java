package dev.sluice.sandbox.hubspot;

/**
 * HubSpot account tiers and their private-app limits: calls per rolling 10 seconds and per day.
 * Use {@link HubSpotOptions.Builder#customLimits} for an account with an API limit increase.
 */
public enum HubSpotTier {
  STARTER(100, 250_000),
  PROFESSIONAL(190, 625_000),
  ENTERPRISE(190, 1_000_000);

  private final int perTenSeconds;
  private final long perDay;

  HubSpotTier(int perTenSeconds, long perDay) {
    this.perTenSeconds = perTenSeconds;
    this.perDay = perDay;
  }

  public int perTenSeconds() {
    return perTenSeconds;
  }

  public long perDay() {
    return perDay;
  }
}
