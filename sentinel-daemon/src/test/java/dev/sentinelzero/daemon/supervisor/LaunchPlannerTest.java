package dev.sentinelzero.daemon.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sentinelzero.daemon.logs.LogFiles;
import dev.sentinelzero.daemon.process.LaunchSpec;
import dev.sentinelzero.protocol.ErrorCode;
import dev.sentinelzero.protocol.ProcessSpec;
import dev.sentinelzero.protocol.ProtocolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class LaunchPlannerTest {
  private static final Map<String, String> DAEMON_ENV =
      Map.of("PATH", "/daemon/bin", "HOME", "/home/daemon", "LANG", "C.UTF-8", "SHARED", "daemon");

  @TempDir Path tmp;
  private Path cwd;
  private LogFiles logFiles;
  private LaunchPlanner planner;

  @BeforeEach
  void setUp() throws IOException {
    cwd = Files.createDirectory(tmp.resolve("work"));
    logFiles = new LogFiles(tmp.resolve("logs"));
    planner = new LaunchPlanner(DAEMON_ENV, logFiles);
  }

  private static Path executable(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private static Path plainFile(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "not a program\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    return file;
  }

  private ProcessSpec command(String line) {
    return new ProcessSpec("web", line, null, false, cwd.toString(), Map.of(), null, null, 1000);
  }

  private ProcessSpec command(String line, String path, Map<String, String> env) {
    return new ProcessSpec("web", line, null, false, cwd.toString(), env, path, null, 1000);
  }

  private ProcessSpec argv(String... words) {
    return new ProcessSpec("web", null, List.of(words), false, cwd.toString(), Map.of(), null, null, 1000);
  }

  private ProcessSpec withCwd(String dir) {
    return new ProcessSpec("web", "/bin/true", null, false, dir, Map.of(), null, null, 1000);
  }

  private ProcessSpec withEnv(Map<String, String> env) {
    return new ProcessSpec("web", "/bin/true", null, false, cwd.toString(), env, null, null, 1000);
  }

  private static ProtocolException refusal(ThrowingRunnable call) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, call::run);
    assertThat(e).as("expected a refusal").isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    return e;
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  // --- plan: the whole launch -------------------------------------------------------------

  @Test
  void plan_resolvesRelativeProgramAgainstCwd_keepingArgvAsGiven() throws Exception {
    Path program = executable(cwd.resolve("bin/server"));

    LaunchSpec launch = planner.plan(command("./bin/server --port 8080"));

    assertThat(launch.executable()).isEqualTo(program);
    assertThat(launch.argv()).containsExactly("./bin/server", "--port", "8080");
    assertThat(launch.cwd()).isEqualTo(cwd);
    assertThat(launch.stdout()).isEqualTo(logFiles.stdout("web"));
    assertThat(launch.stderr()).isEqualTo(logFiles.stderr("web"));
  }

  @Test
  void plan_normalisesProgramPathWithDotDot() throws Exception {
    Path program = executable(tmp.resolve("shared/tool"));

    LaunchSpec launch = planner.plan(argv("../shared/./tool"));

    assertThat(launch.executable()).isEqualTo(program);
  }

  @Test
  void plan_findsProgramOnTheClientsPath() throws Exception {
    Path binA = Files.createDirectory(tmp.resolve("a"));
    Path tool = executable(tmp.resolve("b/tool"));

    LaunchSpec launch = planner.plan(command("tool arg", binA + ":" + tool.getParent(), Map.of()));

    assertThat(launch.executable()).isEqualTo(tool);
    assertThat(launch.argv()).containsExactly("tool", "arg");
    assertThat(launch.environment()).containsEntry("PATH", binA + ":" + tool.getParent());
  }

  @Test
  void plan_findsProgramOnPathFromDefinitionEnv_overClientPath() throws Exception {
    Path clientTool = executable(tmp.resolve("client/tool"));
    Path envTool = executable(tmp.resolve("env/tool"));

    LaunchSpec launch =
        planner.plan(
            command("tool", clientTool.getParent().toString(), Map.of("PATH", envTool.getParent().toString())));

    assertThat(launch.executable()).isEqualTo(envTool);
  }

  @Test
  void plan_withShell_runsLineWithBinShDashC() throws Exception {
    String line = "echo \"$HOME\" | wc -c; sleep 1 &";
    ProcessSpec spec = new ProcessSpec("web", line, null, true, cwd.toString(), Map.of(), null, null, 1000);

    LaunchSpec launch = planner.plan(spec);

    assertThat(launch.argv()).containsExactly("/bin/sh", "-c", line);
    assertThat(launch.executable()).isEqualTo(Path.of("/bin/sh"));
  }

  @Test
  void plan_refusesDirectoryGivenAsProgram() throws Exception {
    Path dir = Files.createDirectories(cwd.resolve("bin/app"));

    ProtocolException e = refusal(() -> planner.plan(argv("./bin/app")));

    assertThat(e.getMessage()).isEqualTo("the program " + dir + " is a directory, not a program");
  }

  @Test
  void plan_refusesNonExecutableFile_withChmodHint() throws Exception {
    Path file = plainFile(cwd.resolve("run.sh"));

    ProtocolException e = refusal(() -> planner.plan(command("./run.sh")));

    assertThat(e.getMessage()).contains(file + " is not executable", "chmod +x '" + file + "'");
  }

  @Test
  void plan_refusesMissingProgramPath() {
    ProtocolException e = refusal(() -> planner.plan(command("./missing")));

    assertThat(e.getMessage()).isEqualTo("the program " + cwd.resolve("missing") + " does not exist");
  }

  @Test
  void plan_refusesProgramMissingFromPath_namingPathAndItsDirectories() throws Exception {
    Path a = Files.createDirectory(tmp.resolve("a"));
    Path b = Files.createDirectory(tmp.resolve("b"));

    ProtocolException e = refusal(() -> planner.plan(command("no-such-tool", a + ":" + b, Map.of())));

    assertThat(e.getMessage())
        .isEqualTo(
            "the program \"no-such-tool\" was not found on PATH ("
                + a
                + ":"
                + b
                + "); give its full path or fix PATH");
  }

  @Test
  void plan_refusesMissingWorkingDirectory() {
    Path missing = tmp.resolve("gone");

    ProtocolException e = refusal(() -> planner.plan(withCwd(missing.toString())));

    assertThat(e.getMessage())
        .isEqualTo("the working directory " + missing + " does not exist; create it or give another --cwd");
  }

  @Test
  void plan_refusesWorkingDirectoryThatIsAFile() throws Exception {
    Path file = plainFile(tmp.resolve("file"));

    ProtocolException e = refusal(() -> planner.plan(withCwd(file.toString())));

    assertThat(e.getMessage()).isEqualTo("the working directory " + file + " is not a directory");
  }

  // --- findProgram: execvp's search -------------------------------------------------------

  @Test
  void findProgram_takesFirstMatchOnPath() throws Exception {
    Path first = executable(tmp.resolve("first/tool"));
    executable(tmp.resolve("second/tool"));

    Path found =
        LaunchPlanner.findProgram("tool", cwd, first.getParent() + ":" + tmp.resolve("second"));

    assertThat(found).isEqualTo(first);
  }

  @Test
  void findProgram_skipsNonExecutableFilesAndDirectoriesOnPath() throws Exception {
    plainFile(tmp.resolve("first/tool"));
    Files.createDirectories(tmp.resolve("second/tool"));
    Path third = executable(tmp.resolve("third/tool"));
    String path = tmp.resolve("first") + ":" + tmp.resolve("second") + ":" + tmp.resolve("third");

    assertThat(LaunchPlanner.findProgram("tool", cwd, path)).isEqualTo(third);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ":/nonexistent", "/nonexistent:", "/nonexistent::/other"})
  void findProgram_readsEmptyPathEntryAsWorkingDirectory(String pathWithEmptyEntry) throws Exception {
    Path local = executable(cwd.resolve("tool"));

    Path found =
        LaunchPlanner.findProgram("tool", cwd, pathWithEmptyEntry.isEmpty() ? ":" : pathWithEmptyEntry);

    assertThat(found).isEqualTo(local);
  }

  @Test
  void findProgram_resolvesRelativePathEntryAgainstWorkingDirectory() throws Exception {
    Path tool = executable(cwd.resolve("node_modules/.bin/tool"));

    assertThat(LaunchPlanner.findProgram("tool", cwd, "node_modules/.bin")).isEqualTo(tool);
  }

  @ParameterizedTest
  @NullAndEmptySource
  void findProgram_fallsBackToUsrBinAndBin_withoutPath(String path) throws Exception {
    Path found = LaunchPlanner.findProgram("sh", cwd, path);

    assertThat(found).isIn(Path.of("/usr/bin/sh"), Path.of("/bin/sh"));
  }

  @Test
  void findProgram_takesAbsoluteProgramAsIs() throws Exception {
    Path tool = executable(tmp.resolve("abs/tool"));

    assertThat(LaunchPlanner.findProgram(tool.toString(), cwd, "/nonexistent")).isEqualTo(tool);
  }

  // --- checkShape: what does not depend on the file system --------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"relative", "./here", "", "~/work"})
  void checkShape_refusesRelativeWorkingDirectory(String dir) {
    ProtocolException e = refusal(() -> LaunchPlanner.checkShape(withCwd(dir)));

    assertThat(e.getMessage())
        .isEqualTo("the working directory must be an absolute path, got \"" + dir + "\"");
  }

  @Test
  void checkShape_refusesMissingWorkingDirectory() {
    ProtocolException e = refusal(() -> LaunchPlanner.checkShape(withCwd(null)));

    assertThat(e.getMessage()).contains("must be an absolute path");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1ABC", "A-B", "", "A B", "A=B", "\u00c9T\u00c9", "A.B"})
  void checkShape_refusesInvalidEnvironmentName(String key) {
    ProtocolException e = refusal(() -> LaunchPlanner.checkShape(withEnv(Map.of(key, "v"))));

    assertThat(e.getMessage())
        .isEqualTo(
            "invalid environment variable name \""
                + key
                + "\": use letters, digits and _, not starting with a digit");
  }

  @ParameterizedTest
  @ValueSource(strings = {"A", "_", "_X1", "lower_case", "PATH", "A1B2"})
  void checkShape_acceptsValidEnvironmentName(String key) throws Exception {
    LaunchPlanner.checkShape(withEnv(Map.of(key, "")));
  }

  @Test
  void checkShape_refusesNulInEnvironmentValue() {
    ProtocolException e = refusal(() -> LaunchPlanner.checkShape(withEnv(Map.of("TOKEN", "a\0b"))));

    assertThat(e.getMessage()).isEqualTo("the value of TOKEN contains a NUL character");
  }

  @ParameterizedTest
  @MethodSource("nulCommands")
  void checkShape_refusesNulInCommand(ProcessSpec spec) {
    ProtocolException e = refusal(() -> LaunchPlanner.checkShape(spec));

    assertThat(e.getMessage()).contains("NUL character");
  }

  static Stream<ProcessSpec> nulCommands() {
    return Stream.of(
        new ProcessSpec("web", "echo a\0b", null, false, "/", Map.of(), null, null, 1),
        new ProcessSpec("web", "echo a\0b", null, true, "/", Map.of(), null, null, 1),
        new ProcessSpec("web", null, List.of("/bin/echo", "a\0b"), false, "/", Map.of(), null, null, 1));
  }

  @Test
  void checkShape_refusesShellWithArgv() {
    ProcessSpec spec =
        new ProcessSpec("web", null, List.of("/bin/echo", "hi"), true, "/", Map.of(), null, null, 1);

    ProtocolException e = refusal(() -> LaunchPlanner.checkShape(spec));

    assertThat(e.getMessage()).contains("--shell goes with a command line");
  }

  @ParameterizedTest
  @MethodSource("emptyCommands")
  void checkShape_refusesEmptyCommand(ProcessSpec spec) {
    ProtocolException e = refusal(() -> LaunchPlanner.checkShape(spec));

    assertThat(e.getMessage()).startsWith("the command is empty");
  }

  static Stream<ProcessSpec> emptyCommands() {
    return Stream.of(
        new ProcessSpec("web", "", null, false, "/", Map.of(), null, null, 1),
        new ProcessSpec("web", " \t ", null, false, "/", Map.of(), null, null, 1),
        new ProcessSpec("web", "", null, true, "/", Map.of(), null, null, 1),
        new ProcessSpec("web", null, List.of(), false, "/", Map.of(), null, null, 1),
        new ProcessSpec("web", null, List.of("", "arg"), false, "/", Map.of(), null, null, 1));
  }

  @Test
  void checkShape_refusesInvalidName() {
    ProcessSpec spec = new ProcessSpec("../etc", "/bin/true", null, false, "/", Map.of(), null, null, 1);

    ProtocolException e = refusal(() -> LaunchPlanner.checkShape(spec));

    assertThat(e.getMessage()).contains(ProcessNames.RULE);
  }

  @Test
  void checkShape_passesOnTheSplittersMessage() {
    ProtocolException e = refusal(() -> LaunchPlanner.checkShape(command("tail -f log | grep x")));

    assertThat(e.getMessage()).contains("'|'", "--shell");
  }

  @Test
  void words_splitsCommandLine_orWrapsItForTheShell() throws Exception {
    assertThat(LaunchPlanner.words(command("a 'b c'"))).containsExactly("a", "b c");
    assertThat(
            LaunchPlanner.words(
                new ProcessSpec("web", "a 'b c'", null, true, "/", Map.of(), null, null, 1)))
        .containsExactly(LaunchPlanner.SHELL, "-c", "a 'b c'");
    assertThat(LaunchPlanner.words(argv("x", "y z"))).containsExactly("x", "y z");
  }

  // --- environment ------------------------------------------------------------------------

  @ParameterizedTest(name = "[{index}] client PATH {0}, definition env {1} -> {2}")
  @MethodSource("environments")
  void environment_layersDaemonThenClientPathThenDefinition(
      String clientPath, Map<String, String> definitionEnv, Map<String, String> expected) {
    ProcessSpec spec =
        new ProcessSpec("web", "/bin/true", null, false, "/", definitionEnv, clientPath, null, 1);

    java.util.Map<String, String> env = new java.util.HashMap<>(planner.environment(spec));
    assertThat(env.remove("SENTINEL_NAME")).as("every child carries its name").isEqualTo("web");
    assertThat(env).isEqualTo(expected);
  }

  static Stream<Arguments> environments() {
    return Stream.of(
        Arguments.of(null, Map.of(), DAEMON_ENV),
        Arguments.of("", Map.of(), DAEMON_ENV),
        Arguments.of(
            "/client/bin",
            Map.of(),
            Map.of("PATH", "/client/bin", "HOME", "/home/daemon", "LANG", "C.UTF-8", "SHARED", "daemon")),
        Arguments.of(
            "/client/bin",
            Map.of("PATH", "/definition/bin", "SHARED", "definition", "NEW", "1"),
            Map.of(
                "PATH", "/definition/bin",
                "HOME", "/home/daemon",
                "LANG", "C.UTF-8",
                "SHARED", "definition",
                "NEW", "1")),
        Arguments.of(
            null,
            Map.of("HOME", ""),
            Map.of("PATH", "/daemon/bin", "HOME", "", "LANG", "C.UTF-8", "SHARED", "daemon")));
  }

  @Test
  void plan_passesTheLayeredEnvironmentToTheChild() throws Exception {
    executable(cwd.resolve("app"));

    LaunchSpec launch = planner.plan(command("./app", "/client/bin", Map.of("PORT", "8080")));

    assertThat(launch.environment())
        .containsEntry("PATH", "/client/bin")
        .containsEntry("PORT", "8080")
        .containsEntry("HOME", "/home/daemon");
  }
}
