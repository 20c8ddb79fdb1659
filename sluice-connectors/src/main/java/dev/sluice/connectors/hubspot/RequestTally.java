package dev.sluice.connectors.hubspot;

import java.util.concurrent.atomic.AtomicInteger;

/** Requests made while reading one page; incremented from a page's parallel association reads too. */
final class RequestTally {
  private final AtomicInteger count = new AtomicInteger();

  void add() {
    count.incrementAndGet();
  }

  int requests() {
    return count.get();
  }
}
