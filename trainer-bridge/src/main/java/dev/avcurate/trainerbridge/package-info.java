/**
 * The training shard format ({@link dev.avcurate.trainerbridge.ShardFormat}) and a reader that
 * feeds JVM trainers from it without Spark ({@link dev.avcurate.trainerbridge.ShardReader}): an
 * epoch order every rank computes alike from {@code index.tsv}, contiguous slices per rank and
 * loader worker, batches of one bucket each, a checkpointable state that resumes exactly, bounded
 * read-ahead, and a choice between failing and skipping on corrupt shards.
 */
package dev.avcurate.trainerbridge;
