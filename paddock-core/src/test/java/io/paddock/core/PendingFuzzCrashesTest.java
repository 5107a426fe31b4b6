package io.paddock.core;


import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the crash inputs that fuzzing found and whose fixes have not landed on this branch,
 * each through the fuzz target that found it: they must no longer throw. They live apart from
 * the fuzz targets' own inputs, under
 * {@code src/test/resources/fuzz-crashes-pending/<fully.qualified.TestClass>/<method>/}, so that
 * {@code mvn verify} stays green until the fix is merged. That directory's README.md lists each
 * input with the request it holds and the top frames of its stack trace.
 *
 * <p>While a crash waits for its fix, mark this class {@code @Disabled} with the reason, so the
 * build stays green and the inputs stay at hand; once the fix is in, move the files into the
 * target's {@code <TestClass>Inputs/<method>/} directory (the fuzz test itself then replays
 * them, which is where they belong for good) and remove the annotation. Nothing is pending
 * today: the null-path crashes that once waited here are fixed and replayed by their target.
 */
class PendingFuzzCrashesTest {
    private static final String ROOT = "fuzz-crashes-pending";

    @TestFactory
    Stream<DynamicTest> pendingCrashInputsNoLongerCrash() throws IOException, URISyntaxException {
        URL root = getClass().getClassLoader().getResource(ROOT);
        if (root == null) {
            return Stream.empty();
        }
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of(root.toURI()))) {
            for (Path file : files.filter(f -> Files.isRegularFile(f) && !f.toString().endsWith(".md")).sorted().toList()) {
                Path method = file.getParent();
                String className = method.getParent().getFileName().toString();
                tests.add(DynamicTest.dynamicTest(className + "." + method.getFileName() + " " + file.getFileName(),
                        () -> replay(className, method.getFileName().toString(), Files.readAllBytes(file))));
            }
        }
        return tests.stream();
    }

    private static void replay(String className, String methodName, byte[] input) throws Throwable {
        Class<?> target = Class.forName(className);
        Method method = target.getDeclaredMethod(methodName, byte[].class);
        method.setAccessible(true);
        var constructor = target.getDeclaredConstructor();
        constructor.setAccessible(true);
        try {
            method.invoke(constructor.newInstance(), (Object) input);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
