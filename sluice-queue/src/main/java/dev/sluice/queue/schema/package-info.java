/**
 * The queue schema's migrations and the named-SQL helper shared by the queue's packages; not part
 * of their API.
 */
package dev.sluice.queue.schema;
