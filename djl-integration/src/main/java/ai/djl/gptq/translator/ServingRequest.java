package ai.djl.gptq.translator;

import ai.djl.gptq.chat.ChatMessage;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of a DJL Serving text-generation request: {@code {"inputs": "text" | [{"role": .., "content": ..}],
 * "parameters": {...}, "stream": false}}. A body that is not JSON is taken as the prompt itself.
 *
 * @param prompt the prompt text, or {@code null} when {@code messages} is given
 * @param messages a conversation to render with the chat template, or {@code null}
 * @param parameters generation parameters of this request
 * @param stream whether to answer with a stream of JSON lines
 */
record ServingRequest(String prompt, List<ChatMessage> messages, Map<String, Object> parameters, boolean stream) {

    static ServingRequest parse(String body) {
        JsonElement json;
        try {
            json = JsonParser.parseString(body);
        } catch (JsonParseException e) {
            return new ServingRequest(body, null, Map.of(), false);
        }
        if (!json.isJsonObject()) {
            if (json.isJsonPrimitive() && json.getAsJsonPrimitive().isString()) {
                return new ServingRequest(json.getAsString(), null, Map.of(), false);
            }
            throw new IllegalArgumentException("request must be a JSON object with 'inputs', or plain text");
        }
        JsonObject object = json.getAsJsonObject();
        JsonElement inputs = object.get("inputs");
        if (inputs == null) {
            throw new IllegalArgumentException("request has no 'inputs'");
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        JsonElement params = object.get("parameters");
        if (params != null && params.isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : params.getAsJsonObject().entrySet()) {
                parameters.put(e.getKey(), plain(e.getValue()));
            }
        } else if (params != null && !params.isJsonNull()) {
            throw new IllegalArgumentException("'parameters' must be a JSON object");
        }
        boolean stream = object.has("stream") && object.get("stream").isJsonPrimitive() && object.get("stream").getAsBoolean();
        if (inputs.isJsonPrimitive() && inputs.getAsJsonPrimitive().isString()) {
            return new ServingRequest(inputs.getAsString(), null, parameters, stream);
        }
        if (inputs.isJsonArray()) {
            return new ServingRequest(null, messages(inputs.getAsJsonArray()), parameters, stream);
        }
        throw new IllegalArgumentException("'inputs' must be a string or a list of {role, content} messages");
    }

    private static List<ChatMessage> messages(JsonArray array) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonElement m : array) {
            if (!m.isJsonObject() || !m.getAsJsonObject().has("role") || !m.getAsJsonObject().has("content")) {
                throw new IllegalArgumentException("each message needs 'role' and 'content', got " + m);
            }
            out.add(new ChatMessage(m.getAsJsonObject().get("role").getAsString(), m.getAsJsonObject().get("content").getAsString()));
        }
        return out;
    }

    private static Object plain(JsonElement v) {
        if (v.isJsonNull()) {
            return null;
        }
        if (v.isJsonArray()) {
            List<Object> list = new ArrayList<>();
            v.getAsJsonArray().forEach(x -> list.add(plain(x)));
            return list;
        }
        if (v.isJsonPrimitive()) {
            JsonPrimitive p = v.getAsJsonPrimitive();
            return p.isNumber() ? p.getAsNumber() : p.isBoolean() ? p.getAsBoolean() : p.getAsString();
        }
        return v.toString();
    }
}
