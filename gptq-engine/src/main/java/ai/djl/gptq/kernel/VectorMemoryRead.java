package ai.djl.gptq.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector read loop of {@link MemoryBandwidth}, in its own class so that it is only loaded when the
 * {@code jdk.incubator.vector} module is present. Integer adds keep the loop limited by loads, not by
 * floating-point latency.
 */
final class VectorMemoryRead {

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    private VectorMemoryRead() {}

    static double sum(MemorySegment segment, long start, long length) {
        long step = I.vectorByteSize();
        IntVector a0 = IntVector.zero(I);
        IntVector a1 = a0;
        IntVector a2 = a0;
        IntVector a3 = a0;
        long end = start + length - 4 * step;
        long i = start;
        for (; i <= end; i += 4 * step) {
            a0 = a0.add(IntVector.fromMemorySegment(I, segment, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(IntVector.fromMemorySegment(I, segment, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(IntVector.fromMemorySegment(I, segment, i + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(IntVector.fromMemorySegment(I, segment, i + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        for (; i + step <= start + length; i += step) {
            a0 = a0.add(IntVector.fromMemorySegment(I, segment, i, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanesToLong(VectorOperators.ADD);
    }
}
