package dev.sightline.benchmarks;

import dev.sightline.core.Labels;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A node_exporter-shaped set of series over many instances and jobs, with values that move the way real ones do:
 * CPU counters in 1/100 s steps, byte and packet counters with noisy increments, error counters that are mostly
 * idle, gauges that wander in page-sized steps, constants, and noisy durations (every collector's, in nanoseconds).
 * Value updates are one switch and a few arithmetic operations per sample, so generating them costs little
 * next to the append being measured.
 */
final class NodeExporterSet {
    static final byte CONSTANT = 0;
    static final byte CPU_BUSY = 1;      // idle/user-like: ~0..15 s per 15 s, in 0.01 s steps
    static final byte CPU_QUIET = 2;     // nice/steal/irq-like: mostly unchanged, small 0.01 s steps
    static final byte BYTES = 3;         // byte counters: noisy integer increments up to ~1e6
    static final byte PACKETS = 4;       // packet / operation counters: noisy increments up to ~1e3
    static final byte RARE = 5;          // error/drop counters: +1..3 one scrape in 20
    static final byte PAGES = 6;         // memory/filesystem gauges: +-k * 4096
    static final byte LOAD = 7;          // load averages: 2 decimals, wandering
    static final byte NOISY = 8;         // durations: a fresh random value every scrape, in whole nanoseconds
    static final byte SECONDS = 9;       // counters in seconds with ms resolution (disk io time), as ms * 0.001
    static final byte TIME = 10;         // node_time_seconds: +15 s plus jitter, at full float resolution

    private record Template(String[] labelPairs, byte kind, double start) {
    }

    private static final List<Template> TEMPLATE = buildTemplate();

    final Labels[] labels;
    final byte[] kind;
    final double[] value;
    /** Index of each instance's first series; instance i owns [instanceStart[i], instanceStart[i + 1]). */
    final int[] instanceStart;

    NodeExporterSet(int numSeries, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        labels = new Labels[numSeries];
        kind = new byte[numSeries];
        value = new double[numSeries];
        int perInstance = TEMPLATE.size();
        int instances = (numSeries + perInstance - 1) / perInstance;
        instanceStart = new int[instances + 1];
        String[] jobs = {"node", "node-db", "node-edge", "node-batch", "node-ci"};
        String[] regions = {"eu-west-1", "us-east-1", "ap-south-1"};
        int s = 0;
        for (int i = 0; i < instances; i++) {
            instanceStart[i] = s;
            String instance = "host-" + String.format("%05d", i) + ".prod.example.net:9100";
            String job = jobs[i % jobs.length];
            String region = regions[(i / 7) % regions.length];
            for (int k = 0; k < perInstance && s < numSeries; k++, s++) {
                Template t = TEMPLATE.get(k);
                String[] pairs = new String[t.labelPairs.length + 6];
                System.arraycopy(t.labelPairs, 0, pairs, 0, t.labelPairs.length);
                int n = t.labelPairs.length;
                pairs[n] = "instance";
                pairs[n + 1] = instance;
                pairs[n + 2] = "job";
                pairs[n + 3] = job;
                pairs[n + 4] = "region";
                pairs[n + 5] = region;
                labels[s] = Labels.of(pairs);
                kind[s] = t.kind;
                value[s] = initial(t, rnd);
            }
        }
        instanceStart[instances] = numSeries;
    }

    int instances() {
        return instanceStart.length - 1;
    }

    static int seriesPerInstance() {
        return TEMPLATE.size();
    }

    private static double initial(Template t, SplittableRandom rnd) {
        return switch (t.kind) {
            case CPU_BUSY, CPU_QUIET -> Math.round(t.start * (0.5 + rnd.nextDouble()) * 100) / 100.0;
            case BYTES, PACKETS, RARE, PAGES -> Math.floor(t.start * (0.5 + rnd.nextDouble()));
            case SECONDS -> Math.round(t.start * (0.5 + rnd.nextDouble()) * 1000) * 0.001;
            case LOAD -> Math.round(rnd.nextDouble() * 400) / 100.0;
            default -> t.start;
        };
    }

    /** Prints what {@code scrapes} scrapes of this set amount to, and the machine's cores and load. */
    void printHeader(int scrapes, long intervalMs) {
        int numSeries = labels.length;
        System.out.printf(Locale.ROOT, "data set: %d series (%d instances x %d node_exporter series), %d scrapes at %d ms = %d samples%n",
                numSeries, instances(), seriesPerInstance(), scrapes, intervalMs, (long) scrapes * numSeries);
        System.out.printf(Locale.ROOT, "machine: %d cores, load average %s at start (shared machines inflate wall times)%n",
                Runtime.getRuntime().availableProcessors(), Bench.loadAverage());
    }

    /** Receives one scrape of one instance: the values of its series are in {@link #value} at their indexes. */
    @FunctionalInterface
    interface ScrapeSink {
        void scrape(int instance, long timestampMs) throws IOException;
    }

    /**
     * Runs {@code scrapes} scrape rounds {@code intervalMs} apart from {@code start}, instance by instance, the way
     * a scrape loop sees them: each target at its own offset in the interval (one scrape in 200 a few ms late).
     * Deterministic: the same set and arguments give the same timestamps and values, so two stores can be fed alike.
     */
    void scrapes(int scrapes, long start, long intervalMs, ScrapeSink sink) throws IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        int instances = instances();
        long[] offset = new long[instances];
        for (int i = 0; i < instances; i++) {
            offset[i] = rnd.nextLong(intervalMs); // targets are spread over the interval
        }
        for (int k = 0; k < scrapes; k++) {
            long base = start + k * intervalMs;
            for (int i = 0; i < instances; i++) {
                // Prometheus aligns scrape timestamps to the interval; one scrape in 200 still lands a few ms late.
                long t = base + offset[i] + (rnd.nextInt(200) == 0 ? rnd.nextInt(2, 30) : 0);
                for (int s = instanceStart[i], end = instanceStart[i + 1]; s < end; s++) {
                    next(s, rnd);
                }
                sink.scrape(i, t);
            }
        }
    }

    /** Advances series s by one 15 s scrape and returns its new value. */
    double next(int s, SplittableRandom rnd) {
        double v = value[s];
        switch (kind[s]) {
            case CPU_BUSY -> v = Math.round(v * 100 + rnd.nextInt(1500)) / 100.0;
            case CPU_QUIET -> {
                if (rnd.nextInt(4) == 0) {
                    v = Math.round(v * 100 + rnd.nextInt(1, 20)) / 100.0;
                }
            }
            case BYTES -> v += rnd.nextInt(1_000_000);
            case PACKETS -> v += rnd.nextInt(1_000);
            case RARE -> {
                if (rnd.nextInt(20) == 0) {
                    v += rnd.nextInt(1, 4);
                }
            }
            case PAGES -> {
                if (rnd.nextInt(3) == 0) {
                    v = Math.max(0, v + 4096.0 * rnd.nextInt(-64, 65));
                }
            }
            case LOAD -> v = Math.max(0, Math.round(v * 100 + rnd.nextInt(-20, 21)) / 100.0);
            // Go measures durations in nanoseconds and prints float64 seconds, so a real value has at most 9 decimals.
            case NOISY -> v = Math.round(rnd.nextDouble() * 0.05 * 1e9) / 1e9;
            // node_exporter's diskstats turn ms into seconds as ms * 0.001 (27900 ms -> 27.900000000000002).
            case SECONDS -> v = (Math.round(v * 1000) + rnd.nextInt(2_000)) * 0.001;
            // UnixNano / 1e9 as a float64: no short decimal, whatever the clock's resolution.
            case TIME -> v = v + 15 + (rnd.nextDouble() - 0.5) * 0.006;
            default -> {
            }
        }
        value[s] = v;
        return v;
    }

    private static List<Template> buildTemplate() {
        List<Template> t = new ArrayList<>();
        String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
        for (int cpu = 0; cpu < 8; cpu++) {
            for (String m : modes) {
                byte k = m.equals("idle") || m.equals("user") || m.equals("system") ? CPU_BUSY : CPU_QUIET;
                t.add(new Template(new String[]{"__name__", "node_cpu_seconds_total", "cpu", "" + cpu, "mode", m}, k, 1e6));
            }
            for (String m : new String[]{"nice", "user"}) {
                t.add(new Template(new String[]{"__name__", "node_cpu_guest_seconds_total", "cpu", "" + cpu, "mode", m}, CONSTANT, 0));
            }
        }
        String[] devices = {"eth0", "eth1", "lo", "docker0"};
        String[][] net = {
                {"receive_bytes", "B"}, {"receive_packets", "P"}, {"receive_errs", "R"}, {"receive_drop", "R"},
                {"receive_fifo", "C"}, {"receive_frame", "C"}, {"receive_compressed", "C"}, {"receive_multicast", "R"},
                {"transmit_bytes", "B"}, {"transmit_packets", "P"}, {"transmit_errs", "R"}, {"transmit_drop", "R"},
                {"transmit_fifo", "C"}, {"transmit_colls", "C"}, {"transmit_carrier", "C"}, {"transmit_compressed", "C"}};
        for (String dev : devices) {
            for (String[] m : net) {
                byte k = switch (m[1]) {
                    case "B" -> BYTES;
                    case "P" -> PACKETS;
                    case "R" -> RARE;
                    default -> CONSTANT;
                };
                t.add(new Template(new String[]{"__name__", "node_network_" + m[0] + "_total", "device", dev}, k, 1e9));
            }
            t.add(new Template(new String[]{"__name__", "node_network_up", "device", dev}, CONSTANT, 1));
            t.add(new Template(new String[]{"__name__", "node_network_mtu_bytes", "device", dev}, CONSTANT, 1500));
            t.add(new Template(new String[]{"__name__", "node_network_speed_bytes", "device", dev}, CONSTANT, 1.25e9));
        }
        String[][] mounts = {{"/dev/nvme0n1p1", "ext4", "/"}, {"/dev/nvme0n1p2", "ext4", "/var"},
                {"/dev/sdb1", "xfs", "/data"}, {"tmpfs", "tmpfs", "/run"}, {"/dev/nvme0n1p15", "vfat", "/boot/efi"}};
        for (String[] m : mounts) {
            String[] l = {"device", m[0], "fstype", m[1], "mountpoint", m[2]};
            t.add(fs("node_filesystem_size_bytes", l, CONSTANT, 1.0e11));
            t.add(fs("node_filesystem_free_bytes", l, PAGES, 5.0e10));
            t.add(fs("node_filesystem_avail_bytes", l, PAGES, 4.5e10));
            t.add(fs("node_filesystem_files", l, CONSTANT, 6_553_600));
            t.add(fs("node_filesystem_files_free", l, RARE, 6_000_000));
            t.add(fs("node_filesystem_readonly", l, CONSTANT, 0));
            t.add(fs("node_filesystem_device_error", l, CONSTANT, 0));
        }
        String[] memConst = {"MemTotal", "SwapTotal", "HugePages_Total", "Hugepagesize", "CommitLimit", "VmallocTotal",
                "DirectMap4k", "DirectMap2M", "DirectMap1G", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp",
                "SwapFree", "SwapCached", "Bounce", "NFS_Unstable", "HardwareCorrupted", "Mlocked", "Unevictable",
                "WritebackTmp"};
        for (String m : memConst) {
            t.add(new Template(new String[]{"__name__", "node_memory_" + m + "_bytes"}, CONSTANT, 3.3e10));
        }
        String[] memMoving = {"MemFree", "MemAvailable", "Buffers", "Cached", "Active", "Inactive", "Active_anon",
                "Inactive_anon", "Active_file", "Inactive_file", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem",
                "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "Committed_AS", "VmallocUsed",
                "Percpu", "AnonHugePages", "KReclaimable"};
        for (String m : memMoving) {
            t.add(new Template(new String[]{"__name__", "node_memory_" + m + "_bytes"}, PAGES, 4.0e9));
        }
        String[] disks = {"nvme0n1", "sda", "sdb"};
        for (String d : disks) {
            t.add(new Template(new String[]{"__name__", "node_disk_reads_completed_total", "device", d}, PACKETS, 1e8));
            t.add(new Template(new String[]{"__name__", "node_disk_writes_completed_total", "device", d}, PACKETS, 1e8));
            t.add(new Template(new String[]{"__name__", "node_disk_reads_merged_total", "device", d}, RARE, 1e5));
            t.add(new Template(new String[]{"__name__", "node_disk_writes_merged_total", "device", d}, PACKETS, 1e7));
            t.add(new Template(new String[]{"__name__", "node_disk_read_bytes_total", "device", d}, BYTES, 1e12));
            t.add(new Template(new String[]{"__name__", "node_disk_written_bytes_total", "device", d}, BYTES, 1e12));
            t.add(new Template(new String[]{"__name__", "node_disk_io_time_seconds_total", "device", d}, SECONDS, 1e5));
            t.add(new Template(new String[]{"__name__", "node_disk_read_time_seconds_total", "device", d}, SECONDS, 1e5));
            t.add(new Template(new String[]{"__name__", "node_disk_write_time_seconds_total", "device", d}, SECONDS, 1e5));
            t.add(new Template(new String[]{"__name__", "node_disk_io_now", "device", d}, RARE, 0));
        }
        for (String l : new String[]{"node_load1", "node_load5", "node_load15"}) {
            t.add(new Template(new String[]{"__name__", l}, LOAD, 1));
        }
        String[] vmstat = {"pgfault", "pgmajfault", "pgpgin", "pgpgout", "pswpin", "pswpout", "oom_kill"};
        for (String v : vmstat) {
            byte k = v.startsWith("pgp") || v.equals("pgfault") ? PACKETS : RARE;
            t.add(new Template(new String[]{"__name__", "node_vmstat_" + v}, k, 1e9));
        }
        String[] netstat = {"Tcp_ActiveOpens", "Tcp_PassiveOpens", "Tcp_CurrEstab", "Tcp_InErrs", "Tcp_InSegs",
                "Tcp_OutSegs", "Tcp_RetransSegs", "Tcp_OutRsts", "Udp_InDatagrams", "Udp_OutDatagrams", "Udp_InErrors",
                "Udp_NoPorts", "TcpExt_ListenDrops", "TcpExt_ListenOverflows", "TcpExt_SyncookiesSent",
                "TcpExt_TCPTimeouts", "Icmp_InMsgs", "Icmp_OutMsgs", "Ip_Forwarding", "Ip6_InOctets"};
        for (String n : netstat) {
            byte k = n.contains("Segs") || n.contains("Datagrams") || n.contains("Octets") || n.contains("Opens") ? PACKETS
                    : n.equals("Ip_Forwarding") ? CONSTANT : RARE;
            t.add(new Template(new String[]{"__name__", "node_netstat_" + n}, k, 1e8));
        }
        String[] collectors = {"arp", "bcache", "bonding", "btrfs", "conntrack", "cpu", "cpufreq", "diskstats", "dmi",
                "edac", "entropy", "fibrechannel", "filefd", "filesystem", "hwmon", "infiniband", "ipvs", "loadavg",
                "mdadm", "meminfo", "netclass", "netdev", "netstat", "nfs", "nfsd", "nvme", "os", "powersupplyclass",
                "pressure", "rapl", "schedstat", "selinux", "sockstat", "softnet", "stat", "tapestats", "textfile",
                "thermal_zone", "time", "timex", "udp_queues", "uname", "vmstat", "xfs", "zfs"};
        for (String collector : collectors) {
            // Every collector times itself on every scrape, so every duration changes (as a real node_exporter's do).
            t.add(new Template(new String[]{"__name__", "node_scrape_collector_duration_seconds", "collector", collector},
                    NOISY, 1.2e-4));
            t.add(new Template(new String[]{"__name__", "node_scrape_collector_success", "collector", collector},
                    CONSTANT, 1));
        }
        t.add(new Template(new String[]{"__name__", "node_context_switches_total"}, PACKETS, 1e10));
        t.add(new Template(new String[]{"__name__", "node_intr_total"}, PACKETS, 1e10));
        t.add(new Template(new String[]{"__name__", "node_forks_total"}, PACKETS, 1e7));
        t.add(new Template(new String[]{"__name__", "node_procs_running"}, RARE, 2));
        t.add(new Template(new String[]{"__name__", "node_procs_blocked"}, CONSTANT, 0));
        t.add(new Template(new String[]{"__name__", "node_boot_time_seconds"}, CONSTANT, 1.76e9));
        t.add(new Template(new String[]{"__name__", "node_time_seconds"}, TIME, 1.77e9));
        t.add(new Template(new String[]{"__name__", "node_entropy_available_bits"}, CONSTANT, 256));
        t.add(new Template(new String[]{"__name__", "node_filefd_allocated"}, RARE, 5_000));
        t.add(new Template(new String[]{"__name__", "node_uname_info", "machine", "x86_64", "release", "6.8.0-45-generic",
                "sysname", "Linux"}, CONSTANT, 1));
        t.add(new Template(new String[]{"__name__", "up"}, CONSTANT, 1));
        t.add(new Template(new String[]{"__name__", "scrape_duration_seconds"}, NOISY, 0.02));
        t.add(new Template(new String[]{"__name__", "scrape_samples_scraped"}, CONSTANT, 471));
        t.add(new Template(new String[]{"__name__", "scrape_samples_post_metric_relabeling"}, CONSTANT, 471));
        t.add(new Template(new String[]{"__name__", "scrape_series_added"}, CONSTANT, 0));
        return List.copyOf(t);
    }

    private static Template fs(String name, String[] l, byte kind, double start) {
        String[] pairs = new String[l.length + 2];
        pairs[0] = "__name__";
        pairs[1] = name;
        System.arraycopy(l, 0, pairs, 2, l.length);
        return new Template(pairs, kind, start);
    }
}
