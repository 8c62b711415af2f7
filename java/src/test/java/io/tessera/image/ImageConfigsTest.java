package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.tessera.ChannelOrder;
import io.tessera.proto.tessera.ImagePreprocessing;
import io.tessera.proto.tessera.ResizeMode;
import io.tessera.proto.tf.SignatureDef;
import io.tessera.proto.tf.TensorInfo;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.servables.Signature;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config files: JSON and text proto, defaults from the signature, location/override, clear errors. */
class ImageConfigsTest {
  @TempDir Path base;

  private static final Signature MOBILENET = signature(Map.of(
      "images", input(DataType.DT_FLOAT, -1, 224, 224, 3)));

  @Test
  void jsonAndTextProtoGiveTheSameConfig() {
    ImagePreprocessing json = ImageConfigs.parse("""
        {"input": "images", "resize": "CENTER_CROP", "channelOrder": "BGR",
         "value": {"mean": [103.939, 116.779, 123.68]}, "image_keys": ["image_bytes", "b64"],
         "maxEncodedBytes": "1000", "default_top_k": 3}""", "a.json");
    ImagePreprocessing text = ImageConfigs.parse("""
        # text proto works too
        input: "images" resize: CENTER_CROP channel_order: BGR
        value { mean: [103.939, 116.779, 123.68] }
        image_keys: "image_bytes" image_keys: "b64"
        max_encoded_bytes: 1000 default_top_k: 3""", "a.pbtxt");
    assertEquals(json, text);
    ImageConfig config = resolve(json);
    assertEquals(ResizeMode.CENTER_CROP, config.resize());
    assertEquals(ChannelOrder.BGR, config.channelOrder());
    assertArrayEquals(new double[] {-103.939, -116.779, -123.68}, config.addend(), 1e-9);
    assertArrayEquals(new double[] {1, 1, 1}, config.multiplier(), 1e-12);
    assertEquals(1000, config.maxEncodedBytes());
    assertTrue(config.isImageKey("image_bytes"));
    assertTrue(config.isImageKey("images"), "the input alias is always an image key");
    assertFalse(config.isImageKey("b64"));
    assertTrue(config.acceptsBareB64());
  }

  @Test
  void everyImageLimitIsConfigurableAndZeroMeansTheDefault() {
    ImageConfig config = resolve(ImageConfigs.parse("""
        {"maxDecodedBytes": "1000000", "max_request_decoded_bytes": "5000000",
         "maxImagesPerRequest": 8, "max_jpeg_scans": 20, "maxDecodeMillis": "2500",
         "max_decoded_pixels": 0}""", "limits.json"));
    assertEquals(new ImageLimits(ImageLimits.DEFAULT_MAX_ENCODED_BYTES,
        ImageLimits.DEFAULT_MAX_DECODED_PIXELS, 1_000_000, 5_000_000, 8, 20, 2500), config.limits());
    assertError(MOBILENET, "{\"max_jpeg_scans\": -1}", "field max_jpeg_scans");
    assertError(MOBILENET, "{\"max_decode_millis\": -1}", "field max_decode_millis");
  }

  @Test
  void emptyConfigTakesDefaultsFromTheSignature() {
    ImageConfig config = resolve(ImageConfigs.parse("{}", "empty.json"));
    assertEquals("serving_default", config.signatureName());
    assertEquals("images", config.inputAlias());
    assertEquals(224, config.height());
    assertEquals(224, config.width());
    assertEquals(ResizeMode.STRETCH, config.resize());
    assertEquals(DataType.DT_FLOAT, config.dtype());
    assertEquals(ImageConfig.DEFAULT_IMAGE_KEYS, config.imageKeys());
    assertEquals(ImageLimits.DEFAULTS, config.limits());
    assertTrue(config.labels().isEmpty());
    ImageConfig mobilenet = resolve(ImageConfigs.parse(
        "{\"value\": {\"scale\": 0.00784313725490196, \"offset\": -1}}", "m.json"));
    assertEquals(-1.0, 0 * mobilenet.multiplier()[0] + mobilenet.addend()[0], 1e-12);
    assertEquals(1.0, 255 * mobilenet.multiplier()[1] + mobilenet.addend()[1], 1e-12);
  }

  @Test
  void versionAssetsExtraOverridesTheBasePathFileAndLabelsResolveFromTheBase() throws Exception {
    Path version = Files.createDirectories(base.resolve("1"));
    assertEquals(Optional.empty(), ImageConfigs.forModel(base, version, MOBILENET));
    Files.writeString(base.resolve("labels.txt"), "background\ncat\ndog\n\n");
    Files.writeString(base.resolve(ImageConfigs.FILE_NAME), "{\"labels_file\": \"labels.txt\"}");
    ImageConfig fromBase = ImageConfigs.forModel(base, version, MOBILENET).orElseThrow();
    assertEquals(3, fromBase.labels().orElseThrow().size());
    assertEquals("dog", fromBase.labels().orElseThrow().get(2));
    assertEquals(null, fromBase.labels().orElseThrow().get(3));

    Files.createDirectories(version.resolve("assets.extra"));
    Files.writeString(version.resolve("assets.extra").resolve(ImageConfigs.FILE_NAME), "dtype: DT_FLOAT\n");
    ImageConfig fromVersion = ImageConfigs.forModel(base, version, MOBILENET).orElseThrow();
    assertTrue(fromVersion.labels().isEmpty(), "the version's file replaces the base file");
    assertTrue(fromVersion.source().endsWith("assets.extra/" + ImageConfigs.FILE_NAME));
  }

  @Test
  void uint8InputsAndDynamicSizes() {
    Signature dynamic = signature(Map.of("pixels", input(DataType.DT_UINT8, -1, -1, -1, 3)));
    ImageConfig config = ImageConfigs.resolve(ImageConfigs.parse("height: 96 width: 128", "t"), "t",
        base, name -> dynamic);
    assertEquals(DataType.DT_UINT8, config.dtype());
    assertEquals("pixels", config.inputAlias());
    assertEquals(96 * 128 * 3, config.elementsPerImage());
    assertError(dynamic, "{}", "f.json, field height: the signature's height is not static; set it");
  }

  @Test
  void errorsNameTheFileAndTheField() {
    assertError(MOBILENET, "{\"heigth\": 3}", "invalid image config f.json");
    assertError(MOBILENET, "{\"heigth\": 3}", "heigth");
    assertError(MOBILENET, "resize: SQUASH", "invalid image config f.json");
    assertError(MOBILENET, "{\"input\": \"pixels\"}", "field input: signature \"serving_default\" has no input \"pixels\"");
    assertError(MOBILENET, "{\"height\": 300}", "field height: 300 contradicts the signature's static height 224");
    assertError(MOBILENET, "{\"dtype\": \"DT_UINT8\"}", "field dtype: DT_UINT8 contradicts input \"images\" of dtype DT_FLOAT");
    assertError(MOBILENET, "{\"value\": {\"std\": [1, 0, 1]}}", "field value.std: must not be 0");
    assertError(MOBILENET, "{\"value\": {\"mean\": [1, 2]}}", "field value.mean: needs 3 values");
    assertError(MOBILENET, "{\"signature_name\": \"other\"}", "field signature_name: the model has no signature \"other\"");
    assertError(MOBILENET, "{\"labels_file\": \"missing.txt\"}", "field labels_file: cannot read labels file");
    assertError(MOBILENET, "{\"default_top_k\": -1}", "field default_top_k");
    assertError(MOBILENET, "{\"max_decoded_pixels\": -5}", "field max_decoded_pixels");
    Signature two = signature(Map.of("a", input(DataType.DT_FLOAT, -1, 8, 8, 3),
        "b", input(DataType.DT_FLOAT, -1, 8, 8, 3)));
    assertError(two, "{}", "field input: cannot choose the image input: signature \"serving_default\" has 2");
    Signature gray = signature(Map.of("x", input(DataType.DT_FLOAT, -1, 8, 8, 1)));
    assertError(gray, "{\"input\": \"x\"}", "has 1 channels; Tessera produces 3");
  }

  private void assertError(Signature signature, String text, String fragment) {
    ServingException e = assertThrows(ServingException.class, () -> ImageConfigs.resolve(
        ImageConfigs.parse(text, "f.json"), "f.json", base, name -> name.equals(signature.key()) ? signature : null));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  private ImageConfig resolve(ImagePreprocessing config) {
    return ImageConfigs.resolve(config, "test", base, name -> name.equals(MOBILENET.key()) ? MOBILENET : null);
  }

  private static Signature signature(Map<String, TensorInfo> inputs) {
    SignatureDef def = SignatureDef.newBuilder().putAllInputs(inputs)
        .setMethodName("tensorflow/serving/predict").build();
    return new Signature(Signature.DEFAULT_KEY, def, Map.of(), Map.of());
  }

  private static TensorInfo input(DataType dtype, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorInfo.newBuilder().setName("input:0").setDtypeValue(dtype.number()).setTensorShape(shape).build();
  }
}
