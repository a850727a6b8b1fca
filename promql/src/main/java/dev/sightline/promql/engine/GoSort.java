package dev.sightline.promql.engine;

/**
 * Go's {@code sort.Sort} (pattern-defeating quicksort, as in Go 1.19, which built the 2.42 peer) applied
 * to {@code sort.Reverse} of a topk/bottomk heap: it is not stable, so the order it leaves equal values in is only
 * reproduced by making the same comparisons and swaps in the same sequence. Elements are positions {@code h[i]}
 * into the value array {@code v}; "i sorts before j" is "h[j] is worse than h[i]" in {@link KSelection}'s heap order.
 */
final class GoSort {
    private static final int MAX_INSERTION = 12;
    private static final int INCREASING = 1;
    private static final int DECREASING = 2;

    private final double[] v;
    private final int[] h;
    private final boolean top;
    private int swaps;
    /** Second results of partition, scan and choosePivot. */
    private boolean alreadyPartitioned;
    private int crossed;
    private int pivotOut;

    private GoSort(double[] v, int[] h, boolean top) {
        this.v = v;
        this.h = h;
        this.top = top;
    }

    /** Sorts {@code h[0, n)} best first. Only called for n > 1, after the selection: once per group and step. */
    static void sort(double[] v, int[] h, int n, boolean top) {
        if (n <= MAX_INSERTION) {
            insertion(v, h, 0, n, top);
            return;
        }
        new GoSort(v, h, top).pdqsort(0, n, 64 - Long.numberOfLeadingZeros(n));
    }

    private static void insertion(double[] v, int[] h, int a, int b, boolean top) {
        for (int i = a + 1; i < b; i++) {
            for (int j = i; j > a && KSelection.worse(v, h[j - 1], h[j], top); j--) {
                KSelection.swap(h, j, j - 1);
            }
        }
    }

    private boolean less(int i, int j) {
        return KSelection.worse(v, h[j], h[i], top);
    }

    private void swap(int i, int j) {
        KSelection.swap(h, i, j);
    }

    private void pdqsort(int a, int b, int limit) {
        boolean wasBalanced = true;
        boolean wasPartitioned = true;
        while (true) {
            int length = b - a;
            if (length <= MAX_INSERTION) {
                insertion(v, h, a, b, top);
                return;
            }
            if (limit == 0) {
                heapSort(a, b);
                return;
            }
            if (!wasBalanced) {
                breakPatterns(a, b);
                limit--;
            }
            int hint = choosePivot(a, b);
            int pivot = pivotOut;
            if (hint == DECREASING) {
                reverse(a, b);
                pivot = (b - 1) - (pivot - a);
                hint = INCREASING;
            }
            if (wasBalanced && wasPartitioned && hint == INCREASING && partialInsertionSort(a, b)) {
                return;
            }
            if (a > 0 && !less(a - 1, pivot)) {
                a = partitionEqual(a, b, pivot);
                continue;
            }
            int mid = partition(a, b, pivot);
            wasPartitioned = alreadyPartitioned;
            int leftLen = mid - a;
            int rightLen = b - mid;
            int balanceThreshold = length / 8;
            if (leftLen < rightLen) {
                wasBalanced = leftLen >= balanceThreshold;
                pdqsort(a, mid, limit);
                a = mid + 1;
            } else {
                wasBalanced = rightLen >= balanceThreshold;
                pdqsort(mid + 1, b, limit);
                b = mid;
            }
        }
    }

    /** Go's partition: elements sorting before the pivot to its left; sets {@link #alreadyPartitioned}. */
    private int partition(int a, int b, int pivot) {
        swap(a, pivot);
        int j = scan(a, b, false);
        swap(j, a);
        return j;
    }

    /** Go's partitionEqual: elements equal to the pivot (nothing sorts before it) to the left of the result. */
    private int partitionEqual(int a, int b, int pivot) {
        swap(a, pivot);
        scan(a, b, true);
        return crossed;
    }

    /**
     * The scan both partitions share, with the pivot at {@code a}: i moves right over elements that belong left, j
     * left over those that belong right, and out-of-place pairs swap until the two cross. Returns j, sets
     * {@link #crossed} to i.
     */
    private int scan(int a, int b, boolean equal) {
        int i = a + 1;
        int j = b - 1;
        boolean firstPass = true;
        while (true) {
            while (i <= j && (equal ? !less(a, i) : less(i, a))) {
                i++;
            }
            while (i <= j && (equal ? less(a, j) : !less(j, a))) {
                j--;
            }
            if (i > j) {
                break;
            }
            swap(i, j);
            i++;
            j--;
            firstPass = false;
        }
        alreadyPartitioned = firstPass;
        crossed = i;
        return j;
    }

    private boolean partialInsertionSort(int a, int b) {
        final int maxSteps = 5;
        final int shortestShifting = 50;
        int i = a + 1;
        for (int step = 0; step < maxSteps; step++) {
            while (i < b && !less(i, i - 1)) {
                i++;
            }
            if (i == b) {
                return true;
            }
            if (b - a < shortestShifting) {
                return false;
            }
            swap(i, i - 1);
            if (i - a >= 2) {
                for (int j = i - 1; j >= 1; j--) { // Go's bound is 1, not a
                    if (!less(j, j - 1)) {
                        break;
                    }
                    swap(j, j - 1);
                }
            }
            if (b - i >= 2) {
                for (int j = i + 1; j < b; j++) {
                    if (!less(j, j - 1)) {
                        break;
                    }
                    swap(j, j - 1);
                }
            }
        }
        return false;
    }

    private void breakPatterns(int a, int b) {
        int length = b - a;
        if (length >= 8) {
            long random = length; // Go's xorshift, seeded with the length
            int modulus = Integer.highestOneBit(length) << 1; // next power of two above length
            for (int idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
                random ^= random << 13;
                random ^= random >>> 17;
                random ^= random << 5;
                int other = (int) (random & (modulus - 1));
                if (other >= length) {
                    other -= length;
                }
                swap(idx, a + other);
            }
        }
    }

    /** Sets {@link #pivotOut} and returns the sortedness hint (0 unknown). */
    private int choosePivot(int a, int b) {
        int l = b - a;
        swaps = 0;
        int i = a + l / 4;
        int j = a + l / 4 * 2;
        int k = a + l / 4 * 3;
        if (l >= 8) {
            if (l >= 50) {
                i = median(i - 1, i, i + 1);
                j = median(j - 1, j, j + 1);
                k = median(k - 1, k, k + 1);
            }
            j = median(i, j, k);
        }
        pivotOut = j;
        return swaps == 0 ? INCREASING : swaps == 12 ? DECREASING : 0;
    }

    private int median(int a, int b, int c) {
        if (less(b, a)) {
            swaps++;
            int t = a;
            a = b;
            b = t;
        }
        if (less(c, b)) {
            swaps++;
            int t = b;
            b = c;
            c = t;
        }
        if (less(b, a)) {
            swaps++;
            b = a;
        }
        return b;
    }

    private void reverse(int a, int b) {
        for (int i = a, j = b - 1; i < j; i++, j--) {
            swap(i, j);
        }
    }

    private void heapSort(int a, int b) {
        int hi = b - a;
        for (int i = (hi - 1) / 2; i >= 0; i--) {
            siftDown(i, hi, a);
        }
        for (int i = hi - 1; i >= 0; i--) {
            swap(a, a + i);
            siftDown(0, i, a);
        }
    }

    private void siftDown(int lo, int hi, int first) {
        int root = lo;
        while (true) {
            int child = 2 * root + 1;
            if (child >= hi) {
                return;
            }
            if (child + 1 < hi && less(first + child, first + child + 1)) {
                child++;
            }
            if (!less(first + root, first + child)) {
                return;
            }
            swap(first + root, first + child);
            root = child;
        }
    }
}
