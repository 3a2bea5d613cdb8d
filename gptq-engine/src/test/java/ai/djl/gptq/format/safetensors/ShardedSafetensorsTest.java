package ai.djl.gptq.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.gptq.format.InconsistentWeightsException;
import ai.djl.gptq.format.InvalidConfigException;
import ai.djl.gptq.format.MalformedSafetensorsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShardedSafetensorsTest {

    @TempDir
    Path dir;

    private Path model;
    private Path index;

    @BeforeEach
    void twoShards() throws IOException {
        model = Files.createDirectories(dir.resolve("model"));
        index = model.resolve("model.safetensors.index.json");
        new SafetensorsWriter().addInts("a", new long[] {2}, new int[] {1, 2}).addInts("c", new long[] {1}, new int[] {3}).write(model.resolve("s-1.safetensors"));
        new SafetensorsWriter().addInts("b", new long[] {1}, new int[] {4}).write(model.resolve("s-2.safetensors"));
        new SafetensorsWriter().addInts("x", new long[] {1}, new int[] {5}).write(dir.resolve("outside.safetensors"));
    }

    private void index(String weightMap) throws IOException {
        Files.writeString(index, "{\"metadata\":{\"total_size\":16},\"weight_map\":" + weightMap + "}");
    }

    @Test
    void resolvesTensorsAcrossShards() throws IOException {
        index("{\"a\":\"s-1.safetensors\",\"b\":\"s-2.safetensors\",\"c\":\"s-1.safetensors\"}");
        ShardedSafetensors s = ShardedSafetensors.open(index);
        Tensor b;
        try (s) {
            assertEquals(List.of(model.resolve("s-1.safetensors"), model.resolve("s-2.safetensors")), s.files());
            assertEquals(Set.of("a", "b", "c"), s.names());
            assertEquals(index, s.path());
            assertEquals(2, s.tensor("a").getInt(1));
            assertEquals(3, s.tensor("c").getInt(0));
            b = s.tensor("b");
            assertEquals(4, b.getInt(0));
            assertEquals(model.resolve("s-2.safetensors"), b.file());
            assertEquals(16, s.dataBytes());
            assertEquals(DType.I32, s.info("a").dtype());
            assertNull(s.info("nope"));
            InconsistentWeightsException missing = assertThrows(InconsistentWeightsException.class, () -> s.tensor("nope"));
            assertEquals(index, missing.file());
            assertTrue(missing.getMessage().startsWith(index + ": 'nope'"), missing.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> b.getInt(0));
        assertThrows(IllegalStateException.class, () -> s.tensor("a"));
    }

    @Test
    void tensorSourcesOpensAnIndexByName() throws IOException {
        index("{\"a\":\"s-1.safetensors\",\"b\":\"s-2.safetensors\",\"c\":\"s-1.safetensors\"}");
        try (TensorSource s = TensorSources.open(index)) {
            assertInstanceOf(ShardedSafetensors.class, s);
            assertEquals(4, s.tensor("b").getInt(0));
        }
    }

    @Test
    void acceptsSubfoldersLinksInsideAndTwoSpellingsOfOneShard() throws IOException {
        Path sub = Files.createDirectories(model.resolve("sub"));
        Files.move(model.resolve("s-2.safetensors"), sub.resolve("s-2.safetensors"));
        Files.createSymbolicLink(model.resolve("alias.safetensors"), model.resolve("s-1.safetensors"));
        index("{\"a\":\"s-1.safetensors\",\"c\":\"./alias.safetensors\",\"b\":\"sub/../sub/s-2.safetensors\"}");
        try (ShardedSafetensors s = ShardedSafetensors.open(index)) {
            assertEquals(2, s.files().size());
            assertEquals(3, s.tensor("c").getInt(0));
            assertEquals(4, s.tensor("b").getInt(0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ../ escape         | {"a":"../outside.safetensors"}                           | ../outside.safetensors    | escapes the model folder
            nested escape      | {"a":"sub/../../outside.safetensors"}                    | sub/../../outside.safetensors | escapes the model folder
            absolute path      | {"a":"/etc/passwd"}                                      | /etc/passwd               | must be relative
            empty name         | {"a":""}                                                 | ''                        | must be relative
            missing shard      | {"a":"gone.safetensors"}                                 | gone.safetensors          | shard file is missing
            folder as shard    | {"a":"."}                                                | .                         | shard file is missing
            name not a string  | {"a":1}                                                  | a                         | not a string
            listed twice       | {"a":"s-1.safetensors","a":"s-2.safetensors"}            | a                         | listed twice
            empty weight_map   | {}                                                       | weight_map                | is empty
            weight_map array   | []                                                       | weight_map                | not an object
            """)
    void refusesIndexProblemsNamingTheIndex(String label, String weightMap, String item, String problem) throws IOException {
        index(weightMap);
        assertIndexRefused(label, item, problem);
    }

    @Test
    void refusesLinksLeadingOutOfTheFolder() throws IOException {
        Files.createSymbolicLink(model.resolve("link.safetensors"), dir.resolve("outside.safetensors"));
        index("{\"x\":\"link.safetensors\"}");
        assertIndexRefused("file link", "link.safetensors", "link to a file outside the model folder");
        Files.createSymbolicLink(model.resolve("linked-dir"), dir);
        index("{\"x\":\"linked-dir/outside.safetensors\"}");
        assertIndexRefused("folder link", "linked-dir/outside.safetensors", "outside the model folder");
    }

    @Test
    void refusesMalformedIndexFiles() throws IOException {
        Files.writeString(index, "not json");
        assertIndexRefused("not JSON", null, "not valid JSON");
        Files.writeString(index, "{\"weight_map\":{\"a\":\"s-1.safetensors\"}} trailing");
        assertIndexRefused("trailing garbage", null, "not valid JSON");
        Files.writeString(index, "[]");
        assertIndexRefused("array", null, "not a JSON object");
        Files.writeString(index, "{\"metadata\":{}}");
        assertIndexRefused("no weight_map", "weight_map", "missing");
        Files.writeString(index, "{\"weight_map\":{\"a\":\"s-1.safetensors\"},\"weight_map\":{\"b\":\"s-2.safetensors\"}}");
        assertIndexRefused("two weight_maps", "weight_map", "appears twice");
        Files.delete(index);
        assertIndexRefused("absent", null, "file not found");
    }

    private void assertIndexRefused(String label, String item, String problem) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ShardedSafetensors.open(index), label);
        assertEquals(index, e.file(), label);
        assertEquals(item, e.item(), label + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith(index.toString()), label + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), label + ": " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), label + ": " + e.getMessage());
    }

    @Test
    void refusesShardsThatDisagreeWithTheIndex() throws IOException {
        index("{\"a\":\"s-1.safetensors\",\"c\":\"s-1.safetensors\",\"b\":\"s-2.safetensors\",\"d\":\"s-2.safetensors\"}");
        assertInconsistent("s-2.safetensors", "d", "absent from this shard");

        index("{\"a\":\"s-1.safetensors\",\"b\":\"s-2.safetensors\"}");
        assertInconsistent("s-1.safetensors", "c", "not listed in model.safetensors.index.json");

        new SafetensorsWriter().addInts("b", new long[] {1}, new int[] {4}).addInts("c", new long[] {1}, new int[] {3}).write(model.resolve("s-2.safetensors"));
        index("{\"a\":\"s-1.safetensors\",\"c\":\"s-1.safetensors\",\"b\":\"s-2.safetensors\"}");
        assertInconsistent("s-2.safetensors", "c", "present in two shards (also s-1.safetensors)");
    }

    private void assertInconsistent(String shard, String tensor, String problem) {
        InconsistentWeightsException e = assertThrows(InconsistentWeightsException.class, () -> ShardedSafetensors.open(index));
        assertEquals(model.resolve(shard), e.file());
        assertEquals(tensor, e.item());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void aMalformedShardIsNamedAndTheShardsOpenedBeforeAreUnmapped() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        assumeTrue(Files.isReadable(maps), "needs /proc/self/maps to see mappings");
        Files.write(model.resolve("s-2.safetensors"), new byte[] {1, 2, 3});
        index("{\"a\":\"s-1.safetensors\",\"c\":\"s-1.safetensors\",\"b\":\"s-2.safetensors\"}");
        Path first = model.resolve("s-1.safetensors").toRealPath();
        try (SafetensorsFile open = SafetensorsFile.open(first)) {
            assertTrue(Files.readString(maps).contains(first.toString()), "an open shard shows in /proc/self/maps");
        }
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class, () -> ShardedSafetensors.open(index));
        assertEquals(model.resolve("s-2.safetensors"), e.file());
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        assertTrue(!Files.readString(maps).contains(first.toString()), "s-1 must be unmapped after the failed open");
    }
}
