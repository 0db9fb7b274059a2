/**
 * Reads training shards without Spark (deterministic shuffle, rank partitioning, resumable
 * state) for Java trainers. Filled by the shards issue.
 */
package dev.avcurate.trainerbridge;
