package ai.djl.gptq.tests.model;

/** The relative L2 error {@code |actual - expected| / |expected|}, the measure the fixture README uses. */
final class RelativeL2 {

    private RelativeL2() {}

    static double of(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        return Math.sqrt(diff / norm);
    }
}
