package ai.djl.gptq.cli;

import ai.djl.gptq.zoo.IndexEntry;
import ai.djl.gptq.zoo.ModelIndex;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code list}: the models of the djl-gptq zoo index. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the known GPTQ/AWQ models of the zoo index.")
final class ListCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.printf("%-55s %-18s %-5s %4s %6s %8s %9s%n", "MODEL", "ARCHITECTURE", "METHOD", "BITS", "GROUP", "PARAMS", "SIZE");
        for (IndexEntry e : ModelIndex.builtIn().entries()) {
            System.out.printf("%-55s %-18s %-5s %4d %6d %7.1fB %7.2fGB%n", e.id(), e.architecture(), e.method(), e.bits(),
                    e.groupSize(), e.parameters() / 1e9, e.approxBytes() / 1e9);
        }
        return 0;
    }
}
