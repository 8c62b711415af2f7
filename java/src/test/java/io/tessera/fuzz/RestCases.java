package io.tessera.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * REST request templates: a valid request for one of the fuzz server's models (half_plus_two,
 * mobilenet, image) or a status/metadata/page GET, which {@link #generate} then mutates (JSON tree,
 * JSON text, raw bytes) and frames ({@link HttpFraming}: headers, chunking, gzip, pipelining).
 */
final class RestCases {
  static final String HPT = FuzzCases.HALF_PLUS_TWO;

  private RestCases() {}

  /** A request line target, method and JSON body (null for GETs); what the template is. */
  record Template(String method, String path, String body) {}

  static FuzzCase.Rest generate(SplittableRandom r, List<String> log) {
    int shape = r.nextInt(100);
    if (shape < 4) {
      log.add("random bytes");
      return HttpFraming.garbage(Mutators.randomBytes(r, 1 + r.nextInt(4096)));
    }
    if (shape < 12) {
      int n = 2 + r.nextInt(4);
      log.add("pipelined x" + n);
      return HttpFraming.pipeline(r, n, () -> template(r, log), log);
    }
    Template t = template(r, log);
    String body = t.body();
    byte[] bytes = null;
    if (body != null) {
      int m = r.nextInt(10);
      if (m < 3) {
        bytes = Mutators.utf8(Mutators.textEdit(body, r, log));
      } else if (m == 3) {
        bytes = Mutators.mutateBytes(Mutators.utf8(body), r, log);
      } else if (m == 4) {
        int at = r.nextInt(body.length() + 1);
        log.add("truncate-json@" + at);
        bytes = Mutators.utf8(body.substring(0, at));
      } else {
        bytes = Mutators.utf8(body);
      }
    }
    String path = t.path();
    if (r.nextInt(10) == 0) {
      path = Paths.mutatePath(path, r, log);
    }
    String method = t.method();
    if (r.nextInt(15) == 0) {
      String[] methods = {"GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "post", "FOO", "CONNECT"};
      method = methods[r.nextInt(methods.length)];
      log.add("method " + method);
    }
    HttpFraming.Framed framed = HttpFraming.frame(r, method, path, bytes, log);
    if (r.nextInt(25) == 0) {
      log.add("mutate-wire");
      return HttpFraming.garbage(Mutators.mutateBytes(framed.wire(), r, log));
    }
    boolean wellFormed = !framed.broken() && HttpFraming.standardMethod(method) && HttpFraming.validTarget(path);
    return new FuzzCase.Rest(framed.wire(), List.of(path), List.of(method.equals("HEAD")), wellFormed, !wellFormed);
  }

  /** A valid (or nearly valid) request; the body is JSON text, possibly tree-mutated. */
  static Template template(SplittableRandom r, List<String> log) {
    int start = log.size();
    int k = r.nextInt(100);
    String verb = ":predict";
    JsonNode body;
    String model;
    if (k < 18) {
      model = HPT;
      body = hptPredict(r, log);
    } else if (k < 30) {
      model = HPT;
      verb = r.nextBoolean() ? ":classify" : ":regress";
      body = examples(r, verb, log);
    } else if (k < 40) {
      model = FuzzCases.MOBILENET;
      body = mobilenet(r, log);
    } else if (k < 58) {
      model = FuzzCases.IMAGE;
      body = image(r, log);
    } else if (k < 85) {
      Template get = Paths.get(r, log);
      return r.nextInt(10) == 0 ? new Template("POST", get.path(), "{}") : get;
    } else {
      return Paths.randomPath(r, log);
    }
    if (r.nextInt(3) == 0) {
      body = Mutators.mutateTree(body, r, log);
      log.add("(tree)");
    }
    String version = "";
    if (r.nextInt(8) == 0) {
      version = r.nextBoolean() ? "/versions/" + Paths.version(r) : "/labels/" + Mutators.randomString(r, 5).replaceAll("[^a-z]", "");
      log.add(version);
    }
    log.add(start, "POST " + model + verb);
    return new Template("POST", "/v1/models/" + model + version + verb, body.toString());
  }

  private static JsonNode hptPredict(SplittableRandom r, List<String> log) {
    ObjectNode o = Mutators.F.objectNode();
    ArrayNode values = Mutators.F.arrayNode();
    for (int i = 0, n = r.nextInt(6); i < n; i++) {
      values.add(r.nextInt(4) == 0 ? r.nextInt(100) : (float) (r.nextDouble() * 10));
    }
    switch (r.nextInt(4)) {
      case 0 -> {
        log.add("row");
        o.set("instances", values);
      }
      case 1 -> {
        log.add("columnar");
        o.set("inputs", r.nextBoolean() ? values : Mutators.F.objectNode().set("x", values));
      }
      case 2 -> {
        log.add("row-objects");
        ArrayNode rows = o.putArray("instances");
        values.forEach(v -> rows.add(Mutators.F.objectNode().set("x", v)));
      }
      default -> {
        log.add("row-2d");
        ArrayNode rows = o.putArray("instances");
        values.forEach(v -> rows.add(Mutators.F.arrayNode().add(v)));
      }
    }
    if (r.nextInt(4) == 0) {
      String[] sigs = {"serving_default", "regress_x_to_y", "classify_x_to_y", "", "nope", "regress_x2_to_y3"};
      o.put("signature_name", sigs[r.nextInt(sigs.length)]);
    }
    return o;
  }

  private static JsonNode examples(SplittableRandom r, String verb, List<String> log) {
    ObjectNode o = Mutators.F.objectNode();
    String[] sigs = verb.equals(":classify") ? new String[] {"classify_x_to_y", "serving_default", "regress_x_to_y"}
        : new String[] {"regress_x_to_y", "regress_x_to_y2", "regress_x2_to_y3", "classify_x_to_y"};
    o.put("signature_name", sigs[r.nextInt(sigs.length)]);
    ArrayNode ex = o.putArray("examples");
    for (int i = 0, n = r.nextInt(5); i < n; i++) {
      ex.add(feature(r));
    }
    if (r.nextInt(4) == 0) {
      o.set("context", feature(r));
    }
    log.add(ex.size() + " examples");
    return o;
  }

  /** One tf.Example as TF Serving's REST JSON: feature name → value or list. */
  private static ObjectNode feature(SplittableRandom r) {
    ObjectNode f = Mutators.F.objectNode();
    String[] names = {"x", "x", "x2", "y", ""};
    switch (r.nextInt(5)) {
      case 0 -> f.put(names[r.nextInt(names.length)], (float) r.nextDouble() * 100);
      case 1 -> f.put(names[r.nextInt(names.length)], r.nextLong());
      case 2 -> f.set("x", Mutators.F.arrayNode().add(1.5).add(2.5).add(r.nextInt(9)));
      case 3 -> f.set("x", Mutators.F.objectNode().put("b64", Base64.getEncoder().encodeToString(Mutators.randomBytes(r, 8))));
      default -> f.put("x", Mutators.randomString(r, 4));
    }
    return f;
  }

  /** Float pixels for mobilenet: mostly a small wrong shape (rejected early), rarely the real 224×224×3. */
  private static JsonNode mobilenet(SplittableRandom r, List<String> log) {
    boolean full = r.nextInt(6) == 0;
    int h = full ? 224 : 1 + r.nextInt(8);
    int w = full ? 224 : 1 + r.nextInt(8);
    int c = full || r.nextBoolean() ? 3 : 1 + r.nextInt(5);
    log.add("pixels " + h + "x" + w + "x" + c);
    ArrayNode image = Mutators.F.arrayNode();
    for (int y = 0; y < h; y++) {
      ArrayNode row = image.addArray();
      for (int x = 0; x < w; x++) {
        ArrayNode px = row.addArray();
        for (int i = 0; i < c; i++) {
          px.add(r.nextInt(3) - 1);
        }
      }
    }
    ObjectNode o = Mutators.F.objectNode();
    if (r.nextBoolean()) {
      o.putArray("instances").add(r.nextBoolean() ? image : Mutators.F.objectNode().set("images", image));
    } else {
      o.putObject("inputs").putArray("images").add(image);
    }
    return o;
  }

  /** The image API: b64 image files (valid and hostile), row or columnar, with odd top_k. */
  private static JsonNode image(SplittableRandom r, List<String> log) {
    ObjectNode o = Mutators.F.objectNode();
    ArrayNode images = Mutators.F.arrayNode();
    int budget = 900_000;
    for (int i = 0, n = 1 + (r.nextInt(4) == 0 ? r.nextInt(4) : 0); i < n; i++) {
      byte[] img = Images.pick(r, log);
      String b64 = Base64.getEncoder().encodeToString(img);
      if (b64.length() > budget) {
        break;
      }
      budget -= b64.length();
      images.add(Mutators.F.objectNode().put("b64", b64));
    }
    String[] keys = {"image_bytes", "images", "image_bytes", "b64", "image"};
    String key = keys[r.nextInt(keys.length)];
    if (r.nextBoolean()) {
      ArrayNode rows = o.putArray("instances");
      images.forEach(img -> rows.add(key.equals("b64") ? img : Mutators.F.objectNode().set(key, img)));
    } else {
      o.putObject("inputs").set(key.equals("b64") ? "image_bytes" : key, images);
    }
    log.add("image " + key + (o.has("inputs") ? " columnar" : " row"));
    if (r.nextBoolean()) {
      long[] topK = {1, 3, 5, 0, -1, 1001, 1002, Integer.MAX_VALUE, Long.MAX_VALUE};
      o.put("top_k", topK[r.nextInt(topK.length)]);
    }
    return o;
  }
}
