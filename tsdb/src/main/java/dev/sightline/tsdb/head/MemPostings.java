package dev.sightline.tsdb.head;

import dev.sightline.core.LabelMatcher;
import dev.sightline.core.Labels;
import dev.sightline.metricstore.Querier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;

/**
 * The head's inverted index: label name -> label value -> sorted series refs, plus the list of all refs. Resolves
 * a selector's matchers to the refs of the series they select, with Prometheus's semantics (a matcher that
 * accepts "" also selects series lacking the label).
 */
public final class MemPostings {
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, MemPostingsList>> byName = new ConcurrentHashMap<>();
    private final MemPostingsList all = new MemPostingsList();

    public void add(long ref, Labels labels) {
        for (int i = 0; i < labels.size(); i++) {
            byName.computeIfAbsent(labels.name(i), n -> new ConcurrentHashMap<>())
                    .computeIfAbsent(labels.value(i), v -> new MemPostingsList())
                    .add(ref);
        }
        all.add(ref);
    }

    /**
     * Adds {@code n} ascending refs to the pair's list (and, with a null name, to the list of all series) in one go:
     * rebuilding the index from a stored head costs one insert per pair instead of one per label of every series.
     */
    void addSorted(String name, String value, long[] refs, int n) {
        MemPostingsList list = name == null ? all
                : byName.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).computeIfAbsent(value, v -> new MemPostingsList());
        list.addSorted(refs, n);
    }

    /**
     * Removes the series {@code refs[i]} with labels {@code labels[i]}: each list once, however many of its series
     * go (one by one, removing most of a million series from the list of all rewrote it for every series).
     */
    public void removeAll(long[] refs, Labels[] labels) {
        Map<String, Map<String, LongStream.Builder>> byPair = new HashMap<>();
        for (int s = 0; s < refs.length; s++) {
            for (int i = 0; i < labels[s].size(); i++) {
                byPair.computeIfAbsent(labels[s].name(i), n -> new HashMap<>())
                        .computeIfAbsent(labels[s].value(i), v -> LongStream.builder()).add(refs[s]);
            }
        }
        byPair.forEach((name, pairs) -> {
            ConcurrentHashMap<String, MemPostingsList> values = byName.get(name);
            if (values == null) {
                return;
            }
            // compute() makes "remove the list once empty" atomic against a concurrent add to the same list.
            pairs.forEach((value, builder) -> {
                long[] removed = builder.build().sorted().toArray();
                values.computeIfPresent(value, (v, list) -> list.removeAll(removed, removed.length) == 0 ? null : list);
            });
            byName.computeIfPresent(name, (n, vals) -> vals.isEmpty() ? null : vals);
        });
        long[] sorted = refs.clone();
        Arrays.sort(sorted);
        all.removeAll(sorted, sorted.length);
    }

    public long[] all() {
        return all.snapshot();
    }

    public int size() {
        return all.size();
    }

    /** Receives each label pair of the index with the number of series having it. */
    @FunctionalInterface
    public interface PairVisitor {
        void visit(String name, String value, int series);
    }

    /** Visits every label pair with its series count (a snapshot per pair; concurrent writes may or may not be seen). */
    public void forEachPair(PairVisitor visitor) {
        byName.forEach((name, values) -> values.forEach((value, list) -> visitor.visit(name, value, list.size())));
    }

    /** Refs having exactly this label pair. */
    public long[] get(String name, String value) {
        ConcurrentHashMap<String, MemPostingsList> values = byName.get(name);
        MemPostingsList list = values == null ? null : values.get(value);
        return list == null ? MemPostingsOps.EMPTY : list.snapshot();
    }

    /** Sorted label names present in the index. */
    public List<String> labelNames() {
        List<String> names = new ArrayList<>(byName.keySet());
        names.sort(null);
        return names;
    }

    /** Sorted values of a label present in the index. */
    public List<String> labelValues(String name) {
        ConcurrentHashMap<String, MemPostingsList> values = byName.get(name);
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(values.keySet());
        out.sort(null);
        return out;
    }

    /**
     * Refs of the series selected by all matchers. Throws IllegalArgumentException when every matcher accepts the
     * empty string (such a selector would select every series), as Prometheus does.
     */
    public long[] select(LabelMatcher... matchers) {
        Querier.requireRestrictingMatcher(matchers);
        return postingsFor(matchers);
    }

    /** Like {@link #select} but an all-empty-matching (or empty) matcher list selects every series. */
    public long[] postingsFor(LabelMatcher... matchers) {
        List<long[]> include = new ArrayList<>();
        List<long[]> exclude = new ArrayList<>();
        for (LabelMatcher m : matchers) {
            if (m.matchesEmpty()) {
                if (isMatchAll(m)) {
                    continue;
                }
                // Selected: series without the label plus those whose value matches, i.e. all minus the
                // series whose value does not match.
                exclude.add(matchingValues(m.name(), m, true));
            } else {
                long[] p = matchingValues(m.name(), m, false);
                if (p.length == 0) {
                    return MemPostingsOps.EMPTY;
                }
                include.add(p);
            }
        }
        long[] result;
        if (include.isEmpty()) {
            result = all.snapshot();
        } else {
            include.sort((a, b) -> Integer.compare(a.length, b.length));
            result = include.get(0);
            for (int i = 1; i < include.size() && result.length > 0; i++) {
                result = MemPostingsOps.intersect(result, include.get(i));
            }
        }
        for (long[] ex : exclude) {
            if (result.length == 0) {
                break;
            }
            result = MemPostingsOps.subtract(result, ex);
        }
        return result;
    }

    /** Union of the postings of the label's values that the matcher accepts ({@code invert}: rejects). */
    private long[] matchingValues(String name, LabelMatcher m, boolean invert) {
        ConcurrentHashMap<String, MemPostingsList> values = byName.get(name);
        if (values == null) {
            return MemPostingsOps.EMPTY;
        }
        if (!invert) {
            if (m.type() == LabelMatcher.Type.EQ) {
                return get(name, m.value());
            }
            if (m.type() == LabelMatcher.Type.RE) {
                if (m.value().equals(".+")) {
                    return union(values.values());
                }
                String[] literals = literalAlternation(m.value());
                if (literals != null) {
                    List<long[]> lists = new ArrayList<>(literals.length);
                    for (String lit : literals) {
                        MemPostingsList pl = values.get(lit);
                        if (pl != null) {
                            lists.add(pl.snapshot());
                        }
                    }
                    return MemPostingsOps.union(lists);
                }
            }
        } else if (m.type() == LabelMatcher.Type.NEQ) {
            // "!= x" rejects exactly x.
            return get(name, m.value());
        }
        List<long[]> lists = new ArrayList<>();
        for (Map.Entry<String, MemPostingsList> e : values.entrySet()) {
            if (m.matches(e.getKey()) != invert) {
                lists.add(e.getValue().snapshot());
            }
        }
        return MemPostingsOps.union(lists);
    }

    private static long[] union(java.util.Collection<MemPostingsList> lists) {
        List<long[]> arrays = new ArrayList<>(lists.size());
        for (MemPostingsList pl : lists) {
            arrays.add(pl.snapshot());
        }
        return MemPostingsOps.union(arrays);
    }

    private static boolean isMatchAll(LabelMatcher m) {
        return m.type() == LabelMatcher.Type.RE && m.value().equals(".*");
    }

    /**
     * The alternatives of a regex that is nothing but literals joined by '|' (e.g. {@code GET|POST}), or null. Such
     * selectors are common in dashboards and need no regex evaluation against every value of the label.
     */
    static String[] literalAlternation(String regex) {
        if (regex.isEmpty()) {
            return null;
        }
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if ("\\^$.?*+()[]{}".indexOf(c) >= 0) {
                return null;
            }
        }
        String[] parts = regex.split("\\|", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                // An empty alternative matches "", which the caller treats as a matches-empty matcher anyway.
                return null;
            }
        }
        return parts;
    }
}
