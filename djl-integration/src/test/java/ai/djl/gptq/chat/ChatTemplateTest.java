package ai.djl.gptq.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {

    private static final Path QWEN = Path.of("src/test/resources/chat/qwen2.5-tokenizer_config.json");

    @Test
    void rendersQwenTemplateExactlyAsTransformers() throws Exception {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(QWEN).orElseThrow();
        String text = template.render(List.of(ChatMessage.user("Write a haiku.")), true);
        assertEquals(
                "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nWrite a haiku.<|im_end|>\n"
                        + "<|im_start|>assistant\n",
                text);
    }

    @Test
    void systemMessageReplacesDefaultAndTurnsAlternate() throws Exception {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(QWEN).orElseThrow();
        String text = template.render(
                List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"), ChatMessage.user("Bye")),
                false);
        assertEquals(
                "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n",
                text);
    }

    @Test
    void llama3StyleTemplateWithBosAndTrim(@TempDir Path dir) throws Exception {
        String source = "{{ bos_token }}{% for message in messages %}"
                + "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
                + "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
        Path config = dir.resolve("tokenizer_config.json");
        Files.writeString(config, "{\"bos_token\": {\"content\": \"<|begin_of_text|>\"}, \"chat_template\": "
                + com.google.gson.JsonParser.parseString("\"\"").toString().replace("\"\"", new com.google.gson.Gson().toJson(source)) + "}");
        String text = ChatTemplate.fromTokenizerConfig(config).orElseThrow().render(List.of(ChatMessage.user("  Hi  ")), true);
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", text);
    }

    @Test
    void raiseExceptionRefusesConversation() {
        ChatTemplate template = new ChatTemplate(
                "{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversation must start with user') }}{% endif %}ok", "", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> template.render(List.of(ChatMessage.assistant("x")), false));
        assertTrue(e.getMessage().contains("Conversation must start with user"), e.getMessage());
        assertEquals("ok", template.render(List.of(ChatMessage.user("x")), false));
    }

    @Test
    void modelWithoutTemplateHasNone(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("tokenizer_config.json");
        Files.writeString(config, "{\"eos_token\": \"<|endoftext|>\"}");
        assertTrue(ChatTemplate.fromTokenizerConfig(config).isEmpty());
    }
}
