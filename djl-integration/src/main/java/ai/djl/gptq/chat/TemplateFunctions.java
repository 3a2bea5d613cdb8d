package ai.djl.gptq.chat;

/** Functions that transformers makes available to chat templates. */
public final class TemplateFunctions {

    private TemplateFunctions() {}

    /** {@code raise_exception(message)}: a template's way of refusing a conversation it cannot format. */
    public static String raiseException(String message) {
        throw new ChatTemplateException("chat template refused the messages: " + message, null);
    }
}
