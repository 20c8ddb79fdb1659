/**
 * Sluice sandbox: local servers speaking the vendors' wire formats with their limits and faults.
 * {@link dev.sluice.sandbox.Sandbox} runs one HTTP server for every
 * {@link dev.sluice.sandbox.PlatformSandbox} and adds, for all of them, fault injection
 * ({@link dev.sluice.sandbox.FaultRule}, {@link dev.sluice.sandbox.FaultInjector}), a request journal
 * ({@link dev.sluice.sandbox.RequestJournal}), counters ({@link dev.sluice.sandbox.SandboxCounters})
 * and the admin API under {@code /_admin/}. {@link dev.sluice.sandbox.ManualClock} lets tests move time.
 */
package dev.sluice.sandbox;
