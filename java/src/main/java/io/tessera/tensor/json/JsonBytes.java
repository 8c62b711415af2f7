package io.tessera.tensor.json;

import com.fasterxml.jackson.core.io.NumberInput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A forward-only reader of a request body's bytes for {@link FloatListReader}: a heap buffer's
 * array in place, a direct buffer through a small reused window (never the whole body copied).
 * It reads only the plainest JSON (whitespace, punctuation, escape-free ASCII strings, numbers)
 * and throws {@link FastFill.Fallback} at anything else, so the general reader takes over.
 *
 * <p>Numbers are read exactly as the general path reads them: an integer token as the correctly
 * rounded double of its value, zero as +0.0 even when written "-0" (Jackson gives a long, cast to
 * double); a token with a fraction or exponent correctly rounded as Jackson's fast double parser
 * does, computed in one double operation when the significand is below 2^53 and the decimal
 * exponent within ±22 (Clinger), else by that same parser ({@link NumberInput#parseDouble}; long
 * significands such as the 17 digits of a float32 printed as a Python float), except that for
 * an input read as floats those are first tried in double arithmetic
 * ({@link DecimalValues#sameFloat}).
 */
final class JsonBytes {
  /** Bytes made available before a number is read; longer numbers go to the general reader. */
  private static final int LOOKAHEAD = 64;
  private static final int WINDOW = 1 << 15;
  /** Bytes {@link #numberLists} wants readable before a list (less only at the body's end). */
  private static final int WINDOW_SLACK = 1 << 12;
  private static final double[] POW10 = DecimalValues.POW10;

  private final char[] chars = new char[LOOKAHEAD];
  private final ByteBuffer rest;  // a direct body's bytes not yet in the window; null for heap
  private final int origin;       // index in b of the body's first byte
  private long shifted;           // body bytes dropped from the window's front so far
  /**
   * Whether the numbers read next are only ever used as floats (an input of DT_FLOAT, DT_HALF or
   * DT_BFLOAT16, whose values are the double's float): then a long significand may be read as a
   * double other than the exact one but with the same float ({@link DecimalValues#sameFloat}).
   * Set by the caller per input; false (exact doubles) unless set.
   */
  boolean floatTarget;
  byte[] b;
  int pos;
  int end;

  JsonBytes(ByteBuffer body) {
    if (body.hasArray()) {
      b = body.array();
      origin = body.arrayOffset() + body.position();
      pos = origin;
      end = body.arrayOffset() + body.limit();
      rest = null;
    } else {
      b = new byte[WINDOW];
      origin = 0;
      rest = body.duplicate();
      refill();
    }
  }

  /** The body offset of the next byte. */
  long offset() {
    return shifted + pos - origin;
  }

  /** The next byte after whitespace (not consumed), or -1 at the end of the body. */
  int peek() {
    while (true) {
      if (pos == end && !refill()) {
        return -1;
      }
      int c = b[pos] & 0xff;
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return c;
      }
      pos++;
    }
  }

  /** Consumes the byte {@link #peek} returned if it is {@code c}, else falls back. */
  void expect(char c) {
    if (peek() != c) {
      throw FastFill.Fallback.INSTANCE;
    }
    pos++;
  }

  /** A string of printable ASCII without escapes, after whitespace; else falls back. */
  String plainString() {
    expect('"');
    if (end - pos < 4 * LOOKAHEAD) {
      refill();
    }
    int start = pos;
    while (true) {
      if (pos == end) {
        throw FastFill.Fallback.INSTANCE;  // unterminated, or too long for the window's lookahead
      }
      byte c = b[pos];
      if (c == '"') {
        return new String(b, start, pos++ - start, StandardCharsets.ISO_8859_1);
      }
      if (c < 0x20 || c == '\\' || c > 0x7e) {
        throw FastFill.Fallback.INSTANCE;
      }
      pos++;
    }
  }

  /** Whether {@code c} (from {@link #peek}) can start a number this reader reads. */
  static boolean startsNumber(int c) {
    return c == '-' || (c >= '0' && c <= '9');
  }

  /** The number at the current byte (a {@link #startsNumber} byte, after whitespace). */
  double number() {
    if (end - pos < LOOKAHEAD) {
      refill();
    }
    return plainNumber();
  }

  /**
   * Consecutive lists of exactly {@code size} numbers, {@code [n, ..., n]} separated by commas,
   * from the '[' at the current byte, into {@code out} from index {@code at} while a whole list
   * fits. It stops when what follows is not another such list in the common spelling, near the
   * window's end, or when {@code out} is full: the reader is then right after the last list read,
   * or at the '[' of the next one (their comma consumed), which is left unread (its values in
   * {@code out} are to be ignored) for the caller to read byte by byte. Returns how many lists
   * were read.
   */
  int numberLists(int size, double[] out, int at) {
    int lists = 0;
    int n = at;
    try {
      while (n + size <= out.length) {
        if (end - pos < WINDOW_SLACK) {
          refill();
        }
        final byte[] in = b;
        final int limit = end - LOOKAHEAD;  // a number starting before it has all its bytes here
        int i = pos + 1;  // past '['
        for (int k = 0; k < size; k++) {
          if (k > 0) {
            while (in[i] <= ' ' && isSpace(in[i])) {
              i++;
            }
            if (in[i] != ',') {
              return lists;
            }
            i++;
          }
          while (in[i] <= ' ' && isSpace(in[i])) {
            i++;
          }
          if (i >= limit) {
            return lists;  // near the window's end (or past it, in whitespace): byte by byte
          }
          // plainNumber's spelling, with fewer branches. A number that starts before the limit
          // and is not longer than 15 digits ends before the window's end; a longer one is not
          // read here, and one that runs to the end of the array throws out of the loop.
          boolean negative = in[i] == '-';
          if (negative) {
            i++;
          }
          final int first = i;
          long digits = 0;
          int d = in[i] - '0';
          while (Integer.compareUnsigned(d, 10) < 0) {
            digits = digits * 10 + d;
            d = in[++i] - '0';
          }
          int intDigits = i - first;
          int fracDigits = 0;
          if (d == '.' - '0') {
            int from = ++i;
            d = in[i] - '0';
            while (Integer.compareUnsigned(d, 10) < 0) {
              digits = digits * 10 + d;
              d = in[++i] - '0';
            }
            fracDigits = i - from;
            if (fracDigits == 0) {
              return lists;  // "1.": an error, for the byte-by-byte reader to find
            }
          }
          if (intDigits == 0 | intDigits + fracDigits > 15 | ((d + '0') | 0x20) == 'e'
              | (intDigits > 1 & in[first] == '0')) {
            return lists;  // another spelling (or an error): for the byte-by-byte reader
          }
          double v = fracDigits == 0 ? (double) digits : digits / POW10[fracDigits];
          out[n + k] = negative ? (fracDigits == 0 && digits == 0 ? 0.0 : -v) : v;  // "-0": +0.0
        }
        while (in[i] <= ' ' && isSpace(in[i])) {
          i++;
        }
        if (i >= end || in[i] != ']') {
          return lists;
        }
        pos = ++i;  // this list is read
        n += size;
        lists++;
        while (i < end && in[i] <= ' ' && isSpace(in[i])) {
          i++;
        }
        if (i >= end || in[i] != ',') {
          return lists;
        }
        i++;
        while (i < end && in[i] <= ' ' && isSpace(in[i])) {
          i++;
        }
        if (i >= end || in[i] != '[') {
          return lists;
        }
        pos = i;  // the next list's '['
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      // a run of digits or whitespace to the end of the array: the byte-by-byte reader's
    }
    return lists;
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  private double plainNumber() {
    // The common spelling, kept small enough to be inlined: -?digits(.digits)?, at most 15
    // digits (so below 2^53), no exponent, no leading zero; anything else is read by general().
    final byte[] in = b;
    final int limit = end;
    int i = pos;
    boolean negative = in[i] == '-';
    if (negative) {
      i++;
    }
    final int first = i;
    long digits = 0;
    int c = i < limit ? in[i] : 0;
    while (c >= '0' && c <= '9') {
      digits = digits * 10 + (c - '0');
      c = ++i < limit ? in[i] : 0;
    }
    int intDigits = i - first;
    int fracDigits = -1;
    if (c == '.') {
      int from = ++i;
      c = i < limit ? in[i] : 0;
      while (c >= '0' && c <= '9') {
        digits = digits * 10 + (c - '0');
        c = ++i < limit ? in[i] : 0;
      }
      fracDigits = i - from;
    }
    if (intDigits == 0 || fracDigits == 0 || c == 'e' || c == 'E'
        || (intDigits > 1 && in[first] == '0')) {
      return general();
    }
    if (intDigits + fracDigits > 15) {
      // A long significand (a float32 printed as a Python float): up to 18 digits are exact in
      // the long read above; for a float input tried in double arithmetic, else read by general().
      double v = floatTarget && fracDigits > 0 && intDigits + fracDigits <= 18
          ? DecimalValues.sameFloat(digits, -fracDigits) : Double.NaN;
      if (Double.isNaN(v)) {
        return general();
      }
      pos = i;
      return negative ? -v : v;
    }
    pos = i;
    if (fracDigits < 0) {
      return negative && digits != 0 ? -(double) digits : (double) digits;  // "-0" is +0.0
    }
    double v = digits / POW10[fracDigits];
    return negative ? -v : v;
  }

  /** Any JSON number (or a fallback), from the current byte. */
  private double general() {
    final byte[] in = b;
    final int limit = end;
    final int start = pos;
    int i = start;
    boolean negative = in[i] == '-';
    if (negative) {
      i++;
    }
    int c = i < limit ? in[i] : 0;
    long digits = 0;
    int significant = 0;
    int exp10 = 0;
    if (c == '0') {
      c = ++i < limit ? in[i] : 0;
      if (c >= '0' && c <= '9') {
        throw FastFill.Fallback.INSTANCE;  // leading zero: invalid JSON
      }
    } else if (c >= '1' && c <= '9') {
      do {
        digits = digits * 10 + (c - '0');
        significant++;
        c = ++i < limit ? in[i] : 0;
      } while (c >= '0' && c <= '9');
    } else {
      throw FastFill.Fallback.INSTANCE;  // NaN, -Infinity, a lone '-': the general reader's
    }
    boolean integer = true;
    if (c == '.') {
      integer = false;
      c = ++i < limit ? in[i] : 0;
      if (c < '0' || c > '9') {
        throw FastFill.Fallback.INSTANCE;
      }
      do {
        digits = digits * 10 + (c - '0');
        if (digits != 0) {
          significant++;
        }
        exp10--;
        c = ++i < limit ? in[i] : 0;
      } while (c >= '0' && c <= '9');
    }
    if (c == 'e' || c == 'E') {
      integer = false;
      c = ++i < limit ? in[i] : 0;
      boolean negativeExp = c == '-';
      if (c == '-' || c == '+') {
        c = ++i < limit ? in[i] : 0;
      }
      if (c < '0' || c > '9') {
        throw FastFill.Fallback.INSTANCE;
      }
      int e = 0;
      do {
        e = Math.min(e * 10 + (c - '0'), 100_000);
        c = ++i < limit ? in[i] : 0;
      } while (c >= '0' && c <= '9');
      exp10 += negativeExp ? -e : e;
    }
    if (i - start >= LOOKAHEAD) {
      throw FastFill.Fallback.INSTANCE;  // long numbers (Jackson limits their length) go general
    }
    pos = i;
    if (significant > 18) {
      return parsed(start, i);
    }
    double v;
    if (integer) {
      return negative && digits != 0 ? -(double) digits : (double) digits;  // "-0" is +0.0
    } else if (digits == 0) {
      v = 0.0;
    } else {
      v = DecimalValues.exact(digits, exp10);
      if (Double.isNaN(v) && floatTarget) {
        v = DecimalValues.sameFloat(digits, exp10);
      }
      if (Double.isNaN(v)) {
        return parsed(start, i);
      }
    }
    return negative ? -v : v;
  }

  /** Jackson's own double parsing of the ASCII number b[from, to) (shorter than LOOKAHEAD). */
  private double parsed(int from, int to) {
    for (int i = from; i < to; i++) {
      chars[i - from] = (char) b[i];
    }
    return NumberInput.parseDouble(chars, 0, to - from, true);
  }

  /**
   * Moves the unread bytes to the window's front and reads more of a direct body behind them;
   * false when nothing more came (a heap body, or the end).
   */
  private boolean refill() {
    if (rest == null || !rest.hasRemaining()) {
      return false;
    }
    int unread = end - pos;
    System.arraycopy(b, pos, b, 0, unread);
    shifted += pos;
    pos = 0;
    int n = Math.min(rest.remaining(), b.length - unread);
    rest.get(b, unread, n);
    end = unread + n;
    return true;
  }
}
