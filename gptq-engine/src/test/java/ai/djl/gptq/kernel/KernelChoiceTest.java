package ai.djl.gptq.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Kernel selection with and without the incubator module, and the pool's threads. */
class KernelChoiceTest {

    @Test
    void vectorKernelIsSelectedWithTheModuleOnThisMachine() {
        // The build runs tests with the incubator module; on an AVX2 or AVX-512 CPU the vector kernel must be chosen.
        if (jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256) {
            assertTrue(Kernels.vectorized());
        }
    }

    @Test
    void scalarKernelRunsWithoutTheIncubatorModule() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KernelChoiceProbe.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        String[] lines = output.strip().split("\n");
        assertEquals("scalar", lines[lines.length - 2].strip(), output);
        StringBuilder expected = new StringBuilder();
        for (float v : KernelChoiceProbe.run(Kernels.scalar())) {
            expected.append(Float.floatToRawIntBits(v)).append(' ');
        }
        assertEquals(expected.toString().trim(), lines[lines.length - 1].strip(), "scalar kernel results in a JVM without the module");
    }

    @Test
    void poolThreadsAreDaemons() {
        ComputePool.shared().run(64, 1, (from, to) -> { });
        long workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("gptq-compute-"))
                .peek(t -> assertTrue(t.isDaemon(), t.getName() + " is not a daemon thread"))
                .count();
        assertEquals(ComputePool.shared().parallelism() - 1, workers);
    }

    @Test
    void bandwidthProbeReadsItsBuffer() {
        try (MemoryBandwidth probe = MemoryBandwidth.allocate(64L << 20)) {
            assertEquals(64L << 20, probe.bytes());
            double whole = probe.read();
            double slices = 0;
            for (int i = 0; i < 4; i++) {
                slices += probe.readSlice(16L << 20);
            }
            assertEquals(whole, slices, Math.abs(whole) * 1e-12, "four 16 MiB slices cover the 64 MiB buffer once");
            double gbPerSecond = probe.measure(2);
            assertTrue(gbPerSecond > 0.1 && gbPerSecond < 10_000, gbPerSecond + " GB/s");
        }
    }
}
