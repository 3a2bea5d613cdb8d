package ai.djl.gptq.translator;

import ai.djl.gptq.chat.Chat;

/** {@code Predictor<Chat, String>}: a conversation rendered with the model's chat template in, the assistant's reply out. */
public final class ChatTranslator extends PromptTranslator<Chat, String> {

    public ChatTranslator(TextModel model) {
        super(model);
    }

    @Override
    String prompt(Chat chat) {
        return model.renderChat(chat.messages());
    }

    @Override
    String generate(int[] promptIds) {
        return model.generator().generate(promptIds, model.defaults()).text();
    }
}
