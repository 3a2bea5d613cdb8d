package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The generic implementation of {@link TransformerOps}, made only of plain NDArray calls, so any DJL engine runs
 * it (this is how the PyTorch engine runs a checkpoint). Activations have the activation precision's type;
 * RMSNorm and softmax run in float32 as transformers does. The KV cache is one preallocated
 * {@code [kvHeads, capacity, headDim]} array per layer for keys and for values, written in place with
 * {@code set}. Each forward pass's intermediates live in a sub-manager closed at the next pass.
 */
final class NDArrayOps implements TransformerOps<NDArray> {

    private final NDArrayBackend model;
    private final ModelConfig config;
    private final DataType type;
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private final int headDim;
    private final int half;
    private final int heads;
    private final int kvHeads;
    private NDManager pass;
    private NDArray cos;
    private NDArray sin;
    private int position;
    private int rows;

    NDArrayOps(NDArrayBackend model, int capacity) {
        this.model = model;
        this.config = model.config;
        this.type = model.precision.dataType();
        this.capacity = capacity;
        this.headDim = config.headDim();
        this.half = headDim / 2;
        this.heads = config.numHeads();
        this.kvHeads = config.numKvHeads();
        this.manager = model.manager.newSubManager();
        this.keys = new NDArray[config.numLayers()];
        this.values = new NDArray[config.numLayers()];
        Shape shape = new Shape(kvHeads, capacity, headDim);
        for (int l = 0; l < keys.length; l++) {
            keys[l] = manager.zeros(shape, type);
            values[l] = manager.zeros(shape, type);
        }
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int maxRows() {
        return capacity;
    }

    @Override
    public NDArray embed(int[] tokens, int from, int count) {
        startPass(count);
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = tokens[from + i];
        }
        NDArray rowsOfTable = model.embedding.get(new NDIndex("{}", pass.create(ids)));
        rowsOfTable.attach(pass);
        return rowsOfTable.toType(type, false);
    }

    @Override
    public NDArray begin(NDArray hidden) {
        startPass(Math.toIntExact(hidden.getShape().get(0)));
        NDArray copy = pass.create(hidden.getShape(), type);
        hidden.toType(type, false).copyTo(copy);
        return copy;
    }

    /** Opens the pass's memory scope and the rotary angles of its positions. */
    private void startPass(int count) {
        if (position + count > capacity) {
            throw new IllegalArgumentException(count + " rows at position " + position + " exceed the cache");
        }
        if (pass != null) {
            pass.close();
        }
        pass = manager.newSubManager();
        rows = count;
        float[] c = new float[count * headDim];
        float[] s = new float[count * headDim];
        float[] angleCos = new float[half];
        float[] angleSin = new float[half];
        for (int r = 0; r < count; r++) {
            model.rope.angles(position + r, model.precision, angleCos, angleSin, 0);
            // transformers repeats the half-width angles over the whole head: emb = cat(freqs, freqs).
            for (int i = 0; i < half; i++) {
                c[r * headDim + i] = angleCos[i];
                c[r * headDim + half + i] = angleCos[i];
                s[r * headDim + i] = angleSin[i];
                s[r * headDim + half + i] = angleSin[i];
            }
        }
        cos = pass.create(c, new Shape(count, 1, headDim)).toType(type, false);
        sin = pass.create(s, new Shape(count, 1, headDim)).toType(type, false);
    }

    @Override
    public NDArray rmsNorm(NDArray x, int layer, NormPosition norm) {
        return normalize(x, model.norms[layer][norm.ordinal()]);
    }

    @Override
    public NDArray finalNorm(NDArray x) {
        return normalize(x, model.finalNorm);
    }

    private NDArray normalize(NDArray x, NDArray weight) {
        NDArray wide = x.toType(DataType.FLOAT32, false);
        NDArray variance = wide.square().mean(new int[] {-1}, true);
        NDArray scaled = wide.div(variance.add((float) config.rmsNormEps()).sqrt());
        return scaled.toType(type, false).mul(weight);
    }

    @Override
    public NDArray project(NDArray x, int layer, Projection p) {
        NDArray y = x.matMul(model.weights[layer][p.ordinal()]);
        NDArray bias = model.biases[layer][p.ordinal()];
        return bias == null ? y : y.add(bias);
    }

    @Override
    public NDArray rope(NDArray x) {
        long n = x.getShape().get(1) / headDim;
        NDArray heads3 = x.reshape(rows, n, headDim);
        NDArray first = heads3.get(":, :, 0:" + half);
        NDArray second = heads3.get(":, :, " + half + ":");
        NDArray rotated = second.neg().concat(first, -1);
        return heads3.mul(cos).add(rotated.mul(sin)).reshape(rows, n * headDim);
    }

    @Override
    public NDArray attention(int layer, NDArray q, NDArray k, NDArray v) {
        int end = position + rows;
        NDIndex slot = new NDIndex(":, {}:{}, :", position, end);
        keys[layer].set(slot, k.reshape(rows, kvHeads, headDim).transpose(1, 0, 2));
        values[layer].set(slot, v.reshape(rows, kvHeads, headDim).transpose(1, 0, 2));
        NDIndex seen = new NDIndex(":, 0:{}, :", end);
        NDArray cachedKeys = keys[layer].get(seen);
        NDArray cachedValues = values[layer].get(seen);
        // Results belong to their first operand's manager: move the cache views into this pass.
        cachedKeys.attach(pass);
        cachedValues.attach(pass);
        int group = heads / kvHeads;
        // Query heads h = kv * group + g share key head kv: grouping them as rows of one matrix per key head is
        // transformers' repeat_kv without the copy.
        NDArray grouped = q.reshape(rows, heads, headDim).transpose(1, 0, 2).reshape(kvHeads, (long) group * rows, headDim);
        NDArray scores = grouped.matMul(cachedKeys.transpose(0, 2, 1)).mul((float) (1.0 / Math.sqrt(headDim)));
        NDArray weights = scores.toType(DataType.FLOAT32, false)
                .reshape(kvHeads, group, rows, end)
                .add(mask(end))
                .softmax(-1)
                .toType(type, false)
                .reshape(kvHeads, (long) group * rows, end);
        return weights.matMul(cachedValues)
                .reshape(heads, rows, headDim)
                .transpose(1, 0, 2)
                .reshape(rows, (long) heads * headDim);
    }

    /** {@code [rows, keys]}: 0 where row {@code r} may see key {@code j}, minus infinity elsewhere. */
    private NDArray mask(int keyCount) {
        int window = config.slidingWindow();
        float[] m = new float[rows * keyCount];
        for (int r = 0; r < rows; r++) {
            int p = position + r;
            for (int j = 0; j < keyCount; j++) {
                boolean visible = j <= p && (window == 0 || j > p - window);
                m[r * keyCount + j] = visible ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        return pass.create(m, new Shape(rows, keyCount));
    }

    @Override
    public NDArray siluGate(NDArray gate, NDArray up) {
        NDArray wide = gate.toType(DataType.FLOAT32, false);
        NDArray silu = wide.div(wide.neg().exp().add(1f)).toType(type, false);
        return silu.mul(up);
    }

    @Override
    public NDArray addResidual(NDArray residual, NDArray delta) {
        return residual.add(delta);
    }

    @Override
    public NDArray logits(NDArray x, boolean lastRowOnly) {
        NDArray rowsUsed = lastRowOnly ? x.get(new NDIndex("{}:", rows - 1)) : x;
        return rowsUsed.matMul(model.lmHead);
    }

    @Override
    public void read(NDArray x, float[] dst, int off) {
        float[] values = x.toType(DataType.FLOAT32, false).toFloatArray();
        System.arraycopy(values, 0, dst, off, values.length);
    }

    @Override
    public void advance(int count) {
        if (count != rows) {
            throw new IllegalStateException("advancing " + count + " rows after a pass of " + rows);
        }
        position += count;
    }

    @Override
    public void close() {
        manager.close();
    }
}
