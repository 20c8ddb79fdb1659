package dev.sluice.bench;

/** A peer contender cannot run on this machine (no npm, no network for the first install, …); the reason is shown to the user. */
final class PeerUnavailable extends Exception {
  PeerUnavailable(String reason) {
    super(reason);
  }
}
