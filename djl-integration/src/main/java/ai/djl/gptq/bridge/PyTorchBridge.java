package ai.djl.gptq.bridge;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.model.CausalLmBlock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs a checkpoint folder on DJL's PyTorch engine, offline: the same checkpoint the GPTQ engine runs packed,
 * dequantized once into PyTorch tensors and computed by the generic NDArray implementation of the same decoder.
 * Used to cross-check the GPTQ engine and by {@code --engine PyTorch}.
 */
public final class PyTorchBridge {

    /** The DJL engine name of PyTorch. */
    public static final String ENGINE = "PyTorch";

    private PyTorchBridge() {}

    /** Whether DJL's PyTorch engine (and its native library) is on the class path. */
    public static boolean isAvailable() {
        return Engine.hasEngine(ENGINE);
    }

    /**
     * Loads {@code dir} as a DJL model of the PyTorch engine whose block is a {@link CausalLmBlock}; closing the
     * model frees the tensors.
     *
     * @throws ai.djl.gptq.format.CheckpointException when the checkpoint is invalid or unsupported
     * @throws IllegalStateException when the PyTorch engine is not on the class path
     */
    public static Model load(Path dir, ActivationPrecision precision) {
        if (!isAvailable()) {
            throw new IllegalStateException("the PyTorch engine is not on the class path: add ai.djl.pytorch:"
                    + "pytorch-engine, pytorch-jni and pytorch-native-cpu");
        }
        Model model = Model.newInstance(dir.getFileName().toString(), Device.cpu(), ENGINE);
        try {
            Map<String, String> arguments = Map.of(ActivationPrecision.OPTION, precision.toString());
            model.setBlock(new DequantizedBlockFactory().newBlock(model, dir, arguments));
            model.load(dir, null, Map.of("hasParameter", "false"));
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("PyTorch could not take the block of " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The Java API of a model {@link #load} returned. */
    public static CausalLanguageModel languageModel(Model model) {
        if (model.getBlock() instanceof CausalLmBlock block) {
            return block.languageModel();
        }
        throw new IllegalArgumentException("model " + model.getName() + " does not hold a decoder block");
    }
}
