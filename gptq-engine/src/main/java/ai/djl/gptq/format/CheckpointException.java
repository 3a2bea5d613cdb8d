package ai.djl.gptq.format;

import java.nio.file.Path;

/**
 * Root of the project's exception hierarchy for model files: every problem found in a checkpoint (a
 * safetensors file, a config, a quantized layer) is reported with the file, the item inside it (a tensor or
 * a config key, when there is one) and the problem, so that a user can find and fix the file.
 */
public class CheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String item;
    private final String problem;

    public CheckpointException(Path file, String item, String problem) {
        this(file, item, problem, null);
    }

    public CheckpointException(Path file, String item, String problem, Throwable cause) {
        super(format(file, item, problem), cause);
        this.file = file;
        this.item = item;
        this.problem = problem;
    }

    /** The file that holds the problem (may be a folder for a missing file). */
    public Path file() {
        return file;
    }

    /** The tensor or config key the problem is about, or {@code null}. */
    public String item() {
        return item;
    }

    /** The problem alone, without file and item. */
    public String problem() {
        return problem;
    }

    private static String format(Path file, String item, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<unknown file>" : file.toString());
        if (item != null) {
            sb.append(": '").append(item).append('\'');
        }
        return sb.append(": ").append(problem).toString();
    }
}
