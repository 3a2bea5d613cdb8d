package ai.djl.gptq.tests.readme;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java snippets compile against the project, and those that need no network run: each becomes the
 * body of a {@code main} method, with the imports a reader would add.
 */
class ReadmeSnippetsTest {

    private static final Path README = Path.of("../README.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    /** The README's example hub model; runs use the bundled model instead, which the zoo serves offline. */
    private static final String HUB_NAME = "\"Qwen/Qwen2.5-0.5B-Instruct-GPTQ-Int4\"";
    private static final List<String> IMPORTS = List.of(
            "ai.djl.inference.Predictor",
            "ai.djl.repository.zoo.Criteria",
            "ai.djl.repository.zoo.ZooModel",
            "ai.djl.gptq.zoo.DefaultModel",
            "ai.djl.gptq.chat.*",
            "ai.djl.gptq.generate.*",
            "ai.djl.gptq.model.*",
            "ai.djl.gptq.translator.*",
            "java.nio.file.*",
            "java.util.*");

    private record Snippet(String className, String body, boolean offline) {

        String source() {
            StringBuilder s = new StringBuilder();
            IMPORTS.forEach(i -> s.append("import ").append(i).append(";\n"));
            return s.append("public class ").append(className)
                    .append(" {\n    public static void main(String[] args) throws Exception {\n")
                    .append(body)
                    .append("\n    }\n}\n")
                    .toString();
        }
    }

    private static List<Snippet> snippets() throws IOException {
        Matcher m = JAVA_BLOCK.matcher(Files.readString(README, StandardCharsets.UTF_8));
        List<Snippet> snippets = new ArrayList<>();
        while (m.find()) {
            String body = m.group(1).replace(HUB_NAME, "DefaultModel.ARTIFACT_ID");
            // Anything still naming the hub would download: compile it, do not run it.
            boolean offline = !body.contains("hf://") && !body.matches("(?s).*\"[\\w.-]+/[\\w.-]+\".*");
            snippets.add(new Snippet("ReadmeSnippet" + snippets.size(), body, offline));
        }
        return snippets;
    }

    /** The test class path as entries: surefire may hand the JVM one jar whose manifest lists them. */
    private static String classPath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(entry);
            if (entry.endsWith(".jar") && Path.of(entry).getFileName().toString().startsWith("surefirebooter")) {
                try (JarFile jar = new JarFile(entry)) {
                    Manifest manifest = jar.getManifest();
                    String listed = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                    if (listed != null) {
                        for (String url : listed.split(" ")) {
                            if (!url.isBlank()) {
                                entries.add(Path.of(java.net.URI.create(url)).toString());
                            }
                        }
                    }
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    @Test
    void javaSnippetsCompileAndTheOfflineOnesRun(@TempDir Path dir) throws Exception {
        List<Snippet> snippets = snippets();
        assertTrue(snippets.size() >= 3, "the README's Java snippets: " + snippets.size());
        assertTrue(snippets.stream().anyMatch(s -> !s.offline()) && snippets.stream().anyMatch(Snippet::offline),
                "both a snippet that runs offline and one that only compiles");
        assertTrue(snippets.get(0).body().contains("DefaultModel.ARTIFACT_ID"), "the zoo snippet runs the bundled model");

        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<Path> files = new ArrayList<>();
        for (Snippet s : snippets) {
            files.add(Files.writeString(sources.resolve(s.className() + ".java"), s.source()));
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        boolean compiled;
        try (StandardJavaFileManager fm = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            compiled = compiler.getTask(log, fm, diagnostics,
                    List.of("-classpath", classPath(), "-d", classes.toString(), "-proc:none"),
                    null, fm.getJavaFileObjectsFromPaths(files)).call();
        }
        assertTrue(compiled, () -> log + diagnostics.getDiagnostics().toString());

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            for (Snippet s : snippets) {
                if (s.offline()) {
                    String out = runMain(loader.loadClass(s.className()));
                    assertFalse(out.isBlank(), s.className() + " printed nothing:\n" + s.body());
                }
            }
        }
    }

    @Test
    void theFirstCommandOfTheQuickStartIsTheBundledModel() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        assertTrue(readme.contains("bin/djl-gptq generate \"def fibonacci(n):\""), "quick start");
    }

    private static String runMain(Class<?> snippet) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            snippet.getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException e) {
            throw new AssertionError(snippet.getSimpleName() + " failed: " + e.getCause(), e.getCause());
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
