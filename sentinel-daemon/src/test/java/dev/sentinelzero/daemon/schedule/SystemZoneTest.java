package dev.sentinelzero.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the machine's current zone the way macOS and Linux keep it. */
class SystemZoneTest {
  private static final ZoneId FALLBACK = ZoneId.of("UTC");
  @TempDir Path dir;

  @Test
  void theZoneIsNamedByTheLocaltimeLink_onMacOsAndOnLinux() {
    assertThat(SystemZone.fromLinkTarget("/var/db/timezone/zoneinfo/Europe/Berlin")).contains(ZoneId.of("Europe/Berlin"));
    assertThat(SystemZone.fromLinkTarget("/usr/share/zoneinfo/America/New_York")).contains(ZoneId.of("America/New_York"));
    assertThat(SystemZone.fromLinkTarget("../usr/share/zoneinfo/posix/Asia/Tokyo")).contains(ZoneId.of("Asia/Tokyo"));
    assertThat(SystemZone.fromLinkTarget("/usr/share/zoneinfo/Not/AZone")).isEmpty();
    assertThat(SystemZone.fromLinkTarget("/etc/some-file")).isEmpty();
  }

  @Test
  void read_followsTheLink_elseTheTimezoneFile_elseTheFallback() throws Exception {
    Path link = dir.resolve("localtime");
    Path file = dir.resolve("timezone");
    assertThat(SystemZone.read(null, link, file, FALLBACK)).as("neither exists").isEqualTo(FALLBACK);

    Files.writeString(file, "Europe/Paris\n");
    assertThat(SystemZone.read(null, link, file, FALLBACK)).isEqualTo(ZoneId.of("Europe/Paris"));

    Files.createSymbolicLink(link, Path.of("/usr/share/zoneinfo/Asia/Tokyo"));
    assertThat(SystemZone.read(null, link, file, FALLBACK)).as("the link wins").isEqualTo(ZoneId.of("Asia/Tokyo"));

    Files.delete(link);
    Files.createSymbolicLink(link, Path.of("/usr/share/zoneinfo/Asia/Kolkata"));
    assertThat(SystemZone.read(null, link, file, FALLBACK)).as("a moved link is seen").isEqualTo(ZoneId.of("Asia/Kolkata"));
  }

  @Test
  void aTzVariable_fixesTheZone_forTheDaemonsLife() throws Exception {
    Path link = dir.resolve("localtime");
    Files.createSymbolicLink(link, Path.of("/usr/share/zoneinfo/Asia/Tokyo"));

    assertThat(SystemZone.read("Europe/Berlin", link, dir.resolve("none"), ZoneId.of("Europe/Berlin")))
        .isEqualTo(ZoneId.of("Europe/Berlin"));
  }

  @Test
  void aBrokenTimezoneFile_fallsBack() throws Exception {
    Path file = dir.resolve("timezone");
    Files.writeString(file, "Mars/Olympus_Mons");

    assertThat(SystemZone.read(null, dir.resolve("none"), file, FALLBACK)).isEqualTo(FALLBACK);
  }
}
