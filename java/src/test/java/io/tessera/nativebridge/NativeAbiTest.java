package io.tessera.nativebridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeAbi} mirrors {@code native/include/tessera/abi.h} exactly: the same names (kFooBar
 * there, FOO_BAR here), the same values, nothing missing on either side. Needs no native library.
 */
class NativeAbiTest {
  private static final Pattern CONSTANT =
      Pattern.compile("^\\s*constexpr\\s+int64_t\\s+k(\\w+)\\s*=\\s*(-?\\d+)\\s*;", Pattern.MULTILINE);

  @Test
  void javaConstantsEqualTheHeader() throws Exception {
    Path header = Path.of("..", "native", "include", "tessera", "abi.h");
    Map<String, Long> fromHeader = new TreeMap<>();
    Matcher m = CONSTANT.matcher(Files.readString(header));
    while (m.find()) {
      fromHeader.put(upperSnake(m.group(1)), Long.parseLong(m.group(2)));
    }
    assertFalse(fromHeader.isEmpty(), "no constants parsed from " + header.toAbsolutePath());

    Map<String, Long> fromJava = new TreeMap<>();
    for (Field f : NativeAbi.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
        f.setAccessible(true);
        fromJava.put(f.getName(), (long) f.getInt(null));
      }
    }
    assertEquals(fromHeader, fromJava);
  }

  @Test
  void namesConvertLikeTheHeaderComment() {
    assertEquals("LAYOUT_NUM_DIMS", upperSnake("LayoutNumDims"));
    assertEquals("STAT_PADDING_ROWS", upperSnake("StatPaddingRows"));
  }

  private static String upperSnake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
  }
}
