package ai.djl.gptq.format;

import java.nio.file.Path;

/** A missing, unreadable or inconsistent `config.json`, `quantize_config.json`, `generation_config.json` or shard index. */
public class InvalidConfigException extends CheckpointException {

    private static final long serialVersionUID = 1L;

    public InvalidConfigException(Path file, String item, String problem) {
        super(file, item, problem);
    }

    public InvalidConfigException(Path file, String item, String problem, Throwable cause) {
        super(file, item, problem, cause);
    }
}
