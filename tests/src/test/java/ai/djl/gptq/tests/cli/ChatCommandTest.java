package ai.djl.gptq.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chat}: the model's template applied to each turn, with the history kept, and JSON messages on stdin. */
class ChatCommandTest {

    private static final Path QWEN = Path.of("src/test/resources/fixtures/models/qwen2-gptq-int4");

    /** A copy of the fixture whose tokenizer_config.json carries a small, recognizable template. */
    private static Path withTemplate(Path dir) throws Exception {
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(QWEN.resolve(f), dir.resolve(f));
        }
        JsonObject tokenizerConfig = JsonParser.parseString(Files.readString(QWEN.resolve("tokenizer_config.json"))).getAsJsonObject();
        tokenizerConfig.addProperty("chat_template",
                "{% for m in messages %}{{ '### ' + m['role'] + ':\\n' + m['content'] + '\\n' }}{% endfor %}"
                        + "{% if add_generation_prompt %}{{ '### assistant:\\n' }}{% endif %}");
        Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig.toString());
        return dir;
    }

    /** The greedy continuation of {@code prompt}, as {@code generate} prints it without the prompt. */
    private static String continuation(Path model, String prompt) {
        CliRun r = CliRun.withInput("", "generate", "--model", model.toString(), "--greedy", "--max-new-tokens", "4", prompt);
        assertEquals(0, r.exitCode(), r.err());
        String printed = r.out().substring(0, r.out().length() - System.lineSeparator().length());
        assertTrue(printed.startsWith(prompt), printed);
        return printed.substring(prompt.length());
    }

    @Test
    void eachLineIsAUserTurnAndTheHistoryIsKept(@TempDir Path dir) throws Exception {
        Path model = withTemplate(dir);
        CliRun r = CliRun.withInput("def add(a, b):\nimport os\n", "chat", "--model", model.toString(),
                "--max-new-tokens", "4", "--system", "be brief");
        assertEquals(0, r.exitCode(), r.err());
        String first = "### system:\nbe brief\n### user:\ndef add(a, b):\n### assistant:\n";
        String firstReply = continuation(model, first);
        assertTrue(r.out().startsWith(firstReply + System.lineSeparator()), r.out());
        String second = first + firstReply + "\n### user:\nimport os\n### assistant:\n";
        assertEquals(firstReply + System.lineSeparator() + continuation(model, second) + System.lineSeparator(), r.out());
    }

    @Test
    void jsonMessagesOnStdinAreAnsweredOnce(@TempDir Path dir) throws Exception {
        Path model = withTemplate(dir);
        String json = " [{\"role\": \"user\", \"content\": \"class Stack:\"}, {\"role\": \"assistant\", \"content\": \"pass\"},"
                + " {\"role\": \"user\", \"content\": \"def pop(self):\"}]";
        CliRun r = CliRun.withInput(json, "chat", "--model", model.toString(), "--max-new-tokens", "4");
        assertEquals(0, r.exitCode(), r.err());
        String expected = continuation(model, "### user:\nclass Stack:\n### assistant:\npass\n### user:\ndef pop(self):\n### assistant:\n");
        assertEquals(expected + System.lineSeparator(), r.out());
    }

    @Test
    void aModelWithoutTemplateFailsOnOneLine() {
        CliRun r = CliRun.withInput("hello\n", "chat", "--model", QWEN.toString());
        assertNotEquals(0, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("chat_template") && r.err().contains("tokenizer_config.json"), r.err());
    }

    @Test
    void malformedJsonMessagesFailOnOneLine(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.withInput("[{\"role\": \"user\"}]", "chat", "--model", withTemplate(dir).toString());
        assertNotEquals(0, r.exitCode());
        assertTrue(r.err().contains("message 0"), r.err());
    }
}
