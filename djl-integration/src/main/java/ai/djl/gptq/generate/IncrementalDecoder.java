package ai.djl.gptq.generate;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Turns a growing list of token ids into text pieces for streaming. Byte-level BPE tokens may hold part of a
 * UTF-8 character, so decoding token by token would emit broken characters; this keeps a window of recent
 * tokens, re-decodes it, and only emits text once it no longer ends in the replacement character U+FFFD.
 * Decoding the window rather than single tokens also keeps the spaces that tokenizers put between tokens.
 */
public final class IncrementalDecoder {

    private static final char REPLACEMENT = '\uFFFD';

    private final Function<long[], String> decode;
    private long[] tokens = new long[16];
    private int count;
    private int prefixStart;
    private int readStart;

    /** @param decode decodes token ids to text (e.g. {@code ids -> tokenizer.decode(ids, true)}) */
    public IncrementalDecoder(Function<long[], String> decode) {
        this.decode = decode;
    }

    /** Adds one generated token; returns the new text it completes (possibly empty, never a broken character). */
    public String add(int token) {
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, count * 2);
        }
        tokens[count++] = token;
        String prefix = decode.apply(Arrays.copyOfRange(tokens, prefixStart, readStart));
        String full = decode.apply(Arrays.copyOfRange(tokens, prefixStart, count));
        if (full.length() > prefix.length() && full.charAt(full.length() - 1) != REPLACEMENT && full.startsWith(prefix)) {
            String piece = full.substring(prefix.length());
            prefixStart = readStart;
            readStart = count;
            return piece;
        }
        return "";
    }

    /** The text still held back at the end of generation (an incomplete character is emitted as decoded). */
    public String flush() {
        String prefix = decode.apply(Arrays.copyOfRange(tokens, prefixStart, readStart));
        String full = decode.apply(Arrays.copyOfRange(tokens, prefixStart, count));
        readStart = count;
        prefixStart = count;
        return full.startsWith(prefix) ? full.substring(prefix.length()) : full;
    }
}
