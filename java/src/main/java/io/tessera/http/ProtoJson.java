package io.tessera.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Protocol-buffer JSON as TF Serving's REST API prints it: proto3 JSON mapping with the original
 * (snake_case) field names, fields with default values included, enums by name, 64-bit integers as
 * strings, and protobuf C++'s one-space indentation.
 */
public final class ProtoJson {
  static final JsonFactory FACTORY = JsonFactory.builder().build();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence();

  private ProtoJson() {}

  /** Pretty printer matching protobuf C++'s JSON whitespace ({@code "key": value}, 1-space indent). */
  static DefaultPrettyPrinter prettyPrinter() {
    DefaultIndenter indenter = new DefaultIndenter(" ", "\n");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withSeparators(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator(""));
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    return printer;
  }

  /** Copies one message's JSON as the next value of {@code out}. */
  static void writeMessage(JsonGenerator out, MessageOrBuilder message) throws IOException {
    String json;
    try {
      json = PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(e);
    }
    try (JsonParser parser = FACTORY.createParser(json)) {
      parser.nextToken();
      out.copyCurrentStructure(parser);
    }
  }

  /** The whole message as a pretty JSON document. */
  public static String print(MessageOrBuilder message) {
    java.io.StringWriter text = new java.io.StringWriter();
    try (JsonGenerator out = FACTORY.createGenerator(text)) {
      out.setPrettyPrinter(prettyPrinter());
      writeMessage(out, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }
}
