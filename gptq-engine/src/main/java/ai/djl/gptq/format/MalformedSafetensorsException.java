package ai.djl.gptq.format;

import java.nio.file.Path;

/** A safetensors file whose header, offsets, shapes or dtypes are invalid or inconsistent with its size. */
public class MalformedSafetensorsException extends CheckpointException {

    private static final long serialVersionUID = 1L;

    public MalformedSafetensorsException(Path file, String item, String problem) {
        super(file, item, problem);
    }

    public MalformedSafetensorsException(Path file, String item, String problem, Throwable cause) {
        super(file, item, problem, cause);
    }
}
