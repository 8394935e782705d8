package dev.cinnabar.server.util;

/**
 * Sorts arrays of indexes with the two algorithms Redis's replies depend on, so that elements
 * that compare equal come out in the same order as in Redis: glibc's {@code qsort} (a stable
 * top-down merge sort, used when everything is sorted) and Redis's {@code pqsort} (a partial
 * three-way quicksort, used when only a window of positions is wanted). Subclasses say how two
 * indexes compare; SORT and the GEO searches both order through this.
 */
public abstract class IndexSort {
    /** Negative, zero or positive as the element at index {@code a} sorts before, with or after {@code b}. */
    protected abstract int compare(int a, int b);

    /**
     * glibc msort over {@code a[lo, hi)}: halves of n/2 and n - n/2, the merge taking the left
     * element on ties. {@code tmp} is scratch space at least as long as {@code a}.
     */
    public final void mergeSort(int[] a, int[] tmp, int lo, int hi) {
        int n = hi - lo;
        if (n <= 1) {
            return;
        }
        int mid = lo + n / 2;
        mergeSort(a, tmp, lo, mid);
        mergeSort(a, tmp, mid, hi);
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
            tmp[k++] = compare(a[i], a[j]) <= 0 ? a[i++] : a[j++];
        }
        while (i < mid) {
            tmp[k++] = a[i++];
        }
        // The rest of the right half is already in place.
        System.arraycopy(tmp, lo, a, lo, k - lo);
    }

    /**
     * Bentley and McIlroy's three-way quicksort ("Engineering a Sort Function") over
     * {@code v[base, base+len)}, skipping the parts that hold none of positions
     * {@code lo..hi}: Redis's pqsort.
     */
    public final void partialQuicksort(int[] v, int base, int len, long lo, long hi) {
        while (true) {
            if (len < 7) {
                for (int m = base + 1; m < base + len; m++) {
                    for (int l = m; l > base && compare(v[l - 1], v[l]) > 0; l--) {
                        swap(v, l, l - 1);
                    }
                }
                return;
            }
            int pivot = base + len / 2;
            if (len > 7) {
                int first = base;
                int last = base + len - 1;
                if (len > 40) {
                    int d = len / 8;
                    first = median(v, first, first + d, first + 2 * d);
                    pivot = median(v, pivot - d, pivot, pivot + d);
                    last = median(v, last - 2 * d, last - d, last);
                }
                pivot = median(v, first, pivot, last);
            }
            swap(v, base, pivot);
            // Invariant: [base+1, a) and (d, end) equal the pivot, [a, b) are smaller,
            // (c, d] larger; b and c close in on each other.
            int a = base + 1;
            int b = a;
            int c = base + len - 1;
            int d = c;
            while (true) {
                int r;
                while (b <= c && (r = compare(v[b], v[base])) <= 0) {
                    if (r == 0) {
                        swap(v, a++, b);
                    }
                    b++;
                }
                while (b <= c && (r = compare(v[c], v[base])) >= 0) {
                    if (r == 0) {
                        swap(v, c, d--);
                    }
                    c--;
                }
                if (b > c) {
                    break;
                }
                swap(v, b++, c--);
            }
            // Move the equal runs from both ends to the middle.
            int end = base + len;
            int r = Math.min(a - base, b - a);
            swapRuns(v, base, b - r, r);
            r = Math.min(d - c, end - d - 1);
            swapRuns(v, b, end - r, r);
            r = b - a;
            if (r > 1 && wanted(base, r, lo, hi)) {
                partialQuicksort(v, base, r, lo, hi);
            }
            r = d - c;
            if (r <= 1 || !wanted(end - r, r, lo, hi)) {
                return;
            }
            base = end - r;
            len = r;
        }
    }

    /** Whether {@code [from, from+len)} may hold a wanted position (pqsort's range test). */
    private static boolean wanted(int from, int len, long lo, long hi) {
        long last = from + len - 1L;
        return !((lo < from && hi < from) || (lo > last && hi > last));
    }

    private int median(int[] v, int a, int b, int c) {
        if (compare(v[a], v[b]) < 0) {
            return compare(v[b], v[c]) < 0 ? b : compare(v[a], v[c]) < 0 ? c : a;
        }
        return compare(v[b], v[c]) > 0 ? b : compare(v[a], v[c]) < 0 ? a : c;
    }

    private static void swap(int[] v, int i, int j) {
        int t = v[i];
        v[i] = v[j];
        v[j] = t;
    }

    private static void swapRuns(int[] v, int i, int j, int count) {
        for (int k = 0; k < count; k++) {
            swap(v, i + k, j + k);
        }
    }
}
