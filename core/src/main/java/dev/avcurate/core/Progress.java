package dev.avcurate.core;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Progress lines for long stages: counts, rate and ETA every {@code intervalS} seconds, on a
 * daemon thread, plus a final line. Lines go to stderr so stdout stays for results.
 * Owner of its printer thread: {@link #close()} stops it.
 */
public final class Progress implements AutoCloseable {
    private final String stage;
    private final String unit;
    private final long total;
    private final Supplier<Long> done;
    private final Supplier<String> extra;
    private final long startNanos = System.nanoTime();
    private final Thread printer;
    private final PrintStream out;
    private volatile boolean running = true;

    /** @param unit what is counted ("videos", "clips") */
    public Progress(String stage, String unit, long total, Supplier<Long> done, Supplier<String> extra, double intervalS,
                    PrintStream out) {
        this.stage = stage;
        this.unit = unit;
        this.total = total;
        this.done = done;
        this.extra = extra;
        this.out = out;
        this.printer = new Thread(() -> {
            long sleepMs = (long) (intervalS * 1000);
            while (running) {
                try {
                    Thread.sleep(sleepMs);
                } catch (InterruptedException e) {
                    return;
                }
                if (running) out.println(line());
            }
        }, "progress-" + stage);
        printer.setDaemon(true);
        printer.start();
    }

    public double elapsedS() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    public String line() {
        long d = done.get();
        double el = elapsedS();
        double rate = el > 0 ? d / el : 0;
        String eta = rate > 0 && total > d ? String.format(Locale.ROOT, ", ETA %.0f s", (total - d) / rate) : "";
        String ex = extra.get();
        return String.format(Locale.ROOT, "[%s] %d/%d %s, %s, %.2f %s/s, %.0f s elapsed%s",
                stage, d, total, unit, ex, rate, unit, el, eta);
    }

    @Override
    public void close() {
        running = false;
        printer.interrupt();
    }
}
