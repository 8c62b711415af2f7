package io.tessera.tensor.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tessera.admission.MemoryBudget;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal DOM with rapidjson's number classification (Int/Uint/Int64/Uint64/Double), built
 * iteratively (no recursion, so deep nesting is safe). Only the exact (slow) path uses it: for
 * errors and unusual bodies, never for the common case.
 *
 * <p>A node costs far more heap than its text ({@link #NODE_BYTES} against 2 bytes for "0,"), so a
 * body built to fail the streaming path could otherwise turn 256 MiB of JSON into gigabytes: the
 * DOM's estimated size is reserved on {@link MemoryBudget#process()} while it is read
 * (RESOURCE_EXHAUSTED when it does not fit) and held by the root until {@link Node#release()}.
 */
final class JsonDom {
  /** Estimated heap bytes per node (object, list slot in its parent, boxed fields). */
  static final int NODE_BYTES = 64;
  private static final int STEP = 64 << 10;
  enum Kind { NULL, FALSE, TRUE, OBJECT, ARRAY, STRING, NUMBER }

  static final int INT64 = 0;
  static final int UINT64_HIGH = 1;
  static final int DOUBLE = 2;

  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  static final class Node {
    final Kind kind;
    final long offset;
    List<Node> items;
    List<String> keys;
    String text;
    int numKind;
    long lv;
    double dv;
    private MemoryBudget.Reservation held; // the root's: the whole DOM's estimated bytes

    Node(Kind kind, long offset) {
      this.kind = kind;
      this.offset = offset;
    }

    int size() {
      return items.size();
    }

    /** Returns the DOM's reservation (on the root; idempotent). */
    void release() {
      if (held != null) {
        held.close();
      }
    }

    boolean isNumber() {
      return kind == Kind.NUMBER;
    }

    boolean isInt() {
      return kind == Kind.NUMBER && numKind == INT64 && lv == (int) lv;
    }

    boolean isUint() {
      return kind == Kind.NUMBER && numKind == INT64 && lv >= 0 && lv <= 0xffffffffL;
    }

    boolean isInt64() {
      return kind == Kind.NUMBER && numKind == INT64;
    }

    boolean isUint64() {
      return kind == Kind.NUMBER && (numKind == UINT64_HIGH || (numKind == INT64 && lv >= 0));
    }

    double getDouble() {
      return switch (numKind) {
        case INT64 -> (double) lv;
        case UINT64_HIGH -> new BigInteger(Long.toUnsignedString(lv)).doubleValue();
        default -> dv;
      };
    }

    /** The first member named {@code key} (rapidjson FindMember), or null. */
    Node member(String key) {
      for (int i = 0; i < keys.size(); i++) {
        if (keys.get(i).equals(key)) {
          return items.get(i);
        }
      }
      return null;
    }

    boolean isB64Object() {
      if (kind != Kind.OBJECT || keys.size() != 1) {
        return false;
      }
      Node v = member("b64");
      return v != null && v.kind == Kind.STRING;
    }

    String jsonType() {
      return switch (kind) {
        case NULL -> "Null";
        case FALSE -> "False";
        case TRUE -> "True";
        case OBJECT -> "Object";
        case ARRAY -> "Array";
        case STRING -> "String";
        case NUMBER -> "Number";
      };
    }
  }

  private JsonDom() {}

  /**
   * Builds the value starting at the parser's current token; offsets get {@code base} added.
   * The caller {@link Node#release() releases} the result.
   *
   * @throws io.tessera.status.ServingException RESOURCE_EXHAUSTED when the DOM does not fit the budget
   */
  static Node read(JsonParser p, long base) throws IOException {
    MemoryBudget.Reservation held = MemoryBudget.Reservation.empty();
    try {
      Node root = build(p, base, held);
      root.held = held;
      return root;
    } catch (RuntimeException | IOException e) {
      held.close();
      throw e;
    }
  }

  private static Node build(JsonParser p, long base, MemoryBudget.Reservation held) throws IOException {
    ArrayDeque<Node> stack = new ArrayDeque<>();
    String pendingKey = null;
    long unreserved = 0;
    JsonToken t = p.currentToken();
    while (true) {
      long offset = base + p.currentTokenLocation().getByteOffset();
      Node node = null;
      switch (t) {
        case FIELD_NAME -> {
          pendingKey = p.currentName();
          unreserved += 2L * pendingKey.length();
        }
        case START_OBJECT, START_ARRAY -> {
          Node c = new Node(t == JsonToken.START_OBJECT ? Kind.OBJECT : Kind.ARRAY, offset);
          c.items = new ArrayList<>();
          if (c.kind == Kind.OBJECT) {
            c.keys = new ArrayList<>();
          }
          attach(stack, pendingKey, c);
          stack.push(c);
          unreserved += 2 * NODE_BYTES;
        }
        case END_OBJECT, END_ARRAY -> node = stack.pop();
        case VALUE_STRING -> {
          node = new Node(Kind.STRING, offset);
          node.text = p.getText();
          attach(stack, pendingKey, node);
          unreserved += NODE_BYTES + 2L * node.text.length();
        }
        case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> {
          node = new Node(t == JsonToken.VALUE_TRUE ? Kind.TRUE
              : t == JsonToken.VALUE_FALSE ? Kind.FALSE : Kind.NULL, offset);
          attach(stack, pendingKey, node);
          unreserved += NODE_BYTES;
        }
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
          node = number(p, t, offset);
          attach(stack, pendingKey, node);
          unreserved += NODE_BYTES;
        }
        default -> throw new IOException("unexpected token " + t);
      }
      if (unreserved >= STEP || (node != null && stack.isEmpty())) {
        held.grow(unreserved, "JSON document (exact path)");
        unreserved = 0;
      }
      if (node != null && stack.isEmpty()) {
        return node;
      }
      t = p.nextToken();
      if (t == null) {
        throw new IOException("unexpected end of input");
      }
    }
  }

  private static void attach(ArrayDeque<Node> stack, String key, Node child) {
    Node parent = stack.peek();
    if (parent == null) {
      return;
    }
    if (parent.kind == Kind.OBJECT) {
      parent.keys.add(key);
    }
    parent.items.add(child);
  }

  static Node number(JsonParser p, JsonToken t, long offset) throws IOException {
    Node n = new Node(Kind.NUMBER, offset);
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      n.numKind = INT64;
      n.lv = p.getLongValue();
    } else if (t == JsonToken.VALUE_NUMBER_INT) {
      BigInteger b = p.getBigIntegerValue();
      if (b.signum() > 0 && b.compareTo(TWO_64) < 0) {
        n.numKind = UINT64_HIGH;
        n.lv = b.longValue();
      } else {
        n.numKind = DOUBLE;
        n.dv = b.doubleValue();
      }
    } else {
      n.numKind = DOUBLE;
      n.dv = p.getDoubleValue();
    }
    return n;
  }
}
