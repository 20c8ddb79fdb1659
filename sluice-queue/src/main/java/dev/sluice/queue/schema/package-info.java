/**
 * The queue schema's migrations, the named-SQL helper shared by the queue's packages and the modules
 * built on it, and those modules' background ANALYZE of tables a burst grows ({@link
 * dev.sluice.queue.schema.TableStatistics}); not part of their API.
 */
package dev.sluice.queue.schema;
