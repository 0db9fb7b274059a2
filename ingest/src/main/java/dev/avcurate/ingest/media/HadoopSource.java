package dev.avcurate.ingest.media;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A file on any Hadoop file system, read as a {@link SeekableSource}. Owns its input stream. */
public final class HadoopSource implements SeekableSource {
    private final FSDataInputStream in;
    private final long size;

    public HadoopSource(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem(conf);
        this.size = fs.getFileStatus(p).getLen();
        this.in = fs.open(p);
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        return in.read(buf, off, len);
    }

    @Override
    public void seek(long pos) throws IOException {
        in.seek(pos);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
