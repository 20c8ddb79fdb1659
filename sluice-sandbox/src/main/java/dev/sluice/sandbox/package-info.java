/** Sluice sandbox module. */
package dev.sluice.sandbox;
