package dev.avcurate.ingest.media;

import java.io.Closeable;
import java.io.IOException;

/** Bytes FFmpeg reads through a custom AVIO context (Hadoop streams: hdfs://, s3a://, ...). */
public interface SeekableSource extends Closeable {
    /** Reads up to len bytes; returns -1 at the end. */
    int read(byte[] buf, int off, int len) throws IOException;

    void seek(long pos) throws IOException;

    long size() throws IOException;
}
