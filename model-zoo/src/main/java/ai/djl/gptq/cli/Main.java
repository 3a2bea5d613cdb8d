package ai.djl.gptq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/djl-gptq}: run, inspect and check GPTQ/AWQ checkpoints from the command line. Errors print one
 * line naming the file and the problem and exit non-zero; {@code --verbose} adds the stack trace.
 */
@Command(
        name = "djl-gptq",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Run GPTQ and AWQ quantized language models in pure Java (a DJL engine).",
        subcommands = {
            GenerateCommand.class,
            ChatCommand.class,
            LogitsCommand.class,
            CompareCommand.class,
            InspectCommand.class,
            ListCommand.class,
            DownloadCommand.class,
            SynthCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(s -> s.hasMatchedOption("--verbose"));
            if (verbose) {
                e.printStackTrace(commandLine.getErr());
            } else {
                commandLine.getErr().println("djl-gptq: " + oneLine(e));
            }
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cli.execute(args);
    }

    /** The message of the exception that best explains the failure, on one line. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replace('\n', ' ').strip();
    }

    /** The version from the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"djl-gptq " + (v == null ? "development" : v)};
        }
    }
}
