package ai.djl.gptq.bridge;

import ai.djl.Model;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.CausalLanguageModel;
import ai.djl.gptq.model.GptqModel;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the decoder block of a GPTQ, AWQ or dense checkpoint folder for any DJL engine: the weights are
 * dequantized once into NDArrays of the model's manager and run through the generic NDArray implementation.
 * With Criteria option {@code hasParameter=false} this is how DJL's PyTorch engine loads our checkpoints:
 * {@code .optEngine("PyTorch").optArgument("blockFactory", DequantizedBlockFactory.class.getName())
 * .optOption("hasParameter", "false")}; the djl-gptq zoo sets both for every model. On the GPTQ engine it returns no
 * block, so that the engine's own fused block is used. Argument {@value ActivationPrecision#OPTION}: {@code fp32} (default
 * here, the cross-check precision) or {@code fp16}.
 */
public class DequantizedBlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        if (model instanceof GptqModel) {
            // The GPTQ engine builds its own block on the packed weights in GptqModel.load.
            return null;
        }
        Object activations = arguments == null ? null : arguments.get(ActivationPrecision.OPTION);
        ActivationPrecision precision =
                activations == null ? ActivationPrecision.FP32 : ActivationPrecision.parse(activations.toString());
        return CausalLanguageModel.loadDequantized(modelPath, model.getNDManager(), precision).block();
    }
}
