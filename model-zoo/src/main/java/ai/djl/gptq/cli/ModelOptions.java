package ai.djl.gptq.cli;

import ai.djl.gptq.model.ActivationPrecision;
import picocli.CommandLine.Option;

/** The options that choose a model and how to run it, shared by the commands that run one. */
final class ModelOptions {

    @Option(names = "--model", paramLabel = "DIR|owner/name|hf://owner/name[@rev]",
            description = "Checkpoint folder, hub repository (downloaded once, then cached) or hf:// URL. "
                    + "Default: the bundled tiny Qwen2 GPTQ model (offline).")
    String model;

    @Option(names = "--engine", defaultValue = "GPTQ", description = "GPTQ (packed, default) or PyTorch (dequantized, for cross-checks).")
    String engine;

    @Option(names = "--activations", defaultValue = "fp16", description = "fp16 (default) or fp32 activations.")
    String activations;

    ActivationPrecision precision() {
        return ActivationPrecision.parse(activations);
    }
}
