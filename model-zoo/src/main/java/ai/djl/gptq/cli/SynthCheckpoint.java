package ai.djl.gptq.cli;

import ai.djl.gptq.zoo.DefaultModel;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A random-weight checkpoint with the exact shapes of a real model, for benchmarks without downloads. The
 * quantized values, zero points and scales are drawn from seeded streams per tensor, so the GPTQ and dense fp16
 * versions of one configuration, seed and {@code desc_act} hold the same logical weights ({@code W = (q - z) * s});
 * AWQ shares q and s but draws asymmetric zero points (and has no {@code desc_act}). Tensors are generated and written one at a time straight to
 * the file, so a 7B checkpoint needs no more heap than its largest matrix.
 */
final class SynthCheckpoint {

    /** The shapes of a real model. */
    record Shape(String name, String architecture, String modelType, int hidden, int intermediate, int layers,
            int heads, int kvHeads, int vocab, boolean tied, boolean qkvBias, double ropeTheta, int maxPositions,
            double rmsNormEps, boolean llama3Rope) {

        int headDim() {
            return hidden / heads;
        }

        Shape withLayers(int n) {
            return new Shape(name, architecture, modelType, hidden, intermediate, n, heads, kvHeads, vocab, tied,
                    qkvBias, ropeTheta, maxPositions, rmsNormEps, llama3Rope);
        }
    }

    static final List<Shape> SHAPES = List.of(
            new Shape("qwen2.5-0.5b", "Qwen2ForCausalLM", "qwen2", 896, 4864, 24, 14, 2, 151936, true, true,
                    1_000_000.0, 32768, 1e-6, false),
            new Shape("llama-3.2-1b", "LlamaForCausalLM", "llama", 2048, 8192, 16, 32, 8, 128256, true, false,
                    500_000.0, 131072, 1e-5, true),
            new Shape("mistral-7b", "MistralForCausalLM", "mistral", 4096, 14336, 32, 32, 8, 32000, false, false,
                    1_000_000.0, 32768, 1e-5, false));

    static Shape shape(String name) {
        for (Shape s : SHAPES) {
            if (s.name.equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown config '" + name + "'; known: "
                + SHAPES.stream().map(Shape::name).toList());
    }

    /** How the linear layers are stored. */
    enum Format {
        GPTQ, AWQ, DENSE;

        static Format parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "gptq" -> GPTQ;
                case "awq" -> AWQ;
                case "fp16", "dense" -> DENSE;
                default -> throw new IllegalArgumentException("unknown format '" + s + "'; use gptq or awq");
            };
        }
    }

    private static final int[] AWQ_ORDER = {0, 2, 4, 6, 1, 3, 5, 7};

    private final Shape shape;
    private final Format format;
    private final int bits;
    private final int groupSize;
    private final boolean descAct;
    private final long seed;

    SynthCheckpoint(Shape shape, Format format, int bits, int groupSize, boolean descAct, long seed) {
        if (format == Format.GPTQ && (bits < 2 || 32 % bits != 0)) {
            throw new IllegalArgumentException("--bits " + bits + ": synth writes GPTQ with 2, 4 or 8 bits");
        }
        if (format == Format.AWQ && bits != 4) {
            throw new IllegalArgumentException("--bits " + bits + ": AWQ (gemm) is 4-bit only");
        }
        if (format == Format.AWQ && descAct) {
            throw new IllegalArgumentException("--desc-act is a GPTQ option; AWQ has no g_idx");
        }
        if (groupSize != -1 && groupSize < 1) {
            throw new IllegalArgumentException("--group-size " + groupSize + ": use a positive size or -1");
        }
        this.shape = shape;
        this.format = format;
        this.bits = bits;
        this.groupSize = groupSize;
        this.descAct = descAct;
        this.seed = seed;
    }

    /** Writes config.json, model.safetensors, the bundled tokenizer files and generation_config.json into {@code out}. */
    void write(Path out) throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("config.json"), new GsonBuilder().setPrettyPrinting().serializeNulls().create()
                .toJson(config()));
        Path bundled = DefaultModel.path();
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            if (Files.exists(bundled.resolve(f))) {
                Files.copy(bundled.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(out.resolve("generation_config.json"), "{\"bos_token_id\": 0, \"eos_token_id\": 0}\n");
        writeTensors(out.resolve("model.safetensors"));
    }

    JsonObject config() {
        JsonObject c = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add(shape.architecture);
        c.add("architectures", arch);
        c.addProperty("model_type", shape.modelType);
        c.addProperty("hidden_size", shape.hidden);
        c.addProperty("intermediate_size", shape.intermediate);
        c.addProperty("num_hidden_layers", shape.layers);
        c.addProperty("num_attention_heads", shape.heads);
        c.addProperty("num_key_value_heads", shape.kvHeads);
        c.addProperty("head_dim", shape.headDim());
        c.addProperty("vocab_size", shape.vocab);
        c.addProperty("max_position_embeddings", shape.maxPositions);
        c.addProperty("rms_norm_eps", shape.rmsNormEps);
        c.addProperty("rope_theta", shape.ropeTheta);
        if (shape.llama3Rope) {
            JsonObject rope = new JsonObject();
            rope.addProperty("factor", 32.0);
            rope.addProperty("high_freq_factor", 4.0);
            rope.addProperty("low_freq_factor", 1.0);
            rope.addProperty("original_max_position_embeddings", 8192);
            rope.addProperty("rope_type", "llama3");
            c.add("rope_scaling", rope);
        } else {
            c.add("rope_scaling", JsonNull.INSTANCE);
        }
        c.addProperty("hidden_act", "silu");
        c.addProperty("tie_word_embeddings", shape.tied);
        c.addProperty("torch_dtype", "float16");
        c.addProperty("bos_token_id", 0);
        c.addProperty("eos_token_id", 0);
        c.addProperty("use_cache", true);
        switch (shape.modelType) {
            case "qwen2" -> {
                c.addProperty("use_sliding_window", false);
                c.add("sliding_window", JsonNull.INSTANCE);
                c.addProperty("max_window_layers", shape.layers);
            }
            case "mistral" -> c.add("sliding_window", JsonNull.INSTANCE);
            default -> {
                c.addProperty("attention_bias", false);
                c.addProperty("mlp_bias", false);
            }
        }
        c.addProperty("transformers_version", "4.46.0");
        c.addProperty("synthetic", "djl-gptq synth " + shape.name + " seed " + seed + " (random weights)");
        if (format == Format.GPTQ) {
            JsonObject q = new JsonObject();
            q.addProperty("quant_method", "gptq");
            q.addProperty("bits", bits);
            q.addProperty("group_size", groupSize);
            q.addProperty("desc_act", descAct);
            q.addProperty("sym", true);
            q.addProperty("damp_percent", 0.01);
            q.addProperty("static_groups", false);
            q.addProperty("true_sequential", true);
            q.addProperty("checkpoint_format", "gptq");
            c.add("quantization_config", q);
        } else if (format == Format.AWQ) {
            JsonObject q = new JsonObject();
            q.addProperty("quant_method", "awq");
            q.addProperty("bits", bits);
            q.addProperty("group_size", groupSize);
            q.addProperty("zero_point", true);
            q.addProperty("version", "gemm");
            q.add("modules_to_not_convert", JsonNull.INSTANCE);
            c.add("quantization_config", q);
        }
        return c;
    }

    // ---- tensors

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private record Entry(String name, String dtype, long[] shape, long bytes, Body body) {}

    private void writeTensors(Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        int h = shape.hidden;
        entries.add(dense("model.embed_tokens.weight", shape.vocab, h, 0.02f));
        int q = shape.heads * shape.headDim();
        int kv = shape.kvHeads * shape.headDim();
        for (int l = 0; l < shape.layers; l++) {
            String p = "model.layers." + l + ".";
            entries.add(ones(p + "input_layernorm.weight", h));
            linear(entries, p + "self_attn.q_proj", h, q, shape.qkvBias);
            linear(entries, p + "self_attn.k_proj", h, kv, shape.qkvBias);
            linear(entries, p + "self_attn.v_proj", h, kv, shape.qkvBias);
            linear(entries, p + "self_attn.o_proj", q, h, false);
            entries.add(ones(p + "post_attention_layernorm.weight", h));
            linear(entries, p + "mlp.gate_proj", h, shape.intermediate, false);
            linear(entries, p + "mlp.up_proj", h, shape.intermediate, false);
            linear(entries, p + "mlp.down_proj", shape.intermediate, h, false);
        }
        entries.add(ones("model.norm.weight", h));
        if (!shape.tied) {
            entries.add(dense("lm_head.weight", shape.vocab, h, 0.02f));
        }

        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("format", "pt");
        header.add("__metadata__", meta);
        long offset = 0;
        for (Entry e : entries) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", e.dtype);
            JsonArray dims = new JsonArray();
            Arrays.stream(e.shape).forEach(dims::add);
            t.add("shape", dims);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + e.bytes);
            t.add("data_offsets", offsets);
            header.add(e.name, t);
            offset += e.bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 22)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (Entry e : entries) {
                CountingStream counted = new CountingStream(out);
                e.body.write(counted);
                if (counted.count != e.bytes) {
                    throw new IllegalStateException(e.name + ": wrote " + counted.count + " bytes, header says " + e.bytes);
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private SplittableRandom random(String tensor, String part) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + (tensor + "#" + part).hashCode());
    }

    /** A dense fp16 {@code [rows, cols]} tensor, uniform with standard deviation {@code std}, written row by row. */
    private Entry dense(String name, int rows, int cols, float std) {
        return new Entry(name, "F16", new long[] {rows, cols}, 2L * rows * cols, out -> {
            SplittableRandom r = random(name, "w");
            float a = std * (float) Math.sqrt(3);
            ByteBuffer row = ByteBuffer.allocate(2 * cols).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < rows; i++) {
                row.clear();
                for (int j = 0; j < cols; j++) {
                    row.putShort(Float.floatToFloat16((float) (r.nextDouble() * 2 - 1) * a));
                }
                out.write(row.array());
            }
        });
    }

    private static Entry ones(String name, int n) {
        return new Entry(name, "F16", new long[] {n}, 2L * n, out -> {
            ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                b.putShort(Float.floatToFloat16(1f));
            }
            out.write(b.array());
        });
    }

    private int groups(int k) {
        return groupSize == -1 ? 1 : (k + groupSize - 1) / groupSize;
    }

    private int effectiveGroup(int k) {
        return groupSize == -1 ? k : groupSize;
    }

    /** The group of each input row: in order, or (desc_act) rows assigned to groups in a shuffled order. */
    private int[] groupIndex(String name, int k) {
        int g = effectiveGroup(k);
        int[] idx = new int[k];
        for (int i = 0; i < k; i++) {
            idx[i] = i / g;
        }
        if (descAct) {
            SplittableRandom r = random(name, "g_idx");
            for (int i = k - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }

    /** Quantized values of row k (all N columns), drawn per row so any layout can be produced in a stream. */
    private static void quantRow(SplittableRandom r, int n, int levels, byte[] row) {
        for (int j = 0; j < n; j++) {
            row[j] = (byte) r.nextInt(levels);
        }
    }

    private int[][] zeros(String name, int g, int n) {
        // GPTQ sym (and the dense version, which matches GPTQ): the midpoint; AWQ (zero_point): varied around it.
        int mid = 1 << (bits - 1);
        int[][] z = new int[g][n];
        SplittableRandom r = random(name, "z");
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < n; j++) {
                z[i][j] = format != Format.AWQ ? mid : Math.clamp(mid + r.nextInt(-2, 3), 0, (1 << bits) - 1);
            }
        }
        return z;
    }

    private float[][] scales(String name, int g, int n) {
        // Scales keep W = (q - z) * s near a standard deviation of 0.02 whatever the bit width.
        double spread = ((1 << bits) - 1) / Math.sqrt(12);
        float[][] s = new float[g][n];
        SplittableRandom r = random(name, "s");
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < n; j++) {
                s[i][j] = Float.float16ToFloat(Float.floatToFloat16((float) (0.02 / spread * (0.75 + 0.5 * r.nextDouble()))));
            }
        }
        return s;
    }

    private void linear(List<Entry> entries, String name, int k, int n, boolean bias) {
        int g = groups(k);
        int levels = 1 << bits;
        switch (format) {
            case GPTQ -> {
                int per = 32 / bits;
                if (k % per != 0 || n % per != 0) {
                    throw new IllegalArgumentException(name + ": [" + k + ", " + n + "] does not pack at " + bits + " bits");
                }
                entries.add(new Entry(name + ".qweight", "I32", new long[] {k / per, n}, 4L * k / per * n, out -> {
                    SplittableRandom r = random(name, "q");
                    byte[][] rows = new byte[per][n];
                    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                    for (int w = 0; w < k / per; w++) {
                        for (int j = 0; j < per; j++) {
                            quantRow(r, n, levels, rows[j]);
                        }
                        b.clear();
                        for (int c = 0; c < n; c++) {
                            int word = 0;
                            for (int j = 0; j < per; j++) {
                                word |= (rows[j][c] & 0xff) << (bits * j);
                            }
                            b.putInt(word);
                        }
                        out.write(b.array());
                    }
                }));
                entries.add(new Entry(name + ".qzeros", "I32", new long[] {g, n / per}, 4L * g * (n / per), out -> {
                    int[][] z = zeros(name, g, n);
                    ByteBuffer b = ByteBuffer.allocate(4 * (n / per)).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < g; i++) {
                        b.clear();
                        for (int c = 0; c < n / per; c++) {
                            int word = 0;
                            for (int j = 0; j < per; j++) {
                                word |= ((z[i][c * per + j] - 1) & (levels - 1)) << (bits * j); // v1 stores z - 1
                            }
                            b.putInt(word);
                        }
                        out.write(b.array());
                    }
                }));
                entries.add(scalesEntry(name, g, n));
                entries.add(new Entry(name + ".g_idx", "I32", new long[] {k}, 4L * k, out -> {
                    ByteBuffer b = ByteBuffer.allocate(4 * k).order(ByteOrder.LITTLE_ENDIAN);
                    for (int v : groupIndex(name, k)) {
                        b.putInt(v);
                    }
                    out.write(b.array());
                }));
            }
            case AWQ -> {
                if (n % 8 != 0) {
                    throw new IllegalArgumentException(name + ": N " + n + " is not a multiple of 8");
                }
                entries.add(new Entry(name + ".qweight", "I32", new long[] {k, n / 8}, 4L * k * (n / 8), out -> {
                    SplittableRandom r = random(name, "q");
                    byte[] row = new byte[n];
                    ByteBuffer b = ByteBuffer.allocate(4 * (n / 8)).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < k; i++) {
                        quantRow(r, n, levels, row);
                        b.clear();
                        for (int c = 0; c < n / 8; c++) {
                            b.putInt(awqWord(row, c));
                        }
                        out.write(b.array());
                    }
                }));
                entries.add(new Entry(name + ".qzeros", "I32", new long[] {g, n / 8}, 4L * g * (n / 8), out -> {
                    int[][] z = zeros(name, g, n);
                    ByteBuffer b = ByteBuffer.allocate(4 * (n / 8)).order(ByteOrder.LITTLE_ENDIAN);
                    byte[] row = new byte[n];
                    for (int i = 0; i < g; i++) {
                        for (int j = 0; j < n; j++) {
                            row[j] = (byte) z[i][j];
                        }
                        b.clear();
                        for (int c = 0; c < n / 8; c++) {
                            b.putInt(awqWord(row, c));
                        }
                        out.write(b.array());
                    }
                }));
                entries.add(scalesEntry(name, g, n));
            }
            case DENSE -> entries.add(new Entry(name + ".weight", "F16", new long[] {n, k}, 2L * n * k, out -> {
                // torch layout [out, in]: dequantize the same q, z, s that the quantized formats store.
                int[][] z = zeros(name, g, n);
                float[][] s = scales(name, g, n);
                int[] gi = groupIndex(name, k);
                SplittableRandom r = random(name, "q");
                byte[] q = new byte[k * n];
                byte[] row = new byte[n];
                for (int i = 0; i < k; i++) {
                    quantRow(r, n, levels, row);
                    System.arraycopy(row, 0, q, i * n, n);
                }
                ByteBuffer b = ByteBuffer.allocate(2 * k).order(ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < n; j++) {
                    b.clear();
                    for (int i = 0; i < k; i++) {
                        int grp = gi[i];
                        b.putShort(Float.floatToFloat16(((q[i * n + j] & 0xff) - z[grp][j]) * s[grp][j]));
                    }
                    out.write(b.array());
                }
            }));
            default -> throw new IllegalStateException();
        }
        if (bias) {
            entries.add(new Entry(name + ".bias", "F16", new long[] {n}, 2L * n, out -> {
                SplittableRandom r = random(name, "bias");
                ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < n; j++) {
                    b.putShort(Float.floatToFloat16((float) (r.nextDouble() * 2 - 1) * 0.02f));
                }
                out.write(b.array());
            }));
        }
    }

    private static int awqWord(byte[] row, int c) {
        int word = 0;
        for (int i = 0; i < 8; i++) {
            word |= (row[8 * c + AWQ_ORDER[i]] & 0xf) << (4 * i);
        }
        return word;
    }

    private Entry scalesEntry(String name, int g, int n) {
        return new Entry(name + ".scales", "F16", new long[] {g, n}, 2L * g * n, out -> {
            float[][] s = scales(name, g, n);
            ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < g; i++) {
                b.clear();
                for (int j = 0; j < n; j++) {
                    b.putShort(Float.floatToFloat16(s[i][j]));
                }
                out.write(b.array());
            }
        });
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
