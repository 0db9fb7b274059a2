/**
 * From a kept clip to files a trainer reads (SPEC §5): {@link dev.avcurate.shards.write.ClipShardEncoder}
 * turns one clip into one row of {@link dev.avcurate.trainerbridge.ShardFormat#SCHEMA} on an
 * executor, {@link dev.avcurate.shards.write.ShardFileWriter} writes rows of one split and bucket
 * into Parquet files that appear only when complete.
 */
package dev.avcurate.shards.write;
