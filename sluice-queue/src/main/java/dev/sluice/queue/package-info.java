/** Sluice queue module. */
package dev.sluice.queue;
