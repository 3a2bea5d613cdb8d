package ai.djl.gptq.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reads unsigned values packed in little-endian int32 words the way GPTQ packs them: for 2, 4 and 8 bits,
 * value {@code i} sits in word {@code i / (32 / bits)} at bit {@code bits * (i % (32 / bits))}; for 3 bits,
 * every 3 words hold 32 values as one little-endian 96-bit stream, so values 10 and 21 straddle two words.
 *
 * <p>The words of one packed sequence are {@code stride} words apart in the segment: {@code stride = N} for a
 * {@code qweight} column (packed along K), {@code 1} for a {@code qzeros} row (packed along N).
 */
final class PackedInts {

    static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private PackedInts() {}

    /**
     * Value {@code index} of the sequence whose first word is at word index {@code firstWord}.
     *
     * @param words little-endian int32 words
     * @param firstWord word index of the sequence's first word
     * @param stride distance in words between consecutive words of the sequence
     * @param index position of the value in the sequence
     * @param bits 2, 3, 4 or 8
     */
    static int get(MemorySegment words, long firstWord, long stride, long index, int bits) {
        if (bits == 3) {
            long bit = (index & 31) * 3;
            long word = (index >>> 5) * 3 + (bit >>> 5);
            int offset = (int) (bit & 31);
            long stream = Integer.toUnsignedLong(words.getAtIndex(WORD, firstWord + word * stride)) >>> offset;
            if (offset > 29) {
                stream |= Integer.toUnsignedLong(words.getAtIndex(WORD, firstWord + (word + 1) * stride)) << (32 - offset);
            }
            return (int) (stream & 7);
        }
        int perWord = 32 / bits;
        int word = words.getAtIndex(WORD, firstWord + index / perWord * stride);
        return (word >>> (bits * (int) (index % perWord))) & ((1 << bits) - 1);
    }
}
