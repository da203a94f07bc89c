package dev.sentinelzero.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.security.auth.module.UnixSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SentinelPathsTest {
  private static final Path USER_HOME = Path.of("/home/ada");
  private static final boolean LINUX = false;
  private static final boolean MAC = true;
  private static final long UID = new UnixSystem().getUid();

  private static Map<String, String> env(String... keyValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return env;
  }

  /** An absolute path of exactly {@code bytes} bytes. */
  private static String homeOfLength(int bytes) {
    return "/" + "h".repeat(bytes - 1);
  }

  private static int byteLength(Path path) {
    return path.toString().getBytes(UTF_8).length;
  }

  @Test
  void resolve_homeOptionBeatsEnvironmentAndDefault() throws Exception {
    SentinelPaths paths =
        SentinelPaths.resolve(
            "/opt/from-option", env("SENTINEL_HOME", "/opt/from-env", "XDG_STATE_HOME", "/xdg"), LINUX, USER_HOME);

    assertThat(paths.home()).isEqualTo(Path.of("/opt/from-option"));
    assertThat(paths.logs()).isEqualTo(Path.of("/opt/from-option/logs"));
    assertThat(paths.socket()).isEqualTo(Path.of("/opt/from-option/sentinel.sock"));
    assertThat(paths.socketRelocated()).isFalse();
  }

  @Test
  void resolve_sentinelHomeBeatsPlatformDefault() throws Exception {
    SentinelPaths linux =
        SentinelPaths.resolve(null, env("SENTINEL_HOME", "/opt/from-env", "XDG_STATE_HOME", "/xdg"), LINUX, USER_HOME);
    SentinelPaths mac = SentinelPaths.resolve(null, env("SENTINEL_HOME", "/opt/from-env"), MAC, USER_HOME);

    assertThat(linux.home()).isEqualTo(Path.of("/opt/from-env"));
    assertThat(mac.home()).isEqualTo(Path.of("/opt/from-env"));
    assertThat(mac.logs()).isEqualTo(Path.of("/opt/from-env/logs"));
  }

  @Test
  void resolve_linuxDefault_isUnderLocalStateWithoutXdgStateHome() throws Exception {
    SentinelPaths paths = SentinelPaths.resolve(null, env(), LINUX, USER_HOME);

    assertThat(paths.home()).isEqualTo(Path.of("/home/ada/.local/state/sentinel"));
    assertThat(paths.logs()).isEqualTo(Path.of("/home/ada/.local/state/sentinel/logs"));
    assertThat(paths.socket()).isEqualTo(Path.of("/home/ada/.local/state/sentinel/sentinel.sock"));
    assertThat(paths.database()).isEqualTo(Path.of("/home/ada/.local/state/sentinel/sentinel.db"));
    assertThat(paths.lockFile()).isEqualTo(Path.of("/home/ada/.local/state/sentinel/daemon.lock"));
    assertThat(paths.daemonLog()).isEqualTo(Path.of("/home/ada/.local/state/sentinel/logs/daemon.log"));
  }

  @Test
  void resolve_linuxDefault_followsXdgStateHome() throws Exception {
    SentinelPaths paths = SentinelPaths.resolve(null, env("XDG_STATE_HOME", "/data/state"), LINUX, USER_HOME);

    assertThat(paths.home()).isEqualTo(Path.of("/data/state/sentinel"));
    assertThat(paths.logs()).isEqualTo(Path.of("/data/state/sentinel/logs"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "relative/state"})
  void resolve_linuxDefault_ignoresEmptyOrRelativeXdgStateHome(String xdg) throws Exception {
    SentinelPaths paths = SentinelPaths.resolve(null, env("XDG_STATE_HOME", xdg), LINUX, USER_HOME);

    assertThat(paths.home()).isEqualTo(Path.of("/home/ada/.local/state/sentinel"));
  }

  @Test
  void resolve_macDefault_keepsHomeAndLogsUnderLibrary() throws Exception {
    SentinelPaths paths = SentinelPaths.resolve(null, env("XDG_STATE_HOME", "/xdg"), MAC, Path.of("/Users/ada"));

    assertThat(paths.home()).isEqualTo(Path.of("/Users/ada/Library/Application Support/SentinelZero"));
    assertThat(paths.logs()).isEqualTo(Path.of("/Users/ada/Library/Logs/SentinelZero"));
    assertThat(paths.socket())
        .isEqualTo(Path.of("/Users/ada/Library/Application Support/SentinelZero/sentinel.sock"));
    assertThat(paths.socketRelocated()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t"})
  void resolve_refusesEmptySentinelHome(String value) {
    ProtocolException e =
        catchThrowableOfType(
            ProtocolException.class,
            () -> SentinelPaths.resolve(null, env("SENTINEL_HOME", value), LINUX, USER_HOME));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).startsWith("SENTINEL_HOME is empty");
  }

  @Test
  void resolve_refusesEmptyHomeOption() {
    ProtocolException e =
        catchThrowableOfType(ProtocolException.class, () -> SentinelPaths.resolve("", env(), LINUX, USER_HOME));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).startsWith("--home is empty");
  }

  @Test
  void resolve_refusesHomeWithNul() {
    ProtocolException e =
        catchThrowableOfType(
            ProtocolException.class, () -> SentinelPaths.resolve("/a\0b", env(), LINUX, USER_HOME));

    assertThat(e.getMessage()).contains("NUL");
  }

  @ParameterizedTest
  @CsvSource({
    "rel/home,         rel/home",
    "./rel/../x/home,  x/home",
  })
  void resolve_makesRelativeHomeAbsoluteAndNormal(String given, String expected) throws Exception {
    Path cwd = Path.of("").toAbsolutePath();

    SentinelPaths fromOption = SentinelPaths.resolve(given, env(), LINUX, USER_HOME);
    SentinelPaths fromEnv = SentinelPaths.resolve(null, env("SENTINEL_HOME", given), LINUX, USER_HOME);

    assertThat(fromOption.home()).isEqualTo(cwd.resolve(expected));
    assertThat(fromEnv.home()).isEqualTo(cwd.resolve(expected));
  }

  @ParameterizedTest(name = "[{index}] mac={0} home of {1} bytes -> relocated={2}")
  @CsvSource({
    // Linux allows 106 bytes: "/sentinel.sock" adds 14 to the home.
    "false, 92, false",
    "false, 93, true",
    // macOS allows 102.
    "true,  88, false",
    "true,  89, true",
  })
  void resolve_relocatesSocketExactlyWhenItExceedsThePlatformLimit(
      boolean mac, int homeBytes, boolean relocated) throws Exception {
    SentinelPaths paths = SentinelPaths.resolve(homeOfLength(homeBytes), env(), mac, USER_HOME);

    assertThat(paths.socketRelocated()).isEqualTo(relocated);
    assertThat(paths.socket().startsWith(paths.home())).isEqualTo(!relocated);
    assertThat(byteLength(paths.socket())).isLessThanOrEqualTo(mac ? 102 : 106);
  }

  @Test
  void resolve_countsBytesNotCharacters() throws Exception {
    String home = "/" + "\u00e9".repeat(47); // 48 characters, 95 bytes

    SentinelPaths paths = SentinelPaths.resolve(home, env(), LINUX, USER_HOME);

    assertThat(paths.socketRelocated()).isTrue();
  }

  @Test
  void resolve_relocatesLongHomeSocketUnderXdgRuntimeDirOnLinux() throws Exception {
    SentinelPaths paths =
        SentinelPaths.resolve(homeOfLength(200), env("XDG_RUNTIME_DIR", "/run/user/1000"), LINUX, USER_HOME);

    assertThat(paths.socketRelocated()).isTrue();
    assertThat(paths.socket().getParent()).isEqualTo(Path.of("/run/user/1000/sentinel"));
    assertThat(paths.socket().getFileName().toString()).matches("[0-9a-f]{16}\\.sock");
    assertThat(paths.home()).isEqualTo(Path.of(homeOfLength(200)));
    assertThat(paths.logs()).isEqualTo(Path.of(homeOfLength(200), "logs"));
    assertThat(byteLength(paths.socket())).isLessThanOrEqualTo(106);
  }

  @ParameterizedTest
  @CsvSource({
    "false, ''",
    "false, relative/run",
    "true,  /run/user/1000",
    "true,  ''",
  })
  void resolve_relocatesLongHomeSocketUnderTmpOtherwise(boolean mac, String xdgRuntimeDir)
      throws Exception {
    Map<String, String> env = xdgRuntimeDir.isEmpty() ? env() : env("XDG_RUNTIME_DIR", xdgRuntimeDir);

    SentinelPaths paths = SentinelPaths.resolve(homeOfLength(150), env, mac, USER_HOME);

    assertThat(paths.socketRelocated()).isTrue();
    assertThat(paths.socket().getParent()).isEqualTo(Path.of("/tmp/sentinel-" + UID));
    assertThat(paths.socket().getFileName().toString()).matches("[0-9a-f]{16}\\.sock");
    assertThat(byteLength(paths.socket())).isLessThanOrEqualTo(mac ? 102 : 106);
  }

  @Test
  void resolve_givesDifferentLongHomesDifferentSockets_andTheSameHomeTheSameSocket() throws Exception {
    String a = homeOfLength(120) + "/a";
    String b = homeOfLength(120) + "/b";

    Path socketA = SentinelPaths.resolve(a, env(), LINUX, USER_HOME).socket();
    Path socketB = SentinelPaths.resolve(b, env(), LINUX, USER_HOME).socket();
    Path socketAAgain = SentinelPaths.resolve(null, env("SENTINEL_HOME", a + "/."), LINUX, USER_HOME).socket();

    assertThat(socketA).isNotEqualTo(socketB);
    assertThat(socketAAgain).isEqualTo(socketA);
  }

  @Test
  void resolve_refusesWhenEvenTheRelocatedSocketIsTooLong() {
    String longRuntime = "/" + "r".repeat(100);

    ProtocolException e =
        catchThrowableOfType(
            ProtocolException.class,
            () -> SentinelPaths.resolve(homeOfLength(150), env("XDG_RUNTIME_DIR", longRuntime), LINUX, USER_HOME));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("106-byte limit", "SENTINEL_HOME");
  }

  @ParameterizedTest
  @CsvSource({"Mac OS X, true", "macOS, true", "Linux, false", "Windows 11, false", "Darwin, false"})
  void isMac_recognisesMacOsNames(String osName, boolean mac) {
    assertThat(SentinelPaths.isMac(osName)).isEqualTo(mac);
  }

  @Test
  void isMac_isFalseForMissingName() {
    assertThat(SentinelPaths.isMac(null)).isFalse();
  }

  @Test
  void checkPrivateDirectory_acceptsDirectoryOnlyTheOwnerCanEnter(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("home"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));

    SentinelPaths.checkPrivateDirectory(dir);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rwxr-xr-x", "rwx--x---", "rwx-----x", "rwxrwxrwx", "rwxr-----", "rwx---r--"})
  void checkPrivateDirectory_refusesDirectoryOthersCanUse_withChmodHint(String perms, @TempDir Path tmp)
      throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("home"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(perms));

    ProtocolException e =
        catchThrowableOfType(ProtocolException.class, () -> SentinelPaths.checkPrivateDirectory(dir));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("other users", "chmod 700 '" + dir + "'");
  }

  @Test
  void checkPrivateDirectory_refusesMissingDirectory(@TempDir Path tmp) {
    Path missing = tmp.resolve("missing");

    ProtocolException e =
        catchThrowableOfType(ProtocolException.class, () -> SentinelPaths.checkPrivateDirectory(missing));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).startsWith("cannot check " + missing);
  }

  @Test
  void checkPrivateDirectory_refusesDirectoryOfAnotherUser(@TempDir Path tmp) throws Exception {
    assumeThat(UID).as("only root can give a directory away").isZero();
    Path dir = Files.createDirectory(tmp.resolve("theirs"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(dir, nobody);

    ProtocolException e =
        catchThrowableOfType(ProtocolException.class, () -> SentinelPaths.checkPrivateDirectory(dir));

    assertThat(e.getMessage()).contains("belongs to nobody");
  }
}
