package ai.djl.gptq.format.safetensors;

import java.nio.file.Path;
import java.util.Set;

/**
 * Named tensors of a checkpoint: one safetensors file or a sharded set. Tensors returned are zero-copy views
 * valid until {@link #close()}.
 */
public interface TensorSource extends AutoCloseable {

    /** The file or folder the tensors come from, for messages. */
    Path path();

    /** Names of all tensors. */
    Set<String> names();

    default boolean contains(String name) {
        return names().contains(name);
    }

    /** The header entry of {@code name}, or {@code null} when absent. */
    TensorInfo info(String name);

    /**
     * The tensor {@code name}.
     *
     * @throws ai.djl.gptq.format.InconsistentWeightsException when there is no such tensor
     */
    Tensor tensor(String name);

    /** Total bytes of tensor data. */
    long dataBytes();

    /** Unmaps every file; tensors obtained before become unusable (access throws, never crashes). */
    @Override
    void close();
}
