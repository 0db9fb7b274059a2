package dev.avcurate.ingest;

import dev.avcurate.core.Ids;
import dev.avcurate.core.config.CurateConfig;
import dev.avcurate.ingest.IngestRecords.Input;
import dev.avcurate.ingest.IngestRecords.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;

/**
 * The JVM that {@link PoisonJvmTest} lets die: ingests files with the attempt journal and prints
 * one line per outcome, {@code outcome <file name> <status> <reason>}.
 *
 * <pre>
 *   local   OUTPUT TIMEOUT_S GRACE_S FILE...   one after the other, as local mode
 *   cluster OUTPUT TIMEOUT_S GRACE_S FILE...   the same as a cluster executor (the watchdog halts this JVM)
 *   pair    OUTPUT TIMEOUT_S GRACE_S BYSTANDER POISON
 *           the bystander on a thread of its own; once its decode has begun (its marker holds this
 *           run's attempt) or it has returned, the poison file on this thread
 * </pre>
 */
public final class PoisonChild {
    public static void main(String[] a) throws Exception {
        String mode = a[0];
        String output = a[1];
        CurateConfig cfg = CurateConfig.defaults().withOverrides(List.of("ingest.timeout_s=" + a[2], "ingest.watchdog_grace_s=" + a[3]));
        if (mode.equals("cluster")) DecodeWatchdog.clusterExecutor = () -> true;
        if (mode.equals("pair")) {
            Input bystander = input(Path.of(a[4]));
            PoisonGuard g = new PoisonGuard(output, new Configuration(), false);
            int attempt = g.prior(bystander).attempts() + 1;
            AtomicReference<Result> done = new AtomicReference<>();
            Thread t = new Thread(() -> done.set(ingest(cfg, output, bystander)));
            t.start();
            while (t.isAlive() && g.prior(bystander).attempts() < attempt) Thread.sleep(1);
            Result r = ingest(cfg, output, input(Path.of(a[5])));
            t.join();
            print(done.get());
            print(r);
        } else {
            for (int i = 4; i < a.length; i++) print(ingest(cfg, output, input(Path.of(a[i]))));
        }
        System.exit(0);
    }

    static Result ingest(CurateConfig cfg, String output, Input in) {
        return new VideoIngestor(cfg, new Configuration(), output).ingest(in);
    }

    static Input input(Path p) throws Exception {
        String uri = p.toUri().toString();
        return new Input(Ids.videoId(uri), uri, Files.size(p), Files.getLastModifiedTime(p).toMillis());
    }

    static void print(Result r) {
        String name = r.video().uri().substring(r.video().uri().lastIndexOf('/') + 1);
        System.out.println("outcome " + name + " " + r.video().status() + " " + r.video().rejectReason());
        System.out.flush();
    }
}
