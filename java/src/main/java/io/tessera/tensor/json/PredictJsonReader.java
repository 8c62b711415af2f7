package io.tessera.tensor.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Parses a REST predict body as TF Serving's {@code FillPredictRequestFromJson} does, streaming
 * values straight into native tensor buffers (no DOM on the normal path). Bodies of plain float
 * number lists are first tried by {@link FloatListReader}, which reads the bytes without a
 * tokenizer and gives the same tensors, or steps aside.
 *
 * <p>One pass over the top-level object: the data value ({@code instances} or {@code inputs}) is
 * filled inline with the signature known so far ({@code serving_default} until a
 * {@code signature_name} says otherwise). If the signature turns out different, or the streaming
 * fill gives up (errors, rare layouts), the value is re-read from its byte offset, by the exact
 * {@link ExactFill} path when needed. Checks are reported in TF Serving's order: parse error, root
 * not an object, non-string signature_name, signature lookup, empty input map, both/neither keys,
 * then the data itself. As in TF Serving (rapidjson kParseStopWhenDoneFlag), bytes after the
 * top-level value are ignored.
 */
public final class PredictJsonReader {
  public static final String DEFAULT_SIGNATURE = "serving_default";
  /** Type name printed for inputs whose dtype is null in {@link SignatureInputs}. */
  static final String UNSUPPORTED = "unsupported dtype";
  private static final long MAX_INITIAL_CAPACITY = 1L << 22;

  /** rapidjson's grammar (NaN/Inf spellings), unlimited nesting: {@link RapidJsonFactory}. */
  static final JsonFactory FACTORY = RapidJsonFactory.INSTANCE;

  private PredictJsonReader() {}

  /**
   * The request body (a read-only view; never copied whole), with helpers for TF Serving's
   * value-echoing error messages. Offsets are relative to the body's first byte.
   */
  static final class Body {
    private final ByteBuffer buf;  // position 0 = the body's first byte
    final int length;
    long rootOffset;

    Body(ByteBuffer body) {
      buf = body.slice();
      length = buf.remaining();
    }

    String debug(long offset) {
      return DebugText.at(buf, offset);
    }

    /** TF Serving's {@code FormatError(doc, ...)}. */
    String docError(String message) {
      return "JSON Value: " + debug(rootOffset) + " " + message;
    }

    JsonParser parser() throws IOException {
      return BufferInput.parser(FACTORY, buf);
    }

    JsonParser parserAt(long offset) throws IOException {
      JsonParser p = PredictJsonReader.parserAt(buf, offset);
      p.nextToken();
      return p;
    }

    long capacity(long offset, int inputs) {
      return PredictJsonReader.capacity(length, offset, inputs);
    }
  }

  /** First elements reserved per input for a value at {@code offset} of a body. */
  static long capacity(int bodyLength, long offset, int inputs) {
    long estimate = (bodyLength - offset) / 2 / Math.max(1, inputs);
    return Math.max(16, Math.min(estimate, MAX_INITIAL_CAPACITY));
  }

  public static PredictJsonRequest read(ByteBuffer body, SignatureInputs signatures) {
    PredictJsonRequest plain = FloatListReader.read(body, signatures);
    return plain != null ? plain : readGeneral(body, signatures);
  }

  /** {@link #read} without the byte-level fast path (which must give the same results). */
  static PredictJsonRequest readGeneral(ByteBuffer body, SignatureInputs signatures) {
    Body b = new Body(body);
    if (b.length == 0) {
      throw ServingException.invalidArgument("JSON Parse error: The document is empty");
    }
    try (JsonParser p = b.parser()) {
      return new Pass(b, p, signatures).run();
    } catch (JsonProcessingException e) {
      throw parseError(e, b);
    } catch (IOException e) {
      throw ServingException.invalidArgument("JSON Parse error: " + e.getMessage());
    }
  }

  /**
   * Fails with the errors TF Serving finds in a body before it looks the model up, with the
   * messages {@link #read} gives: a JSON syntax error, a root that is not an object, a
   * {@code signature_name} that is not a string. Returns otherwise. For callers that must report
   * these before a lookup error (TF Serving parses the body, then resolves the model in the
   * signature callback); allocates no tensor.
   */
  public static void checkBeforeLookup(ByteBuffer body) {
    Body b = new Body(body);
    if (b.length == 0) {
      throw ServingException.invalidArgument("JSON Parse error: The document is empty");
    }
    try (JsonParser p = b.parser()) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw ServingException.invalidArgument(
            "JSON Parse error: The document is empty. at offset: " + b.length);
      }
      b.rootOffset = p.currentTokenLocation().getByteOffset();
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        throw ServingException.invalidArgument(b.docError("Is not object"));
      }
      Boolean signatureIsString = null;  // the first signature_name member decides
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (signatureIsString == null && name.equals("signature_name")) {
          signatureIsString = value == JsonToken.VALUE_STRING;
        }
        p.skipChildren();
      }
      if (Boolean.FALSE.equals(signatureIsString)) {
        throw ServingException.invalidArgument(b.docError(
            "not formatted correctly. 'signature_name' key must be a string value."));
      }
    } catch (JsonProcessingException e) {
      throw parseError(e, b);
    } catch (IOException e) {
      throw ServingException.invalidArgument("JSON Parse error: " + e.getMessage());
    }
  }

  /** State of the one top-level pass. */
  private static final class Pass {
    private final Body body;
    private final JsonParser p;
    private final SignatureInputs signatures;
    private boolean sigSeen;
    private boolean sigBad;
    private String sig;
    private long instancesOffset = -1;
    private long inputsOffset = -1;
    private boolean inlineTried;
    private String inlineSig;
    private Map<String, DataType> inlineInputs;
    private Map<String, InputTensor> inline;

    Pass(Body body, JsonParser p, SignatureInputs signatures) {
      this.body = body;
      this.p = p;
      this.signatures = signatures;
    }

    PredictJsonRequest run() throws IOException {
      try {
        return scanAndBuild();
      } catch (RuntimeException | IOException e) {
        closeInline();
        throw e;
      }
    }

    private PredictJsonRequest scanAndBuild() throws IOException {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw ServingException.invalidArgument(
            "JSON Parse error: The document is empty. at offset: " + body.length);
      }
      body.rootOffset = offset();
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        throw ServingException.invalidArgument(body.docError("Is not object"));
      }
      JsonStreamContext objCtx = p.getParsingContext();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        t = p.nextToken();
        switch (name) {
          case "signature_name" -> {
            if (!sigSeen) {
              sigSeen = true;
              sigBad = t != JsonToken.VALUE_STRING;
              sig = sigBad ? null : p.getText();
            }
            p.skipChildren();
          }
          case "instances", "inputs" -> dataValue(name.equals("instances"), objCtx);
          default -> p.skipChildren();
        }
      }
      return decide();
    }

    private void dataValue(boolean row, JsonStreamContext objCtx) throws IOException {
      long off = offset();
      if ((row ? instancesOffset : inputsOffset) >= 0) {
        p.skipChildren(); // rapidjson FindMember: the first occurrence wins
        return;
      }
      if (row) {
        instancesOffset = off;
      } else {
        inputsOffset = off;
      }
      if (inlineTried || sigBad) {
        closeInline(); // both keys present (an error), or the body is already bad
        p.skipChildren();
        return;
      }
      inlineTried = true;
      inlineSig = effectiveName(sigSeen ? sig : null);
      try {
        inlineInputs = signatures.inputsOf(inlineSig);
      } catch (ServingException e) {
        inlineInputs = null; // reported later, in TF Serving's order, if still relevant
      }
      if (inlineInputs == null || inlineInputs.isEmpty()) {
        p.skipChildren();
        return;
      }
      long cap = body.capacity(off, inlineInputs.size());
      try {
        inline = row ? FastFill.instances(p, inlineInputs, cap)
            : FastFill.inputs(p, inlineInputs, cap);
      } catch (FastFill.Fallback f) {
        while (p.getParsingContext() != objCtx) {
          p.nextToken();
        }
      }
    }

    private PredictJsonRequest decide() throws IOException {
      if (sigBad) {
        throw ServingException.invalidArgument(body.docError(
            "not formatted correctly. 'signature_name' key must be a string value."));
      }
      String sigName = effectiveName(sig);
      boolean sameAsInline = inlineTried && sigName.equals(inlineSig) && inlineInputs != null;
      Map<String, DataType> inputs = sameAsInline ? inlineInputs : signatures.inputsOf(sigName);
      if (inputs == null || inputs.isEmpty()) {
        throw ServingException.invalidArgument("Failed to get input map for signature: "
            + (sig == null || sig.isEmpty() ? "DEFAULT" : sig));
      }
      if (instancesOffset >= 0 && inputsOffset >= 0) {
        throw ServingException.invalidArgument(body.docError("Not formatted correctly expecting "
            + "only one of 'inputs' or 'instances' keys to exist "));
      }
      if (instancesOffset < 0 && inputsOffset < 0) {
        throw ServingException.invalidArgument("Missing 'inputs' or 'instances' key");
      }
      boolean row = instancesOffset >= 0;
      long off = row ? instancesOffset : inputsOffset;
      if (sameAsInline && inline != null) {
        PredictJsonRequest r = new PredictJsonRequest(sigName, row, inline);
        inline = null;
        return r;
      }
      closeInline();
      long cap = body.capacity(off, inputs.size());
      if (!sameAsInline) {
        try (JsonParser q = body.parserAt(off)) {
          Map<String, InputTensor> t = row ? FastFill.instances(q, inputs, cap)
              : FastFill.inputs(q, inputs, cap);
          return new PredictJsonRequest(sigName, row, t);
        } catch (FastFill.Fallback f) {
          // fall through to the exact path
        }
      }
      try (JsonParser q = body.parserAt(off)) {
        JsonDom.Node value = JsonDom.read(q, off);
        ExactFill exact = new ExactFill(body, inputs, cap);
        return new PredictJsonRequest(sigName, row,
            row ? exact.instances(value) : exact.columns(value));
      }
    }

    private long offset() {
      return p.currentTokenLocation().getByteOffset();
    }

    private void closeInline() {
      if (inline != null) {
        inline.values().forEach(InputTensor::close);
        inline = null;
      }
    }
  }

  /**
   * A parser for the value at {@code offset} in {@code body} (offsets relative to its position;
   * the buffer is not changed). A bare number there is copied out with a trailing space first:
   * Jackson insists that a root-level number be followed by whitespace.
   */
  static JsonParser parserAt(ByteBuffer body, long offset) throws IOException {
    int from = body.position() + (int) offset;
    int end = body.limit();
    byte c = from < end ? body.get(from) : 0;
    if (c == '-' || c == '+' || (c >= '0' && c <= '9') || c == 'N' || c == 'I') {
      int to = from;
      while (to < end && isNumberChar(body.get(to))) {
        to++;
      }
      byte[] copy = new byte[to - from + 1];
      body.duplicate().position(from).get(copy, 0, to - from);
      copy[copy.length - 1] = ' ';
      return FACTORY.createParser(copy);
    }
    ByteBuffer rest = body.duplicate();
    rest.position(Math.min(from, end));
    return BufferInput.parser(FACTORY, rest);
  }

  private static boolean isNumberChar(byte c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z');
  }

  static String effectiveName(String sig) {
    return sig == null || sig.isEmpty() ? DEFAULT_SIGNATURE : sig;
  }

  /** "JSON Parse error: ... at offset: N", with rapidjson's wording for the common cases. */
  static ServingException parseError(JsonProcessingException e, Body b) {
    String m = String.valueOf(e.getOriginalMessage());
    String text;
    if (m.contains("expected close marker for Object") || m.contains("comma to separate Object")
        || m.contains("within/between Object")) {
      text = "Missing a comma or '}' after an object member.";
    } else if (m.contains("expected close marker for Array") || m.contains("comma to separate Array")
        || m.contains("within/between Array")) {
      text = "Missing a comma or ']' after an array element.";
    } else if (m.contains("double-quote to start field name")) {
      text = "Missing a name for object member.";
    } else if (m.contains("was expecting a colon")) {
      text = "Missing a colon after a name of object member.";
    } else if (m.contains("end-of-input in VALUE_STRING") || m.contains("in field name")) {
      text = "Missing a closing quotation mark in string.";
    } else if (m.startsWith("Unrecognized token") || m.contains("expected a valid value")
        || m.contains("Non-standard token")) {
      text = "Invalid value.";
    } else if (m.contains("Unrecognized character escape")) {
      text = "Invalid escape character in string.";
    } else if (m.contains("Invalid UTF-8")) {
      text = "Invalid encoding in string.";
    } else {
      text = m;
    }
    JsonLocation loc = e.getLocation();
    long offset = loc == null ? -1 : loc.getByteOffset();
    return ServingException.invalidArgument("JSON Parse error: " + text
        + (offset >= 0 ? " at offset: " + offset : ""));
  }
}
