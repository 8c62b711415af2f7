package io.tessera.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.tessera.status.ServingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a configuration file given to a flag (model config, batching parameters, monitoring, SSL)
 * in either protobuf text format, as TF Serving requires, or protobuf JSON, detected from the
 * content: a document whose first non-blank, non-comment character is '{' is JSON (a text-format
 * message never starts with a brace). JSON accepts plain numbers for wrapper types
 * ({@code "max_batch_size": 32}). Errors name the file, the position and what was expected, and
 * keep TF Serving's "Error parsing text-format ..." prefix. Pure apart from reading the file.
 */
public final class TextOrJsonConfig {
  private TextOrJsonConfig() {}

  /** Parses {@code file} into {@code builder}'s message type; INVALID_ARGUMENT on any error. */
  public static <M extends Message> M parse(Path file, M.Builder builder) {
    return parse(file, builder, List.of());
  }

  /**
   * As {@link #parse(Path, Message.Builder)}; {@code anyTypes} are the message types a
   * {@code google.protobuf.Any} in the file may hold (text: {@code [type.googleapis.com/NAME] {...}},
   * JSON: {@code "@type"}).
   */
  @SuppressWarnings("unchecked")
  public static <M extends Message> M parse(Path file, M.Builder builder, List<Descriptor> anyTypes) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ServingException.invalidArgument("Cannot read config file " + file + ": " + e);
    }
    return (M) parse(file.toString(), text, builder, anyTypes);
  }

  /** Parses {@code text} (from {@code source}, used in messages). */
  public static Message parse(String source, String text, Message.Builder builder) {
    return parse(source, text, builder, List.of());
  }

  private static Message parse(String source, String text, Message.Builder builder, List<Descriptor> anyTypes) {
    String typeName = builder.getDescriptorForType().getFullName();
    if (isJson(text)) {
      try {
        JsonFormat.parser().usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder().add(anyTypes).build())
            .merge(text, builder);
        return builder.build();
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        throw ServingException.invalidArgument("Error parsing JSON " + typeName + " in " + source
            + ": " + e.getMessage());
      }
    }
    try {
      TextFormat.Parser.newBuilder().setTypeRegistry(TypeRegistry.newBuilder().add(anyTypes).build()).build()
          .merge(text, builder);
      return builder.build();
    } catch (TextFormat.ParseException e) {
      throw ServingException.invalidArgument("Error parsing text-format " + typeName + " in " + source
          + " at line " + e.getLine() + ", column " + e.getColumn() + ": " + e.getMessage());
    }
  }

  static boolean isJson(String text) {
    for (String line : text.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      return trimmed.charAt(0) == '{';
    }
    return false;
  }
}
