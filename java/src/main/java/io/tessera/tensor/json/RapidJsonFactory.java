package io.tessera.tensor.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;
import java.io.IOException;
import java.io.InputStream;

/**
 * Jackson byte parsers that read request JSON as TF Serving's rapidjson 1.1.0 does with
 * {@code kParseNanAndInfFlag} ({@code util/json_tensor.cc} ParseJson): the non-finite numbers are
 * exactly {@code NaN}, {@code Inf}, {@code Infinity}, {@code -Inf}, {@code -Infinity} and
 * {@code -NaN} (read as NaN); Jackson's own {@code +Infinity}, {@code +INF} and {@code -INF} and
 * any leading '+' are invalid values. Input is UTF-8 (a leading UTF-8 BOM is skipped, as
 * rapidjson's EncodedInputStream does; no other encoding is detected), nesting is unlimited
 * (rapidjson parses iteratively; depth limits are TF's maximum tensor rank, checked where
 * tensors are built) and string length is unlimited (the body limit bounds it). Only byte input
 * ({@code createParser(byte[]...)} / {@code (InputStream)}) gets these rules.
 */
public final class RapidJsonFactory extends JsonFactory {
  private static final long serialVersionUID = 1L;

  /** The request parsers' factory. */
  public static final RapidJsonFactory INSTANCE = new RapidJsonFactory();

  private RapidJsonFactory() {
    // The fast double parser (Jackson's shaded FastDoubleParser) rounds exactly as
    // Double.parseDouble does, 2-4x faster: it dominates decoding of large float instances.
    super(new JsonFactoryBuilder()
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(Integer.MAX_VALUE)
            .maxStringLength(Integer.MAX_VALUE)
            .maxNumberLength(10_000)
            .build()));
  }

  @Override
  protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
    int start = hasBom(data, offset, offset + len) ? offset + 3 : offset;
    return new Parser(ctxt, _parserFeatures, null, _objectCodec, _byteSymbolCanonicalizer.makeChild(_factoryFeatures),
        data, start, offset + len, start - offset, false);
  }

  @Override
  protected JsonParser _createParser(InputStream in, IOContext ctxt) throws IOException {
    byte[] buffer = ctxt.allocReadIOBuffer();
    int end = 0;
    while (end < 3) {
      int n = in.read(buffer, end, buffer.length - end);
      if (n < 0) {
        break;
      }
      end += n;
    }
    int start = hasBom(buffer, 0, end) ? 3 : 0;
    return new Parser(ctxt, _parserFeatures, in, _objectCodec, _byteSymbolCanonicalizer.makeChild(_factoryFeatures),
        buffer, start, end, start, true);
  }

  private static boolean hasBom(byte[] b, int from, int to) {
    return to - from >= 3 && b[from] == (byte) 0xEF && b[from + 1] == (byte) 0xBB && b[from + 2] == (byte) 0xBF;
  }

  /** Jackson's UTF-8 parser with rapidjson's spellings of the non-finite numbers. */
  private static final class Parser extends UTF8StreamJsonParser {
    Parser(IOContext ctxt, int features, InputStream in, ObjectCodec codec, ByteQuadsCanonicalizer symbols,
        byte[] buffer, int start, int end, int preProcessed, boolean recyclable) {
      super(ctxt, features, in, codec, symbols, buffer, start, end, preProcessed, recyclable);
    }

    /** A value starting with a byte that starts no JSON value ({@code c} already read). */
    @Override
    protected JsonToken _handleUnexpectedValue(int c) throws IOException {
      if (c == 'I') {
        return infinity(false);
      }
      if (c == '+') {
        --_inputPtr;  // rapidjson reports the '+' itself
        _reportError("Non-standard token '+': rapidjson accepts no leading plus sign");
      }
      return super._handleUnexpectedValue(c);
    }

    /** After a '-' that no digit follows ({@code ch} already read). */
    @Override
    protected JsonToken _handleInvalidNumberStart(int ch, boolean neg, boolean hasSign) throws IOException {
      if (neg && ch == 'I') {
        return infinity(true);
      }
      if (neg && ch == 'N') {
        expect('a', "-N");
        expect('N', "-Na");
        return resetAsNaN("-NaN", Double.NaN);  // rapidjson drops the sign of a NaN
      }
      return super._handleInvalidNumberStart(ch, neg, hasSign);
    }

    /** After "I" (or "-I"): "nf", then "inity" if an 'i' follows. */
    private JsonToken infinity(boolean negative) throws IOException {
      String sign = negative ? "-" : "";
      expect('n', sign + "I");
      expect('f', sign + "In");
      String text = sign + "Inf";
      if (peek() == 'i') {
        for (char c : "inity".toCharArray()) {
          expect(c, text);
          text += c;
        }
      }
      return resetAsNaN(text, negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }

    private int peek() throws IOException {
      if (_inputPtr >= _inputEnd && !_loadMore()) {
        return -1;
      }
      return _inputBuffer[_inputPtr] & 0xFF;
    }

    private void expect(char c, String soFar) throws IOException {
      if (peek() != c) {
        _reportError("Non-standard token '" + soFar + "': rapidjson's non-finite numbers are NaN, Inf, Infinity,"
            + " -Inf, -Infinity");
      }
      _inputPtr++;
    }
  }
}
