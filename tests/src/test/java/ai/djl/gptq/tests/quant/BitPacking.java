package ai.djl.gptq.tests.quant;

/**
 * Packs and unpacks unsigned fields one bit at a time, written independently of the production readers so
 * that a shared misunderstanding of a layout cannot hide: value {@code i} of a sequence occupies bits
 * {@code [i * bits, (i + 1) * bits)} of one little-endian bit stream cut into 32-bit words.
 */
final class BitPacking {

    private BitPacking() {}

    static int[] pack(int[] values, int bits) {
        if ((long) values.length * bits % 32 != 0) {
            throw new IllegalArgumentException(values.length + " values of " + bits + " bits do not fill whole words");
        }
        int[] words = new int[values.length * bits / 32];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= 1 << bits) {
                throw new IllegalArgumentException("value " + values[i] + " does not fit " + bits + " bits");
            }
            for (int b = 0; b < bits; b++) {
                if ((values[i] >> b & 1) != 0) {
                    int pos = i * bits + b;
                    words[pos / 32] |= 1 << (pos % 32);
                }
            }
        }
        return words;
    }

    static int[] unpack(int[] words, int count, int bits) {
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
            for (int b = 0; b < bits; b++) {
                int pos = i * bits + b;
                if ((words[pos / 32] >>> (pos % 32) & 1) != 0) {
                    values[i] |= 1 << b;
                }
            }
        }
        return values;
    }
}
