/** Sluice connectors module. */
package dev.sluice.connectors;
