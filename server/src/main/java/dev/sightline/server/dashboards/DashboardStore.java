package dev.sightline.server.dashboards;

import dev.sightline.server.config.ConfigException;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dashboards of one directory: every {@code *.yml}/{@code *.yaml} file in the model's shape and every
 * {@code *.json} Grafana export, read at start and again whenever the directory changes (a watch on it; a changed
 * file is re-read within {@link #SETTLE_MILLIS} of the last event). A file that cannot be read is listed with its
 * FILE:LINE:COL error while the others keep working; two files with one uid: the later (by name) is the error.
 * Readers see an immutable snapshot, swapped whole after each scan.
 */
public final class DashboardStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DashboardStore.class.getName());
    /** Editors write a file in several steps (truncate, write, rename): wait for the events to settle. */
    static final long SETTLE_MILLIS = 150;

    /** One file: its dashboard, or the error that kept it out; {@code notes} are what a Grafana import left out. */
    public record Entry(String file, String uid, Dashboard dashboard, String error, List<GrafanaImport.Note> notes) {
        public Entry {
            notes = List.copyOf(notes);
        }
    }

    private final Path directory;
    private volatile Map<String, Entry> byUid = Map.of();
    private volatile List<Entry> entries = List.of();
    private final Object scanLock = new Object();
    private WatchService watcher;
    private Thread thread;

    /** {@code directory} null: no dashboards directory configured; the store stays empty. */
    public DashboardStore(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    /** Reads the directory and starts watching it. A missing directory is logged and leaves the store empty. */
    public synchronized void start() {
        if (directory == null || thread != null) {
            return;
        }
        try {
            watcher = directory.getFileSystem().newWatchService();
            directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            LOG.severe("cannot watch the dashboards directory " + directory + ": " + e + "; dashboards are not loaded");
            closeWatcher();
            return;
        }
        scan();
        WatchService w = watcher;
        thread = Thread.ofPlatform().daemon().name("sightline-dashboards-watch").start(() -> watch(w));
    }

    private void watch(WatchService watcher) {
        try {
            while (true) {
                WatchKey key = watcher.take();
                // Collect the burst an editor or a copy makes, then read once.
                do {
                    key.pollEvents();
                    if (!key.reset()) {
                        LOG.warning("the dashboards directory " + directory + " is gone; keeping the dashboards last read");
                        return;
                    }
                    key = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS);
                } while (key != null);
                scan();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "dashboards watch stopped", e);
        }
    }

    /** Reads every dashboard file again and swaps the snapshot. */
    void scan() {
        synchronized (scanLock) {
            scanNow();
        }
    }

    private void scanNow() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(directory)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && kind(name) != null && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            LOG.warning("cannot list the dashboards directory " + directory + ": " + e);
            return;
        }
        files.sort(null);
        Map<String, Entry> uids = new LinkedHashMap<>();
        List<Entry> all = new ArrayList<>();
        for (Path p : files) {
            Entry e = load(p);
            Entry taken = uids.get(e.uid());
            if (taken != null) {
                e = new Entry(e.file(), e.uid(), null, e.file() + ": uid \"" + e.uid() + "\" is already used by "
                        + taken.file(), List.of());
            } else {
                uids.put(e.uid(), e);
            }
            if (e.error() != null) {
                LOG.warning("dashboard " + e.error());
            }
            all.add(e);
        }
        byUid = Map.copyOf(uids);
        entries = List.copyOf(all);
    }

    private Entry load(Path p) {
        String name = p.getFileName().toString();
        String uid = uidOf(name);
        String shown = directory.relativize(p).toString();
        try {
            byte[] content = readBounded(p);
            if (kind(name).equals("json")) {
                GrafanaImport.Result r = GrafanaImport.convert(shown, content, uid);
                return new Entry(shown, r.dashboard().uid(), r.dashboard(), null, r.notes());
            }
            Dashboard d = DashboardReader.yaml(shown, content, uid);
            return new Entry(shown, d.uid(), d, null, List.of());
        } catch (ConfigException e) {
            return new Entry(shown, uid, null, e.getMessage(), List.of());
        } catch (IOException e) {
            return new Entry(shown, uid, null, shown + ": cannot read: " + e.getMessage(), List.of());
        }
    }

    /** The file's bytes, or (without reading it all) as many as make it over the limit: the reader refuses those. */
    private static byte[] readBounded(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            return in.readNBytes(LocatedTree.MAX_BYTES + 1);
        }
    }

    /** "yaml", "json", or null for a file that is no dashboard. */
    static String kind(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".yml") || n.endsWith(".yaml") ? "yaml" : n.endsWith(".json") ? "json" : null;
    }

    /** The uid a file gets when it names none: its name without the extension, as a uid may be written. */
    static String uidOf(String fileName) {
        String base = fileName.substring(0, fileName.lastIndexOf('.'));
        String uid = base.replaceAll("[^A-Za-z0-9_-]+", "-");
        uid = uid.isEmpty() ? "dashboard" : uid;
        return uid.length() > 64 ? uid.substring(0, 64) : uid;
    }

    /** Every file read, in file-name order, with its dashboard or error. */
    public List<Entry> entries() {
        return entries;
    }

    /** The file whose dashboard has this uid (which may be an error entry), or null. */
    public Entry get(String uid) {
        Entry e = byUid.get(uid);
        if (e != null) {
            return e;
        }
        return entries.stream().filter(x -> x.uid().equals(uid)).findFirst().orElse(null);
    }

    @Override
    public synchronized void close() {
        closeWatcher();
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    private void closeWatcher() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.fine("closing the dashboards watch: " + e);
            }
            watcher = null;
        }
    }
}
