package dev.sightline.logs.patterns;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The template groups of a service by their long key (token count, level, key structure), open addressing with
 * linear probing, so looking a line's group up boxes no key: the miner's per-line path allocates nothing. At most
 * one group per template, so it stays small; removal shifts the probe chain back instead of leaving tombstones.
 */
final class GroupTable {
    private long[] keys = new long[16];
    private Object[] groups = new Object[16];
    private int size;

    /** The templates of group {@code key}, or null. */
    @SuppressWarnings("unchecked")
    List<Template> get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); groups[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return (List<Template>) groups[i];
            }
        }
        return null;
    }

    /** The templates of group {@code key}, made empty when it had none. */
    List<Template> getOrCreate(long key) {
        List<Template> g = get(key);
        if (g != null) {
            return g;
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        g = new ArrayList<>(2);
        insert(key, g);
        size++;
        return g;
    }

    private void insert(long key, Object group) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (groups[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        groups[i] = group;
    }

    /** Removes group {@code key} (it must be there). */
    void remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != key || groups[i] == null) {
            i = (i + 1) & mask;
        }
        groups[i] = null;
        size--;
        // Move later entries of the chain back into the hole when their home slot allows it.
        for (int j = (i + 1) & mask; groups[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - i) & mask)) {
                keys[i] = keys[j];
                groups[i] = groups[j];
                groups[j] = null;
                i = j;
            }
        }
    }

    /** Every template of every group. */
    @SuppressWarnings("unchecked")
    void forEach(Consumer<Template> action) {
        for (Object g : groups) {
            if (g != null) {
                ((List<Template>) g).forEach(action);
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldGroups = groups;
        keys = new long[oldKeys.length * 2];
        groups = new Object[oldGroups.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldGroups[i] != null) {
                insert(oldKeys[i], oldGroups[i]);
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
