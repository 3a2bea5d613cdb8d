package ai.djl.gptq.format;

import java.nio.file.Path;

/** Tensors that are individually well-formed but do not fit together: a missing tensor, or qweight, qzeros, scales, g_idx shapes or values inconsistent with the bits, group size or model config. */
public class InconsistentWeightsException extends CheckpointException {

    private static final long serialVersionUID = 1L;

    public InconsistentWeightsException(Path file, String item, String problem) {
        super(file, item, problem);
    }

    public InconsistentWeightsException(Path file, String item, String problem, Throwable cause) {
        super(file, item, problem, cause);
    }
}
