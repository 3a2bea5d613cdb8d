package ai.djl.gptq.format.safetensors;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.MalformedSafetensorsException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One safetensors file, memory-mapped read-only into a shared {@link Arena} that {@link #close()} releases.
 * The header is validated completely when the file is opened; tensors are zero-copy views of the mapping, so
 * files and tensors beyond 2 GiB work. After close, reading a tensor throws {@link IllegalStateException}
 * rather than touching unmapped memory.
 */
public final class SafetensorsFile implements TensorSource {

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> infos;
    private final Map<String, String> metadata;
    private final long dataBytes;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        Map<String, TensorInfo> map = new LinkedHashMap<>();
        long total = 0;
        for (TensorInfo t : header.tensors) {
            map.put(t.name(), t);
            total += t.byteSize();
        }
        this.infos = Collections.unmodifiableMap(map);
        this.metadata = header.metadata;
        this.dataBytes = total;
    }

    /**
     * Opens and validates {@code file}.
     *
     * @throws MalformedSafetensorsException when the file is not a valid safetensors file (the message names
     *     the file, the tensor and the problem)
     */
    public static SafetensorsFile open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new MalformedSafetensorsException(file, null, "file has " + size + " bytes, too short for a safetensors header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, file);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw new MalformedSafetensorsException(file, null, "header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + SafetensorsHeader.MAX_HEADER_BYTES + " bytes");
            }
            if (headerLength > size - 8) {
                throw new MalformedSafetensorsException(file, null, "header length " + headerLength + " runs past the end of the "
                        + size + "-byte file");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8, file);
            long dataStart = 8 + headerLength;
            SafetensorsHeader header = SafetensorsHeader.parse(file, headerBytes.array(), size - dataStart);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = size == dataStart
                        ? MemorySegment.ofArray(new byte[0])
                        : channel.map(FileChannel.MapMode.READ_ONLY, dataStart, size - dataStart, arena);
                return new SafetensorsFile(file, arena, data, header);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new MalformedSafetensorsException(file, null, "file not found", e);
        } catch (IOException e) {
            throw new MalformedSafetensorsException(file, null, "cannot read: " + e, e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new MalformedSafetensorsException(file, null, "file ended while reading the header");
            }
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Set<String> names() {
        return infos.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        return infos.get(name);
    }

    /** Header entries in file order. */
    public List<TensorInfo> infos() {
        return List.copyOf(infos.values());
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Tensor tensor(String name) {
        TensorInfo info = infos.get(name);
        if (info == null) {
            throw new InconsistentWeightsException(path, name, "no such tensor in this file");
        }
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException(path + ": closed; cannot read tensor '" + name + "'");
        }
        return new Tensor(name, path, info.dtype(), info.shape(), data.asSlice(info.begin(), info.byteSize()));
    }

    @Override
    public long dataBytes() {
        return dataBytes;
    }

    /** Unmaps the file; views obtained before throw {@link IllegalStateException} when read. Idempotent. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return path + " (" + infos.size() + " tensors)";
    }
}
