/** Sluice server module. */
package dev.sluice.server;
