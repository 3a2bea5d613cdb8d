package ai.djl.gptq.model;

import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.gptq.kernel.ComputePool;
import java.util.Arrays;

/**
 * The fused implementation of {@link TransformerOps} on the GPTQ engine: activations in float buffers allocated
 * once per sequence (values rounded to fp16 in fp16 mode), linears through the multi-threaded matmul kernels, the
 * rest in tight loops. After the first forward pass nothing on the per-token path allocates.
 */
final class FusedOps implements TransformerOps<Activations> {

    /** Rows of one prefill chunk: enough to amortize reading the weights, small enough for the scratch buffers. */
    static final int MAX_ROWS = 64;

    private final FusedBackend model;
    private final ModelConfig config;
    private final ActivationPrecision precision;
    private final KvCache cache;
    private final int maxRows;
    private final int headDim;
    private final int half;
    private final int heads;
    private final int kvHeads;
    private final int window;
    private final float scale;

    private final Activations hidden;
    private final Activations normed;
    private final Activations[] projected;
    private final Activations attended;
    private final float[] cos;
    private final float[] sin;
    /** {@code [heads][capacity]}: each head's attention scores, so heads run on different threads. */
    private final float[][] scores;
    /** Bound once: handing the pool a new lambda per call would allocate on every layer of every token. */
    private final ComputePool.Job attentionJob = this::attendHeads;
    private int attentionLayer;
    private Activations attentionQuery;
    private Activations logits;
    private int position;
    private int rows;

    FusedOps(FusedBackend model, int capacity) {
        this.model = model;
        this.config = model.config;
        this.precision = model.precision;
        this.headDim = config.headDim();
        this.half = headDim / 2;
        this.heads = config.numHeads();
        this.kvHeads = config.numKvHeads();
        this.window = config.slidingWindow();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.cache = new KvCache(config.numLayers(), kvHeads, headDim, capacity, precision);
        this.maxRows = Math.min(capacity, MAX_ROWS);
        this.hidden = new Activations(maxRows, config.hiddenSize());
        this.normed = new Activations(maxRows, config.hiddenSize());
        this.projected = new Activations[Projection.values().length];
        Activations delta = new Activations(maxRows, config.hiddenSize());
        for (Projection p : Projection.values()) {
            // o_proj and down_proj both produce the residual delta, consumed at once: they share a buffer.
            projected[p.ordinal()] = p == Projection.O || p == Projection.DOWN
                    ? delta
                    : new Activations(maxRows, p.outFeatures(config));
        }
        this.attended = new Activations(maxRows, heads * headDim);
        this.cos = new float[maxRows * half];
        this.sin = new float[maxRows * half];
        this.scores = new float[heads][capacity];
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int capacity() {
        return cache.capacity();
    }

    @Override
    public int maxRows() {
        return maxRows;
    }

    @Override
    public Activations embed(int[] tokens, int from, int count) {
        startPass(count);
        for (int r = 0; r < count; r++) {
            model.embedding.row(tokens[from + r], hidden.data, r * hidden.width);
        }
        precision.round(hidden.data, 0, hidden.size());
        return hidden;
    }

    @Override
    public Activations begin(Activations h) {
        startPass(h.rows);
        System.arraycopy(h.data, 0, hidden.data, 0, h.size());
        precision.round(hidden.data, 0, hidden.size());
        return hidden;
    }

    /** Sizes the buffers' rows and computes the rotary angles of the pass's positions. */
    private void startPass(int count) {
        if (count > maxRows || position + count > cache.capacity()) {
            throw new IllegalArgumentException(count + " rows at position " + position + " exceed the buffers");
        }
        rows = count;
        hidden.rows = count;
        for (int r = 0; r < count; r++) {
            model.rope.angles(position + r, precision, cos, sin, r * half);
        }
    }

    @Override
    public Activations rmsNorm(Activations x, int layer, NormPosition norm) {
        return normalize(x, model.norms[layer][norm.ordinal()]);
    }

    @Override
    public Activations finalNorm(Activations x) {
        return normalize(x, model.finalNorm);
    }

    private Activations normalize(Activations x, float[] weight) {
        int width = x.width;
        float eps = (float) config.rmsNormEps();
        float[] src = x.data;
        float[] dst = normed.data;
        for (int r = 0; r < x.rows; r++) {
            int base = r * width;
            float sumSquares = 0;
            for (int i = 0; i < width; i++) {
                float v = src[base + i];
                sumSquares += v * v;
            }
            float inverseRms = (float) (1.0 / Math.sqrt(sumSquares / width + eps));
            for (int i = 0; i < width; i++) {
                dst[base + i] = precision.round(weight[i] * precision.round(src[base + i] * inverseRms));
            }
        }
        normed.rows = x.rows;
        return normed;
    }

    @Override
    public Activations project(Activations x, int layer, Projection p) {
        Activations out = projected[p.ordinal()];
        model.projections[layer][p.ordinal()].apply(model.kernel, x.data, x.rows, out.data);
        out.rows = x.rows;
        precision.round(out.data, 0, out.size());
        return out;
    }

    @Override
    public Activations rope(Activations x) {
        int n = x.width / headDim;
        float[] d = x.data;
        for (int r = 0; r < x.rows; r++) {
            int angles = r * half;
            for (int h = 0; h < n; h++) {
                int base = r * x.width + h * headDim;
                for (int i = 0; i < half; i++) {
                    float a = d[base + i];
                    float b = d[base + half + i];
                    float c = cos[angles + i];
                    float s = sin[angles + i];
                    d[base + i] = precision.round(precision.round(a * c) - precision.round(b * s));
                    d[base + half + i] = precision.round(precision.round(b * c) + precision.round(a * s));
                }
            }
        }
        return x;
    }

    @Override
    public Activations attention(int layer, Activations q, Activations k, Activations v) {
        for (int r = 0; r < q.rows; r++) {
            cache.write(layer, position + r, k.data, r * k.width, v.data, r * v.width);
        }
        attentionLayer = layer;
        attentionQuery = q;
        attended.rows = q.rows;
        ComputePool.shared().run(heads, 1, attentionJob);
        attentionQuery = null;
        return attended;
    }

    /** Attention of query heads {@code [fromHead, toHead)} for every row of the pass; one scores row per head. */
    private void attendHeads(int fromHead, int toHead) {
        int layer = attentionLayer;
        Activations q = attentionQuery;
        int group = heads / kvHeads;
        float[] out = attended.data;
        for (int h = fromHead; h < toHead; h++) {
            float[] score = scores[h];
            int kvHead = h / group;
            for (int r = 0; r < q.rows; r++) {
                int p = position + r;
                int start = window > 0 ? Math.max(0, p - window + 1) : 0;
                int qOff = r * q.width + h * headDim;
                cache.dotKeys(layer, kvHead, start, p, q.data, qOff, score);
                float max = Float.NEGATIVE_INFINITY;
                for (int j = start; j <= p; j++) {
                    float s = precision.round(precision.round(score[j]) * scale);
                    score[j] = s;
                    max = Math.max(max, s);
                }
                float sum = 0;
                for (int j = start; j <= p; j++) {
                    float e = (float) Math.exp(score[j] - max);
                    score[j] = e;
                    sum += e;
                }
                int oOff = r * attended.width + h * headDim;
                Arrays.fill(out, oOff, oOff + headDim, 0f);
                for (int j = start; j <= p; j++) {
                    cache.addValue(layer, kvHead, j, precision.round(score[j] / sum), out, oOff);
                }
                precision.round(out, oOff, oOff + headDim);
            }
        }
    }

    @Override
    public Activations siluGate(Activations gate, Activations up) {
        float[] g = gate.data;
        float[] u = up.data;
        for (int i = 0, n = gate.size(); i < n; i++) {
            float x = g[i];
            g[i] = precision.round(precision.round(x / (1f + (float) Math.exp(-x))) * u[i]);
        }
        return gate;
    }

    @Override
    public Activations addResidual(Activations residual, Activations delta) {
        float[] h = residual.data;
        float[] d = delta.data;
        for (int i = 0, n = residual.size(); i < n; i++) {
            h[i] = precision.round(h[i] + d[i]);
        }
        return residual;
    }

    @Override
    public Activations logits(Activations x, boolean lastRowOnly) {
        int outRows = lastRowOnly ? 1 : x.rows;
        if (lastRowOnly && x.rows > 1) {
            System.arraycopy(x.data, (x.rows - 1) * x.width, x.data, 0, x.width);
        }
        if (logits == null || logits.maxRows() < outRows) {
            logits = new Activations(lastRowOnly ? 1 : maxRows, config.vocabSize());
        }
        model.lmHead.apply(model.kernel, x.data, outRows, logits.data);
        logits.rows = outRows;
        precision.round(logits.data, 0, logits.size());
        return logits;
    }

    @Override
    public void read(Activations x, float[] dst, int off) {
        System.arraycopy(x.data, 0, dst, off, x.size());
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
        // The cache and buffers are plain heap arrays: dropping the ops frees them.
    }
}
