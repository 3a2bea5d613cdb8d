package ai.djl.gptq.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class IncrementalDecoderTest {

    /** A byte-level "tokenizer": each token is one byte; decoding replaces broken UTF-8 with U+FFFD, as HF does. */
    private static final Function<long[], String> BYTES = ids -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long id : ids) {
            out.write((int) id);
        }
        return out.toString(StandardCharsets.UTF_8);
    };

    @Test
    void neverEmitsBrokenCharacters() {
        String text = "héllo 🙂 世界!";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        IncrementalDecoder decoder = new IncrementalDecoder(BYTES);
        StringBuilder streamed = new StringBuilder();
        for (byte b : bytes) {
            String piece = decoder.add(b & 0xff);
            assertFalse(piece.contains("\uFFFD"), "broken character emitted: " + piece);
            streamed.append(piece);
        }
        streamed.append(decoder.flush());
        assertEquals(text, streamed.toString());
    }

    @Test
    void flushEmitsTrailingIncompleteBytesAsDecoded() {
        IncrementalDecoder decoder = new IncrementalDecoder(BYTES);
        assertEquals("a", decoder.add('a'));
        assertEquals("", decoder.add(0xe4));
        assertEquals("\uFFFD", decoder.flush());
    }
}
