package ai.djl.gptq.chat;

/** A conversation that a chat template refused (its {@code raise_exception}) or could not render. */
public class ChatTemplateException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
