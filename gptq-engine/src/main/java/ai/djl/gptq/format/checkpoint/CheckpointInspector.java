package ai.djl.gptq.format.checkpoint;

import ai.djl.gptq.format.CheckpointException;
import ai.djl.gptq.format.safetensors.TensorSource;
import java.nio.file.Path;

/** Describes a model folder: architecture, shape, quantization and the weights on disk (the {@code inspect} command). */
public final class CheckpointInspector {

    private static final String QWEIGHT = ".qweight";

    private CheckpointInspector() {}

    /** A multi-line {@code key: value} description; opens the weights to count tensors and quantized layers. */
    public static String describe(CheckpointFolder folder) {
        int tensors;
        int quantizedLayers = 0;
        try (TensorSource weights = folder.openWeights()) {
            tensors = weights.names().size();
            for (String name : weights.names()) {
                if (name.endsWith(QWEIGHT)) {
                    quantizedLayers++;
                }
            }
        }
        ModelConfig c = folder.config();
        QuantizationConfig q = folder.quantization();
        StringBuilder sb = new StringBuilder();
        line(sb, "folder", folder.dir());
        line(sb, "architecture", c.architecture() + " (" + c.modelType() + ")");
        line(sb, "layers", c.numLayers());
        line(sb, "hidden size", c.hiddenSize());
        line(sb, "intermediate size", c.intermediateSize());
        line(sb, "heads", c.numHeads() + " (kv " + c.numKvHeads() + ", head dim " + c.headDim() + ")");
        line(sb, "vocab size", c.vocabSize());
        line(sb, "dtype", c.dtype());
        line(sb, "quantization method", q.method());
        if (q.method() != QuantMethod.NONE) {
            LayerQuantization d = q.defaults();
            line(sb, "bits", d.bits());
            line(sb, "group size", d.groupSize());
            line(sb, "desc_act", d.descAct());
            line(sb, "sym", d.sym());
            if (q.method() == QuantMethod.AWQ) {
                line(sb, "zero_point", d.zeroPoint());
            }
            line(sb, "format", d.format());
            line(sb, "lm_head", q.lmHeadQuantized() ? "quantized" : "dense");
            line(sb, "quantization config", q.source());
        }
        line(sb, "quantized layers", quantizedLayers);
        line(sb, "tensors", tensors);
        line(sb, "weight files", folder.weightFiles().size());
        line(sb, "bytes on disk", folder.bytesOnDisk());
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, Object value) {
        sb.append(key).append(": ").append(value).append('\n');
    }

    /** Prints the description of the model folder named by the only argument. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: CheckpointInspector <model folder>");
            System.exit(2);
        }
        try {
            System.out.print(describe(CheckpointFolder.open(Path.of(args[0]))));
        } catch (CheckpointException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
