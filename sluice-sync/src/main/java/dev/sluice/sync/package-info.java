/** Sluice sync module. */
package dev.sluice.sync;
