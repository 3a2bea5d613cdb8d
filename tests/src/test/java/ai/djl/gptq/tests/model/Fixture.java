package ai.djl.gptq.tests.model;

import ai.djl.gptq.format.safetensors.SafetensorsFile;
import java.nio.file.Path;

/** The six fixture checkpoints and their transformers reference outputs (see fixtures/README.md). */
enum Fixture {
    LLAMA_GPTQ_INT4("llama-gptq-int4"),
    LLAMA_GPTQ_INT4_ACTORDER("llama-gptq-int4-actorder"),
    QWEN2_GPTQ_INT4("qwen2-gptq-int4"),
    QWEN2_GPTQ_INT8("qwen2-gptq-int8"),
    LLAMA_AWQ_INT4("llama-awq-int4"),
    QWEN2_AWQ_INT4("qwen2-awq-int4");

    static final Path ROOT = Path.of("src/test/resources/fixtures");

    private final String variant;

    Fixture(String variant) {
        this.variant = variant;
    }

    Path folder() {
        return ROOT.resolve("models").resolve(variant);
    }

    /** Prompt {@code prompt} (0 or 1) of the reference file. */
    Reference reference(int prompt) {
        try (SafetensorsFile file = SafetensorsFile.open(ROOT.resolve("reference").resolve(variant + ".safetensors"))) {
            String p = "p" + prompt + ".";
            return new Reference(
                    file.tensor(p + "input_ids").toIntArray(),
                    file.tensor(p + "logits").toFloatArray(),
                    file.tensor(p + "generated_ids").toIntArray(),
                    file.tensor(p + "margins").toFloatArray());
        }
    }

    @Override
    public String toString() {
        return variant;
    }
}
