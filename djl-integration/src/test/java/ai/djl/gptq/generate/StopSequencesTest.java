package ai.djl.gptq.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopSequencesTest {

    @Test
    void findsEarliestStop() {
        StopSequences stops = new StopSequences(List.of("\n\n", "END"));
        assertEquals(3, stops.find("abcEND x\n\n"));
        assertEquals(-1, stops.find("abc\nEN"));
    }

    @Test
    void holdsBackAPossibleStopPrefix() {
        StopSequences stops = new StopSequences(List.of("END"));
        assertEquals(3, stops.safeLength("abcEN"));
        assertEquals(4, stops.safeLength("abcdE"));
        assertEquals(5, stops.safeLength("abcde"));
    }
}
