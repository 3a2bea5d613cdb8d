package ai.djl.gptq.model;

/**
 * A {@code [rows, width]} row-major activation matrix of the fused ops, over a buffer allocated once per
 * sequence for the most rows a forward pass takes; {@code rows} changes with each pass, the buffer never does.
 */
final class Activations {

    final float[] data;
    final int width;
    int rows;

    Activations(int maxRows, int width) {
        this.data = new float[Math.multiplyExact(maxRows, width)];
        this.width = width;
    }

    int maxRows() {
        return data.length / width;
    }

    /** The number of used elements, {@code rows * width}. */
    int size() {
        return rows * width;
    }
}
