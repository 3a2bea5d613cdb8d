package ai.djl.gptq.chat;

import java.util.List;

/** A conversation to continue: the input of a {@code Predictor<Chat, String>}; the output is the assistant's reply. */
public record Chat(List<ChatMessage> messages) {

    public Chat {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat needs at least one message");
        }
        messages = List.copyOf(messages);
    }

    public static Chat of(ChatMessage... messages) {
        return new Chat(List.of(messages));
    }
}
