package ai.djl.gptq.cli;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Token id lists as the command line reads ({@code 1,2,3}) and prints ({@code [1, 2, 3]}) them. */
final class TokenIds {

    private TokenIds() {}

    static int[] parse(String list) {
        String[] parts = list.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--ids: '" + parts[i].trim() + "' is not a token id (expected e.g. 1,2,3)");
            }
        }
        return ids;
    }

    static String json(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
