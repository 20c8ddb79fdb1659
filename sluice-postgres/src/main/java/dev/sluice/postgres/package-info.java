/** Where Sluice gets its PostgreSQL: an external server by URL, or an embedded one kept under {@code .sluice/}. */
package dev.sluice.postgres;
