package ai.djl.gptq.format;

import java.nio.file.Path;

/** A well-formed checkpoint that uses something this engine does not support (an architecture, a bit width, a quantization method or format); the message says what is supported. */
public class UnsupportedCheckpointException extends CheckpointException {

    private static final long serialVersionUID = 1L;

    public UnsupportedCheckpointException(Path file, String item, String problem) {
        super(file, item, problem);
    }

    public UnsupportedCheckpointException(Path file, String item, String problem, Throwable cause) {
        super(file, item, problem, cause);
    }
}
