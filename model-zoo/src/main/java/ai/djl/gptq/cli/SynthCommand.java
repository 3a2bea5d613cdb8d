package ai.djl.gptq.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code synth}: a random-weight checkpoint with the exact shapes of a real model, for benchmarks without downloads. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a random-weight GPTQ/AWQ (or dense fp16) checkpoint with the shapes of a real model: "
                + "qwen2.5-0.5b, llama-3.2-1b, mistral-7b. The tokenizer is the bundled model's (4096 ids).")
final class SynthCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "qwen2.5-0.5b, llama-3.2-1b or mistral-7b.")
    String config;

    @Option(names = "--format", defaultValue = "gptq", description = "gptq (default) or awq.")
    String format;

    @Option(names = "--bits", defaultValue = "4", description = "Bits per weight (GPTQ: 2, 4, 8; AWQ: 4).")
    int bits;

    @Option(names = "--group-size", defaultValue = "128", description = "Rows per quantization group, or -1 for one group.")
    int groupSize;

    @Option(names = "--desc-act", description = "GPTQ act-order: rows assigned to groups in a shuffled order (g_idx).")
    boolean descAct;

    @Option(names = "--layers", description = "Override the number of decoder layers (for tests and quick runs).")
    Integer layers;

    @Option(names = "--dense-fp16", description = "Write the same weights dequantized to dense fp16, unquantized.")
    boolean denseFp16;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights.")
    long seed;

    @Option(names = "--out", required = true, description = "Output folder (created).")
    Path out;

    @Override
    public Integer call() throws Exception {
        SynthCheckpoint.Shape shape = SynthCheckpoint.shape(config);
        if (layers != null) {
            if (layers < 1) {
                throw new IllegalArgumentException("--layers " + layers + " < 1");
            }
            shape = shape.withLayers(layers);
        }
        SynthCheckpoint.Format f = denseFp16 ? SynthCheckpoint.Format.DENSE : SynthCheckpoint.Format.parse(format);
        long start = System.nanoTime();
        new SynthCheckpoint(shape, f, bits, groupSize, descAct, seed).write(out);
        System.err.printf("djl-gptq: wrote %s (%s, %d layers, %s) to %s: %.1f MB in %.1f s%n", shape.name(),
                denseFp16 ? "fp16" : format + " " + bits + "-bit g" + groupSize + (descAct ? " desc_act" : ""),
                shape.layers(), "model.safetensors", out, Files.size(out.resolve("model.safetensors")) / 1e6,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
