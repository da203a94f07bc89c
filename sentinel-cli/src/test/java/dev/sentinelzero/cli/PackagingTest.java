package dev.sentinelzero.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The service definitions in packaging/ run the daemon in the foreground, and restart it after a
 * crash but not after a clean stop. The launchd plist is parsed as a property list, key by key.
 */
class PackagingTest {
  private static final Path PACKAGING = Path.of("..", "packaging");

  @Test
  void launchdAgent_runsTheDaemonInTheForeground_andRestartsOnlyAfterAFailure() throws Exception {
    Map<String, Object> plist = readPlist(PACKAGING.resolve("launchd/dev.sentinelzero.daemon.plist"));

    assertThat(plist.get("Label")).isEqualTo("dev.sentinelzero.daemon");
    assertThat(plist.get("ProgramArguments")).isEqualTo(List.of("@SENTINEL@", "daemon", "run"));
    assertThat(plist.get("RunAtLoad")).isEqualTo(true);
    assertThat(plist.get("KeepAlive")).isEqualTo(Map.of("SuccessfulExit", false));
    assertThat((Integer) plist.get("ExitTimeOut")).isGreaterThanOrEqualTo(30);
    assertThat(plist.get("StandardErrorPath")).asString().startsWith("@LOGS@/");
    assertThat(plist.get("StandardOutPath")).asString().startsWith("@LOGS@/");
    @SuppressWarnings("unchecked")
    Map<String, Object> env = (Map<String, Object>) plist.get("EnvironmentVariables");
    assertThat(env.get("PATH")).asString().contains("/usr/bin").contains("/opt/homebrew/bin");
    assertThat(plist.keySet())
        .containsExactlyInAnyOrder(
            "Label", "ProgramArguments", "RunAtLoad", "KeepAlive", "ExitTimeOut",
            "EnvironmentVariables", "StandardOutPath", "StandardErrorPath", "ProcessType");
  }

  @Test
  void systemdUnit_runsTheDaemonInTheForeground_andLetsItStopItsOwnProcesses() throws Exception {
    Map<String, Map<String, String>> unit = readUnit(PACKAGING.resolve("systemd/sentinel.service"));

    assertThat(unit.get("Service"))
        .containsEntry("Type", "simple")
        .containsEntry("ExecStart", "@SENTINEL@ daemon run")
        .containsEntry("Restart", "on-failure")
        .containsEntry("KillMode", "mixed")
        .containsEntry("SuccessExitStatus", "143");
    assertThat(unit.get("Install")).containsEntry("WantedBy", "default.target");
  }

  /** A property list as Java values: dict -> Map, array -> List, string, integer, true/false. */
  static Map<String, Object> readPlist(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    factory.setIgnoringComments(true);
    Element root = factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("plist");
    @SuppressWarnings("unchecked")
    Map<String, Object> dict = (Map<String, Object>) value(elements(root).get(0));
    return dict;
  }

  private static Object value(Element e) {
    switch (e.getTagName()) {
      case "dict":
        Map<String, Object> map = new LinkedHashMap<>();
        List<Element> children = elements(e);
        for (int i = 0; i < children.size(); i += 2) {
          assertThat(children.get(i).getTagName()).isEqualTo("key");
          String key = children.get(i).getTextContent();
          assertThat(map).as("duplicate key %s", key).doesNotContainKey(key);
          map.put(key, value(children.get(i + 1)));
        }
        return map;
      case "array":
        List<Object> list = new ArrayList<>();
        for (Element child : elements(e)) {
          list.add(value(child));
        }
        return list;
      case "string":
        return e.getTextContent();
      case "integer":
        return Integer.parseInt(e.getTextContent().trim());
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new AssertionError("unexpected plist element <" + e.getTagName() + ">");
    }
  }

  private static List<Element> elements(Element parent) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element) {
        out.add((Element) n);
      }
    }
    return out;
  }

  /** A systemd unit file: section -> key -> value (comments and blank lines skipped). */
  static Map<String, Map<String, String>> readUnit(Path file) throws Exception {
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (String raw : Files.readAllLines(file)) {
      String line = raw.trim();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        current = new LinkedHashMap<>();
        sections.put(line.substring(1, line.length() - 1), current);
        continue;
      }
      assertThat(current).as("key outside a section: %s", line).isNotNull();
      int eq = line.indexOf('=');
      assertThat(eq).as("not KEY=VALUE: %s", line).isPositive();
      current.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
    }
    return sections;
  }
}
