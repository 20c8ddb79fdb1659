package dev.sluice.queue;

/**
 * EnqueueResult says which job an enqueue refers to.
 *
 * @param id      the new job's id, or on a dedupe hit the id of the job that already holds the key
 * @param created false when the dedupe key was already taken (the enqueue was a no-op)
 */
public record EnqueueResult(long id, boolean created) {
}
