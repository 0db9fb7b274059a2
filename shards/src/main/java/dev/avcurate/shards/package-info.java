/**
 * Training shards (SPEC §1 steps 5-6, §5): SFT selection, dedup, resolution buckets, Parquet
 * shards indexed by the Delta table {@code shards}. Filled by the shards issue.
 */
package dev.avcurate.shards;
