package ai.djl.gptq.translator;

import ai.djl.gptq.chat.Chat;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/** {@code Predictor<Chat, String>}: a conversation rendered with the model's chat template in, the assistant's reply out. */
public final class ChatTranslator implements NoBatchifyTranslator<Chat, String> {

    private static final String PROMPT = "gptq.promptIds";

    private final TextModel model;

    public ChatTranslator(TextModel model) {
        this.model = model;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Chat chat) {
        ctx.setAttachment(PROMPT, model.encode(model.renderChat(chat.messages())));
        return new NDList();
    }

    @Override
    public String processOutput(TranslatorContext ctx, NDList list) {
        return model.generator().generate((int[]) ctx.getAttachment(PROMPT), model.defaults()).text();
    }
}
