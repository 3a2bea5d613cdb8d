package ai.djl.gptq.cli;

import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code logits}: one forward pass over the ids, every position's logits written as a safetensors tensor. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the logits of every position of one forward pass as tensor 'logits' (F32 [T, vocab]) to a safetensors file.")
final class LogitsCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--ids", required = true, description = "Comma-separated token ids, e.g. 1,2,3.")
    String ids;

    @Option(names = "--out", required = true, description = "Output safetensors file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        int[] tokens = TokenIds.parse(ids);
        try (LoadedModel loaded = LoadedModel.open(model)) {
            float[] logits = loaded.lm.logits(tokens);
            new SafetensorsWriter()
                    .metadata("engine", model.engine)
                    .metadata("activations", model.activations)
                    .addFloats("logits", DType.F32, new long[] {tokens.length, loaded.lm.vocabSize()}, logits)
                    .write(out);
        }
        return 0;
    }
}
