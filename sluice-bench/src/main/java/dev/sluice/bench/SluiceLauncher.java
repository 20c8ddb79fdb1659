package dev.sluice.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;

/** The command line that runs {@code sluice} again in a new JVM, the way this process was started. */
public final class SluiceLauncher {
  private SluiceLauncher() {}

  /**
   * {@code [java, -jar, <jar>]} when {@code mainClass} was loaded from a jar that names a
   * {@code Main-Class} (the shaded {@code sluice.jar}); otherwise {@code [java, -cp, <this JVM's
   * class path>, <mainClass>]} (tests and IDE runs, where classes come from folders). The java is
   * this JVM's own binary.
   */
  public static List<String> forMainClass(Class<?> mainClass) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path source = codeSource(mainClass);
    if (source != null && Files.isRegularFile(source) && hasMainClass(source)) {
      return List.of(java, "-jar", source.toString());
    }
    return List.of(java, "-cp", System.getProperty("java.class.path"), mainClass.getName());
  }

  private static Path codeSource(Class<?> c) {
    try {
      var cs = c.getProtectionDomain().getCodeSource();
      return cs == null || cs.getLocation() == null ? null : Path.of(cs.getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  private static boolean hasMainClass(Path jar) {
    try (JarFile f = new JarFile(jar.toFile())) {
      var m = f.getManifest();
      return m != null && m.getMainAttributes().getValue("Main-Class") != null;
    } catch (IOException e) {
      return false;
    }
  }
}
