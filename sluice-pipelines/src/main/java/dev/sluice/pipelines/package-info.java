/**
 * Pipelines (reverse ETL from the mirror): {@link dev.sluice.pipelines.PipelineEngine} pushes the
 * mirror records of one object type that changed since their last push to a destination connection
 * through a declared {@link dev.sluice.pipelines.Mapping}, with identity links across systems,
 * per-record results and the two-way rules (echo suppression, a conflict rule per field).
 */
package dev.sluice.pipelines;
