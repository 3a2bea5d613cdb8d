package ai.djl.gptq.tests.model;

/**
 * What transformers computed in fp32 for one prompt: the logits of every position {@code [T, vocab]}, 24
 * greedy tokens and the top-1 minus top-2 margin of each greedy step.
 */
record Reference(int[] inputIds, float[] logits, int[] generatedIds, float[] margins) {

    /**
     * How many leading greedy tokens must match: up to (excluding) the first step whose margin is below
     * {@code minMargin}, where a different float rounding may legitimately pick the runner-up.
     */
    int stepsToMatch(double minMargin) {
        for (int i = 0; i < margins.length; i++) {
            if (margins[i] < minMargin) {
                return i;
            }
        }
        return margins.length;
    }
}
