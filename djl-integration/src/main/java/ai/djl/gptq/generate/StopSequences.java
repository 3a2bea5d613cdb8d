package ai.djl.gptq.generate;

import java.util.List;

/**
 * Finds stop strings in generated text. For streaming it also tells how much of the text is safe to emit:
 * a tail that could still grow into a stop string is held back.
 */
public final class StopSequences {

    private final List<String> stops;

    public StopSequences(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    /** The index of the earliest stop string in {@code text}, or -1. */
    public int find(CharSequence text) {
        String s = text.toString();
        int best = -1;
        for (String stop : stops) {
            int i = s.indexOf(stop);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** How many leading characters of {@code text} cannot be part of a stop string that is still growing. */
    public int safeLength(CharSequence text) {
        int n = text.length();
        int safe = n;
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, n); len > 0; len--) {
                if (stop.regionMatches(0, text.toString(), n - len, len)) {
                    safe = Math.min(safe, n - len);
                    break;
                }
            }
        }
        return safe;
    }

    public boolean isEmpty() {
        return stops.isEmpty();
    }
}
