package dev.sightline.server.runtime;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * A Go-like heap target for the Serial and Parallel collectors, which grow their old generation on promotion instead
 * of collecting it: garbage that ingest and queries promote would stay until the heap nears -Xmx. After each young
 * collection this compares the old generation's use with {@link Target}; above it, a daemon thread runs a full
 * collection. Off under other collectors, or with {@code -Dsightline.gcPercent=off}; the percent works as Go's GOGC
 * (default 50).
 */
public final class HeapGovernor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HeapGovernor.class.getName());
    private static final String PROPERTY = "sightline.gcPercent";
    /**
     * 50, not Go's 100: the old generation's pages stay resident up to where it grew, and at 100 a 1M-series ingest
     * grew it to ~405 MB for 341 MB live (docs/memory.md); at 50 it took five full collections instead of three.
     */
    private static final String DEFAULT_PERCENT = "50";
    private static final long MB = 1L << 20;

    /** A generational collector's names, as its beans and memory pools report them. */
    record Collector(String young, String full, String oldPool) {
        static final List<Collector> KNOWN = List.of(
                new Collector("Copy", "MarkSweepCompact", "Tenured Gen"),
                new Collector("PS Scavenge", "PS MarkSweep", "PS Old Gen"));

        /** The known collector whose full collector is among these beans' names, or null. */
        static Collector of(List<String> beanNames) {
            return KNOWN.stream().filter(c -> beanNames.contains(c.full())).findFirst().orElse(null);
        }
    }

    /**
     * When to collect: the old generation may grow to live x (1 + percent/100), and at least by {@code floor} above
     * live, so a small heap is not collected over and over. Live is the old generation's use after the last full
     * collection (0 before the first: the floor alone is the target).
     */
    public record Target(int percent, long floor) {
        public Target {
            if (percent <= 0 || floor < 0) {
                throw new IllegalArgumentException("percent must be > 0 and floor >= 0: " + percent + ", " + floor);
            }
        }

        public long bytes(long live) {
            return Math.max(live + live * percent / 100, live + floor);
        }

        public boolean shouldCollect(long live, long oldUsed) {
            return oldUsed > bytes(live);
        }
    }

    private final Target target;
    private final Collector names;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onCollection;
    /** Set from a young collection over the target until the full collection's notification: one at a time. */
    private final AtomicBoolean pending = new AtomicBoolean();
    /** Taken by the collector thread: whether to run a full collection. */
    private boolean requested;
    private final Object signal = new Object();
    private final Thread collector;
    private volatile long live;
    private volatile long triggeredAt;
    private volatile long triggeredTarget;
    private volatile boolean closed;

    private HeapGovernor(Target target, Collector names, List<GarbageCollectorMXBean> beans) {
        this.target = target;
        this.names = names;
        this.collector = Thread.ofPlatform().daemon().name("heap-governor").unstarted(this::run);
        for (GarbageCollectorMXBean bean : beans) {
            if (bean instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
        collector.start();
    }

    /**
     * Starts watching the heap, or returns null when the collector is neither Serial nor Parallel or the property
     * turns it off.
     */
    public static HeapGovernor start() {
        String setting = System.getProperty(PROPERTY, DEFAULT_PERCENT).trim();
        if (setting.equalsIgnoreCase("off")) {
            return null;
        }
        List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        Collector names = Collector.of(beans.stream().map(GarbageCollectorMXBean::getName).toList());
        if (names == null) {
            return null;
        }
        // System.gc() would do nothing, and the governor wait for a full collection that never comes.
        if ("true".equals(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("DisableExplicitGC").getValue())) {
            LOG.info("heap governor off: -XX:+DisableExplicitGC is set");
            return null;
        }
        Target target;
        try {
            target = new Target(Integer.parseInt(setting), 64 * MB);
        } catch (IllegalArgumentException e) {
            LOG.warning("heap governor off: -D" + PROPERTY + " must be a percent above 0 or off, not " + setting);
            return null;
        }
        LOG.info("heap governor: full collection when the old generation exceeds live + " + target.percent()
                + "% (at least live + " + target.floor() / MB + " MB); -D" + PROPERTY + "=off disables it");
        return new HeapGovernor(target, names, beans);
    }

    private void onCollection(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long oldAfter = oldUsed(info.getGcInfo().getMemoryUsageAfterGc());
        if (names.full().equals(info.getGcName())) {
            long before = oldUsed(info.getGcInfo().getMemoryUsageBeforeGc());
            live = oldAfter;
            if (pending.compareAndSet(true, false)) {
                LOG.info(String.format("heap governor: full collection (old generation at %d MB after a young "
                                + "collection, target %d MB): %d MB -> %d MB live, pause %d ms",
                        triggeredAt / MB, triggeredTarget / MB, before / MB, oldAfter / MB,
                        info.getGcInfo().getDuration()));
            }
        } else if (names.young().equals(info.getGcName()) && target.shouldCollect(live, oldAfter)
                && pending.compareAndSet(false, true)) {
            triggeredAt = oldAfter;
            triggeredTarget = target.bytes(live);
            synchronized (signal) {
                requested = true;
                signal.notifyAll();
            }
        }
    }

    private long oldUsed(Map<String, MemoryUsage> pools) {
        MemoryUsage old = pools.get(names.oldPool());
        return old == null ? 0 : old.getUsed();
    }

    private void run() {
        while (!closed) {
            synchronized (signal) {
                while (!requested && !closed) {
                    try {
                        signal.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                requested = false;
            }
            if (!closed) {
                System.gc();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // Not registered: nothing to remove.
            }
        }
        collector.interrupt();
    }
}
