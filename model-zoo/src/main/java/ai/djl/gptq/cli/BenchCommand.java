package ai.djl.gptq.cli;

import ai.djl.Model;
import ai.djl.gptq.bridge.PyTorchBridge;
import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.safetensors.TensorSource;
import ai.djl.gptq.kernel.ComputePool;
import ai.djl.gptq.kernel.MemoryBandwidth;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: batch-1 prefill and decode speed of one model after warm-up (medians over repeats), next to the
 * memory-bandwidth roofline measured in the same process, and optionally the same model on DJL's PyTorch engine.
 *
 * <p>{@code --threads} sets the system property {@code gptq.threads}, which the kernels' thread pool reads once
 * when it starts; the command sets it before anything touches the pool, and refuses (exit 2) when the pool was
 * already started with another size in this JVM (then launch with {@code DJL_GPTQ_JAVA_OPTS=-Dgptq.threads=T}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark batch-1 prefill/decode against the memory-bandwidth roofline; --json prints one JSON "
                + "object as the last line.")
final class BenchCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--model", description = "Checkpoint folder (or hub repository) to benchmark.")
        String model;

        @Option(names = "--synthetic", description = "Synthesize this config into a temporary folder first: "
                + "qwen2.5-0.5b, llama-3.2-1b, mistral-7b.")
        String synthetic;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--format", defaultValue = "gptq", description = "With --synthetic: gptq or awq.")
    String format;

    @Option(names = "--bits", defaultValue = "4", description = "With --synthetic: bits per weight.")
    int bits;

    @Option(names = "--group-size", defaultValue = "128", description = "With --synthetic: group size.")
    int groupSize;

    @Option(names = "--layers", description = "With --synthetic: override the layer count.")
    Integer layers;

    @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prompt length (ids drawn below 4096).")
    int promptTokens;

    @Option(names = "--new-tokens", defaultValue = "64", description = "Tokens decoded one at a time after the prompt.")
    int newTokens;

    @Option(names = "--threads", description = "Kernel threads (sets gptq.threads before the pool starts).")
    Integer threads;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed repeats (the median is reported).")
    int repeats;

    @Option(names = "--activations", defaultValue = "fp16", description = "GPTQ engine activations: fp16 or fp32.")
    String activations;

    @Option(names = "--compare", split = ",", description = "Peers run in the same invocation: pytorch.")
    List<String> compare = new ArrayList<>();

    @Option(names = "--bandwidth-mb", defaultValue = "1024", description = "Size of the bandwidth probe buffer (MiB).")
    int bandwidthMb;

    @Option(names = "--json", description = "Print one JSON object as the last line.")
    boolean json;

    /** Medians of one engine's runs. */
    record Timing(double prefillTokS, double decodeTokS, double ttftMs) {}

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads " + threads + " < 1");
            }
            System.setProperty("gptq.threads", threads.toString());
            int actual = ComputePool.shared().parallelism();
            if (actual != threads) {
                throw new IllegalArgumentException("--threads " + threads + ": the kernel pool of this JVM already runs "
                        + actual + " threads; launch with DJL_GPTQ_JAVA_OPTS=-Dgptq.threads=" + threads);
            }
        }
        if (promptTokens < 1 || newTokens < 1 || repeats < 1) {
            throw new IllegalArgumentException("--prompt-tokens, --new-tokens and --repeats must be >= 1");
        }
        for (String peer : compare) {
            if (!peer.equalsIgnoreCase("pytorch")) {
                throw new IllegalArgumentException("--compare " + peer + ": supported peers: pytorch (jlama is not built in)");
            }
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Path temp = null;
        try {
            Path dir;
            String name;
            if (source.synthetic != null) {
                SynthCheckpoint.Shape shape = SynthCheckpoint.shape(source.synthetic);
                if (layers != null) {
                    shape = shape.withLayers(layers);
                }
                temp = Files.createTempDirectory("djl-gptq-synth-");
                long t = System.nanoTime();
                new SynthCheckpoint(shape, SynthCheckpoint.Format.parse(format), bits, groupSize, false, 1).write(temp);
                System.err.printf(Locale.ROOT, "djl-gptq: synthesized %s in %.1f s%n", shape.name(), (System.nanoTime() - t) / 1e9);
                dir = temp;
                name = shape.name() + (layers != null ? "-" + layers + "l" : "") + "-" + format.toLowerCase(Locale.ROOT)
                        + "-int" + bits + "-g" + groupSize;
            } else {
                dir = LoadedModel.locate(source.model);
                name = source.model;
            }
            int[] prompt = prompt(dir);
            long bytesPerToken = bytesPerToken(dir);
            boolean rssReset = resetPeakRss();

            long loadStart = System.nanoTime();
            double loadS;
            Timing gptq;
            try (CausalLanguageModel lm = CausalLanguageModel.load(dir, ActivationPrecision.parse(activations))) {
                loadS = (System.nanoTime() - loadStart) / 1e9;
                run(lm, prompt, Math.min(newTokens, 8)); // warm-up: JIT and page-in of the mapped weights
                gptq = measure(lm, prompt, repeats);
            }
            double peakRssMb = peakRssMb();
            double bandwidth;
            try (MemoryBandwidth probe = MemoryBandwidth.allocate((long) bandwidthMb << 20)) {
                bandwidth = probe.measure(5);
            }
            double roofline = bandwidth * 1e9 / bytesPerToken;

            JsonObject peers = new JsonObject();
            JsonObject skipped = new JsonObject();
            if (compare.stream().anyMatch(p -> p.equalsIgnoreCase("pytorch"))) {
                peers.add("pytorch-fp32", peer(dir, prompt, ActivationPrecision.FP32, skipped, "pytorch-fp32"));
                skipped.addProperty("pytorch-bf16", "not run: the PyTorch bridge offers fp32 and fp16 activations, no bf16");
            }
            skipped.addProperty("jlama-q4", "not run: Jlama is not part of this command");
            peers.entrySet().removeIf(e -> e.getValue().isJsonNull());

            JsonObject result = new JsonObject();
            result.addProperty("model", name);
            result.addProperty("engine", "gptq");
            result.addProperty("threads", ComputePool.shared().parallelism());
            result.addProperty("prompt_tokens", promptTokens);
            result.addProperty("new_tokens", newTokens);
            result.addProperty("prefill_tok_s", round(gptq.prefillTokS));
            result.addProperty("decode_tok_s", round(gptq.decodeTokS));
            result.addProperty("ttft_ms", round(gptq.ttftMs));
            result.addProperty("load_s", round(loadS));
            result.addProperty("peak_rss_mb", round(peakRssMb));
            result.addProperty("peak_rss_since", rssReset ? "load" : "process start");
            result.addProperty("bytes_per_token", bytesPerToken);
            result.addProperty("bandwidth_gb_s", round(bandwidth));
            result.addProperty("roofline_tok_s", round(roofline));
            result.addProperty("roofline_fraction", Math.round(gptq.decodeTokS / roofline * 1e4) / 1e4);
            result.add("peers", peers);
            result.add("peers_skipped", skipped);

            out.printf(Locale.ROOT, "model %s, %d threads, prompt %d, new %d, median of %d%n", name,
                    ComputePool.shared().parallelism(), promptTokens, newTokens, repeats);
            out.printf(Locale.ROOT, "  gptq: prefill %.1f tok/s, decode %.2f tok/s, ttft %.1f ms, load %.2f s, peak RSS %.0f MB%n",
                    gptq.prefillTokS, gptq.decodeTokS, gptq.ttftMs, loadS, peakRssMb);
            out.printf(Locale.ROOT, "  %.1f MB/token, bandwidth %.1f GB/s, roofline %.2f tok/s, reached %.1f %%%n",
                    bytesPerToken / 1e6, bandwidth, roofline, 100 * gptq.decodeTokS / roofline);
            peers.entrySet().forEach(e -> out.printf(Locale.ROOT, "  %s: prefill %s tok/s, decode %s tok/s%n", e.getKey(),
                    e.getValue().getAsJsonObject().get("prefill_tok_s"), e.getValue().getAsJsonObject().get("decode_tok_s")));
            if (json) {
                out.println(result);
            }
            return 0;
        } finally {
            if (temp != null) {
                deleteTree(temp);
            }
        }
    }

    private com.google.gson.JsonElement peer(Path dir, int[] prompt, ActivationPrecision precision, JsonObject skipped, String key) {
        try (Model model = PyTorchBridge.load(dir, precision)) {
            CausalLanguageModel lm = PyTorchBridge.languageModel(model);
            run(lm, prompt, Math.min(newTokens, 4));
            Timing t = measure(lm, prompt, repeats);
            JsonObject o = new JsonObject();
            o.addProperty("prefill_tok_s", round(t.prefillTokS));
            o.addProperty("decode_tok_s", round(t.decodeTokS));
            o.addProperty("ttft_ms", round(t.ttftMs));
            return o;
        } catch (RuntimeException | LinkageError e) {
            skipped.addProperty(key, "failed: " + Main.oneLine(e));
            return com.google.gson.JsonNull.INSTANCE;
        }
    }

    /** Prompt ids: seeded, in 1..min(vocab, 4096) - 1 (the bundled tokenizer's range). */
    private int[] prompt(Path dir) {
        int vocab = CheckpointFolder.open(dir).config().vocabSize();
        SplittableRandom r = new SplittableRandom(42);
        int[] ids = new int[promptTokens];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1 + r.nextInt(Math.min(vocab, 4096) - 1);
        }
        return ids;
    }

    private Timing measure(CausalLanguageModel lm, int[] prompt, int count) {
        double[][] runs = new double[count][];
        for (int i = 0; i < count; i++) {
            runs[i] = run(lm, prompt, newTokens);
        }
        return new Timing(median(runs, 0), median(runs, 1), median(runs, 2));
    }

    /** One timed sequence: {prefill tok/s, decode tok/s, time to first token ms}. */
    private static double[] run(CausalLanguageModel lm, int[] prompt, int decode) {
        try (CausalLanguageModel.Session session = lm.newSession(prompt.length + decode)) {
            long t0 = System.nanoTime();
            int next = argMax(session.forward(prompt));
            long t1 = System.nanoTime();
            int[] step = new int[1];
            for (int i = 0; i < decode; i++) {
                step[0] = next;
                next = argMax(session.forward(step));
            }
            long t2 = System.nanoTime();
            return new double[] {prompt.length / ((t1 - t0) / 1e9), decode / ((t2 - t1) / 1e9), (t1 - t0) / 1e6};
        }
    }

    private static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double median(double[][] runs, int column) {
        double[] v = Arrays.stream(runs).mapToDouble(r -> r[column]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * Weight bytes one decoded token reads, from the checkpoint header: every tensor of the decoder layers (packed
     * weights, zero points, scales, biases, norms; not g_idx, which the kernels fold in at load), the final norm,
     * the whole lm_head (the embedding matrix when tied), and one embedding row.
     */
    static long bytesPerToken(Path dir) {
        CheckpointFolder folder = CheckpointFolder.open(dir);
        try (TensorSource weights = folder.openWeights()) {
            long total = 0;
            boolean lmHead = false;
            for (String n : weights.names()) {
                if (n.endsWith(".g_idx")) {
                    continue;
                }
                if (n.startsWith("model.layers.") || n.equals("model.norm.weight")) {
                    total += weights.info(n).byteSize();
                } else if (n.startsWith("lm_head.")) {
                    total += weights.info(n).byteSize();
                    lmHead = true;
                }
            }
            var embed = weights.info("model.embed_tokens.weight");
            long row = embed.byteSize() / embed.dim(0);
            total += lmHead ? row : embed.byteSize() + row;
            return total;
        }
    }

    /**
     * Resets VmHWM to the current RSS (Linux: {@code 5} to {@code /proc/self/clear_refs}), so that the peak measures the
     * model and not the synthesis before it; false where that is not possible.
     */
    static boolean resetPeakRss() {
        System.gc();
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** VmHWM of this process in MB (10^6 bytes), or -1 where /proc is missing. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / 1e6;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder: leave it
        }
    }
}
