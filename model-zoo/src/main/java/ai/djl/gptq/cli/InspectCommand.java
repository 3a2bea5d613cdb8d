package ai.djl.gptq.cli;

import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.CheckpointInspector;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code inspect}: what a checkpoint folder holds, without loading its weights. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a model folder's architecture, quantization and sizes.")
final class InspectCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Checkpoint folder.")
    Path model;

    @Override
    public Integer call() {
        System.out.println(CheckpointInspector.describe(CheckpointFolder.open(model)));
        return 0;
    }
}
