package ai.djl.gptq.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code download}: fetch a hub repository's model files into the cache and print the folder. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = "Download a hub model (owner/name[@revision] or hf://...) into DJL's cache; print its folder.")
final class DownloadCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
        Path dir = LoadedModel.locate(name);
        System.out.println(dir);
        return 0;
    }
}
