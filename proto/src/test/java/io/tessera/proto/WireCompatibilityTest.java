package io.tessera.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.GetModelMetadataResponse;
import io.tessera.proto.serving.GetModelStatusResponse;
import io.tessera.proto.serving.ModelServiceGrpc;
import io.tessera.proto.serving.ModelVersionStatus;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictResponse;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.serving.SessionServiceGrpc;
import io.tessera.proto.serving.SignatureDefMap;
import io.tessera.proto.tf.Code;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks our own .proto definitions against the independently generated TensorFlow Serving
 * client classes shipped in {@code org.apache.camel:camel-tensorflow-serving} (Java packages
 * {@code tensorflow.serving}, {@code org.tensorflow.framework}, {@code org.tensorflow.example}).
 *
 * <p>Two kinds of checks: (1) a schema check of every message/enum we define against the Camel
 * descriptor with the same full proto name (field numbers, wire types, labels, packedness, oneofs,
 * referenced type names, enum numbers); (2) byte-level round trips of rich messages in both
 * directions.
 */
class WireCompatibilityTest {

  /** Fields we define that are newer than the TF Serving snapshot Camel 4.17 was generated from. */
  private static final Set<String> NEWER_THAN_CAMEL_FIELDS =
      Set.of(
          "tensorflow.serving.PredictRequest.RequestOptions.max_cache_length",
          "tensorflow.serving.PredictRequest.RequestOptions.return_all_stoptokens",
          "tensorflow.serving.LogMetadata.safe_aggregation_privacy_key",
          "tensorflow.serving.SamplingConfig.per_task_sampling_configs",
          "tensorflow.serving.LoggingConfig.custom_logging_config");

  private static final Set<String> NEWER_THAN_CAMEL_ENUM_VALUES =
      Set.of("tensorflow.serving.PredictStreamedOptions.RequestState.CANCEL");

  /** Messages we define that Camel's jar does not contain at all. */
  private static final Set<String> NOT_IN_CAMEL_MESSAGES =
      Set.of(
          "tensorflow.SavedModel",
          "tensorflow.serving.PerTaskSamplingConfig",
          "tensorflow.serving.ModelWarmupOptions",
          "tensorflow.serving.SessionBundleConfig",
          "tensorflow.serving.BatchingParameters",
          "tensorflow.serving.SavedModelBundleSourceAdapterConfig");

  // ---------------------------------------------------------------- schema check

  private static Map<String, Descriptor> messages(List<FileDescriptor> roots) {
    Map<String, Descriptor> out = new LinkedHashMap<>();
    Set<String> seen = new TreeSet<>();
    List<FileDescriptor> todo = new ArrayList<>(roots);
    while (!todo.isEmpty()) {
      FileDescriptor fd = todo.remove(todo.size() - 1);
      if (!seen.add(fd.getName())) {
        continue;
      }
      todo.addAll(fd.getDependencies());
      for (Descriptor d : fd.getMessageTypes()) {
        addMessage(d, out);
      }
    }
    return out;
  }

  private static void addMessage(Descriptor d, Map<String, Descriptor> out) {
    out.put(d.getFullName(), d);
    for (Descriptor n : d.getNestedTypes()) {
      addMessage(n, out);
    }
  }

  private static Map<String, EnumDescriptor> enums(List<FileDescriptor> roots) {
    Map<String, EnumDescriptor> out = new LinkedHashMap<>();
    Set<String> seen = new TreeSet<>();
    List<FileDescriptor> todo = new ArrayList<>(roots);
    while (!todo.isEmpty()) {
      FileDescriptor fd = todo.remove(todo.size() - 1);
      if (!seen.add(fd.getName())) {
        continue;
      }
      todo.addAll(fd.getDependencies());
      fd.getEnumTypes().forEach(e -> out.put(e.getFullName(), e));
      for (Descriptor d : messages(List.of(fd)).values()) {
        if (d.getFile() == fd) {
          d.getEnumTypes().forEach(e -> out.put(e.getFullName(), e));
        }
      }
    }
    return out;
  }

  private static List<FileDescriptor> ourRoots() {
    return List.of(
        io.tessera.proto.serving.PredictionServiceProtos.getDescriptor(),
        io.tessera.proto.serving.ModelServiceProtos.getDescriptor(),
        io.tessera.proto.serving.PredictionLogProtos.getDescriptor(),
        io.tessera.proto.serving.SessionServiceProtos.getDescriptor(),
        io.tessera.proto.serving.config.ModelServerConfigProtos.getDescriptor(),
        io.tessera.proto.serving.config.MonitoringConfigProtos.getDescriptor(),
        io.tessera.proto.serving.config.SslConfigProtos.getDescriptor(),
        io.tessera.proto.serving.config.PlatformConfigProtos.getDescriptor(),
        io.tessera.proto.serving.config.SavedModelBundleSourceAdapterProtos.getDescriptor(),
        io.tessera.proto.tf.SavedModelProtos.getDescriptor(),
        io.tessera.proto.tf.ExampleProtos.getDescriptor());
  }

  private static List<FileDescriptor> camelRoots() {
    return List.of(
        tensorflow.serving.PredictionServiceOuterClass.getDescriptor(),
        tensorflow.serving.ModelServiceOuterClass.getDescriptor(),
        tensorflow.serving.PredictionLogOuterClass.getDescriptor(),
        tensorflow.serving.SessionServiceOuterClass.getDescriptor(),
        tensorflow.serving.ModelServerConfigOuterClass.getDescriptor(),
        tensorflow.serving.MonitoringConfigOuterClass.getDescriptor(),
        tensorflow.serving.SslConfig.getDescriptor(),
        tensorflow.serving.PlatformConfigOuterClass.getDescriptor(),
        org.tensorflow.example.ExampleProtos.getDescriptor());
  }

  private static String typeName(FieldDescriptor f) {
    switch (f.getJavaType()) {
      case MESSAGE:
        return f.getMessageType().getFullName();
      case ENUM:
        return f.getEnumType().getFullName();
      default:
        return f.getType().name();
    }
  }

  @Test
  void everyFieldWeDefineMatchesUpstreamNumbersAndTypes() {
    Map<String, Descriptor> ours = messages(ourRoots());
    Map<String, Descriptor> theirs = messages(camelRoots());
    List<String> problems = new ArrayList<>();
    Set<String> missingMessages = new TreeSet<>();
    List<String> omitted = new ArrayList<>();
    int checkedFields = 0;

    for (Descriptor m : ours.values()) {
      Descriptor t = theirs.get(m.getFullName());
      if (t == null) {
        missingMessages.add(m.getFullName());
        continue;
      }
      assertEquals(
          t.getOptions().getMapEntry(), m.getOptions().getMapEntry(), m.getFullName() + " map-ness");
      for (FieldDescriptor f : m.getFields()) {
        String id = m.getFullName() + "." + f.getName();
        FieldDescriptor tf = t.findFieldByNumber(f.getNumber());
        if (tf == null) {
          if (!NEWER_THAN_CAMEL_FIELDS.contains(id)) {
            problems.add(id + " = " + f.getNumber() + ": no such field number upstream");
          }
          continue;
        }
        checkedFields++;
        if (!tf.getName().equals(f.getName())) {
          problems.add(id + ": upstream name is " + tf.getName());
        }
        if (tf.getType() != f.getType()) {
          problems.add(id + ": type " + f.getType() + " vs upstream " + tf.getType());
        }
        if (!typeName(tf).equals(typeName(f))) {
          problems.add(id + ": type name " + typeName(f) + " vs upstream " + typeName(tf));
        }
        if (tf.isRepeated() != f.isRepeated()) {
          problems.add(id + ": repeated mismatch");
        }
        if (tf.isPacked() != f.isPacked()) {
          problems.add(id + ": packed mismatch");
        }
        if (tf.hasPresence() != f.hasPresence()) {
          problems.add(id + ": presence mismatch");
        }
        String ourOneof =
            f.getRealContainingOneof() == null ? "" : f.getRealContainingOneof().getName();
        String theirOneof =
            tf.getRealContainingOneof() == null ? "" : tf.getRealContainingOneof().getName();
        if (!ourOneof.equals(theirOneof)) {
          problems.add(id + ": oneof '" + ourOneof + "' vs upstream '" + theirOneof + "'");
        }
      }
      for (FieldDescriptor tf : t.getFields()) {
        if (m.findFieldByNumber(tf.getNumber()) == null) {
          omitted.add(m.getFullName() + "." + tf.getName() + " = " + tf.getNumber());
        }
      }
    }

    Map<String, EnumDescriptor> ourEnums = enums(ourRoots());
    Map<String, EnumDescriptor> theirEnums = enums(camelRoots());
    for (EnumDescriptor e : ourEnums.values()) {
      EnumDescriptor te = theirEnums.get(e.getFullName());
      if (te == null) {
        missingMessages.add(e.getFullName());
        continue;
      }
      for (EnumValueDescriptor v : e.getValues()) {
        EnumValueDescriptor tv = te.findValueByName(v.getName());
        String id = e.getFullName() + "." + v.getName();
        if (tv == null) {
          if (!NEWER_THAN_CAMEL_ENUM_VALUES.contains(id)) {
            problems.add(id + ": no such enum value upstream");
          }
        } else if (tv.getNumber() != v.getNumber()) {
          problems.add(id + " = " + v.getNumber() + " vs upstream " + tv.getNumber());
        }
      }
      for (EnumValueDescriptor tv : te.getValues()) {
        if (e.findValueByName(tv.getName()) == null) {
          problems.add(e.getFullName() + "." + tv.getName() + ": upstream enum value missing");
        }
      }
    }

    System.out.println(
        "[wire-compat] checked " + checkedFields + " fields in " + ours.size() + " messages");
    System.out.println("[wire-compat] upstream fields we deliberately omit: " + omitted);
    assertTrue(problems.isEmpty(), "schema mismatches:\n" + String.join("\n", problems));
    assertEquals(
        new TreeSet<>(NOT_IN_CAMEL_MESSAGES), missingMessages, "messages absent from Camel's jar");
    assertTrue(checkedFields > 250, "too few fields cross-checked: " + checkedFields);
  }

  @Test
  void dataTypeEnumIsComplete() {
    EnumDescriptor ours = DataType.getDescriptor();
    EnumDescriptor theirs = org.tensorflow.framework.DataType.getDescriptor();
    assertEquals(theirs.getValues().size(), ours.getValues().size());
    for (EnumValueDescriptor tv : theirs.getValues()) {
      assertEquals(tv.getNumber(), ours.findValueByName(tv.getName()).getNumber(), tv.getName());
    }
    assertEquals(20, Code.DO_NOT_USE_RESERVED_FOR_FUTURE_EXPANSION_USE_DEFAULT_IN_SWITCH_INSTEAD_.getNumber());
  }

  // ---------------------------------------------------------------- round trips

  /** Recursively asserts that a parsed message kept no unknown fields anywhere. */
  private static void assertNoUnknownFields(Message m, String path) {
    assertTrue(
        m.getUnknownFields().asMap().isEmpty(),
        path + " has unknown fields " + m.getUnknownFields().asMap().keySet());
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.isRepeated()) {
        int i = 0;
        for (Object o : (List<?>) e.getValue()) {
          assertNoUnknownFields((Message) o, path + "." + f.getName() + "[" + i++ + "]");
        }
      } else {
        assertNoUnknownFields((Message) e.getValue(), path + "." + f.getName());
      }
    }
  }

  /**
   * Camel bytes -> our parse (no unknown fields) -> our bytes must equal Camel's bytes and parse back
   * to an equal Camel message; and the reverse direction from our message.
   */
  private static <O extends Message, C extends Message> O roundTrip(
      C camel, Parser<O> ourParser, Parser<C> camelParser) throws Exception {
    byte[] camelBytes = camel.toByteArray();
    assertTrue(camelBytes.length > 0);
    O ours = ourParser.parseFrom(camelBytes);
    assertNoUnknownFields(ours, ours.getDescriptorForType().getName());
    byte[] ourBytes = ours.toByteArray();
    assertArrayEquals(camelBytes, ourBytes, "re-serialized bytes differ");
    C back = camelParser.parseFrom(ourBytes);
    assertEquals(camel, back);
    assertNoUnknownFields(back, "camel " + back.getDescriptorForType().getName());
    return ours;
  }

  private static org.tensorflow.framework.TensorShapeProto camelShape(long... dims) {
    org.tensorflow.framework.TensorShapeProto.Builder b =
        org.tensorflow.framework.TensorShapeProto.newBuilder();
    for (long d : dims) {
      b.addDim(org.tensorflow.framework.TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }

  private static tensorflow.serving.Model.ModelSpec camelSpec() {
    return tensorflow.serving.Model.ModelSpec.newBuilder()
        .setName("half_plus_two")
        .setVersion(Int64Value.of(123))
        .setSignatureName("serving_default")
        .build();
  }

  @Test
  void predictRequestAndResponse() throws Exception {
    byte[] raw =
        ByteBuffer.allocate(6 * 4).order(ByteOrder.LITTLE_ENDIAN)
            .putFloat(1f).putFloat(2f).putFloat(3f).putFloat(4f).putFloat(5f).putFloat(6f)
            .array();
    tensorflow.serving.Predict.PredictRequest camel =
        tensorflow.serving.Predict.PredictRequest.newBuilder()
            .setModelSpec(camelSpec())
            .putInputs(
                "x",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(camelShape(3, 1))
                    .addFloatVal(1.0f).addFloatVal(2.5f).addFloatVal(-3f)
                    .build())
            .putInputs(
                "raw",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(camelShape(2, 3))
                    .setTensorContent(ByteString.copyFrom(raw))
                    .build())
            .putInputs(
                "ids",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_INT64)
                    .setTensorShape(camelShape(4))
                    .addInt64Val(1).addInt64Val(-2).addInt64Val(1L << 40).addInt64Val(0)
                    .build())
            .putInputs(
                "small",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_INT32)
                    .setTensorShape(camelShape(2))
                    .addIntVal(7).addIntVal(-7)
                    .build())
            .putInputs(
                "text",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_STRING)
                    .setTensorShape(camelShape(2))
                    .addStringVal(ByteString.copyFromUtf8("hello"))
                    .addStringVal(ByteString.copyFrom(new byte[] {0, (byte) 0xff, 1}))
                    .build())
            .putInputs(
                "flags",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_BOOL)
                    .setTensorShape(camelShape(3))
                    .addBoolVal(true).addBoolVal(false).addBoolVal(true)
                    .build())
            .putInputs(
                "d",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_DOUBLE)
                    .setTensorShape(org.tensorflow.framework.TensorShapeProto.getDefaultInstance())
                    .addDoubleVal(Math.PI)
                    .build())
            .putInputs(
                "h",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_HALF)
                    .setTensorShape(camelShape(2))
                    .addHalfVal(0x3c00).addHalfVal(0xc000)
                    .build())
            .putInputs(
                "c",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_COMPLEX128)
                    .setTensorShape(camelShape(1))
                    .addDcomplexVal(1.5).addDcomplexVal(-0.5)
                    .build())
            .putInputs(
                "u",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_UINT64)
                    .setTensorShape(camelShape(-1).toBuilder().setUnknownRank(false).build())
                    .addUint64Val(-1L).addUint32Val(-1)
                    .setFloat8Val(ByteString.copyFrom(new byte[] {1, 2}))
                    .setVersionNumber(0)
                    .build())
            .addOutputFilter("y")
            .addOutputFilter("z")
            .setPredictStreamedOptions(
                tensorflow.serving.Predict.PredictStreamedOptions.newBuilder()
                    .setRequestState(
                        tensorflow.serving.Predict.PredictStreamedOptions.RequestState.SPLIT)
                    .putSplitDimensions("x", 0)
                    .setReturnSingleResponse(true))
            .setClientId(ByteString.copyFromUtf8("client-1"))
            .setRequestOptions(
                tensorflow.serving.Predict.PredictRequest.RequestOptions.newBuilder()
                    .setDeterministicMode(
                        tensorflow.serving.Predict.PredictRequest.RequestOptions.DeterministicMode
                            .FIXED_DECODER_SLOT)
                    .addReturnStoptokens(5))
            .build();

    PredictRequest ours =
        roundTrip(camel, PredictRequest.parser(), tensorflow.serving.Predict.PredictRequest.parser());
    assertEquals("half_plus_two", ours.getModelSpec().getName());
    assertEquals(123L, ours.getModelSpec().getVersion().getValue());
    assertEquals("serving_default", ours.getModelSpec().getSignatureName());
    TensorProto x = ours.getInputsOrThrow("x");
    assertEquals(DataType.DT_FLOAT, x.getDtype());
    assertEquals(List.of(1.0f, 2.5f, -3f), x.getFloatValList());
    assertEquals(3, x.getTensorShape().getDim(0).getSize());
    assertEquals(ByteString.copyFrom(raw), ours.getInputsOrThrow("raw").getTensorContent());
    assertEquals(1L << 40, ours.getInputsOrThrow("ids").getInt64Val(2));
    assertEquals("hello", ours.getInputsOrThrow("text").getStringVal(0).toStringUtf8());
    assertEquals(List.of("y", "z"), ours.getOutputFilterList());
    assertTrue(ours.hasClientId());

    // Version label variant of the oneof.
    tensorflow.serving.Predict.PredictRequest labelled =
        tensorflow.serving.Predict.PredictRequest.newBuilder()
            .setModelSpec(
                tensorflow.serving.Model.ModelSpec.newBuilder().setName("m").setVersionLabel("stable"))
            .build();
    PredictRequest l =
        roundTrip(labelled, PredictRequest.parser(), tensorflow.serving.Predict.PredictRequest.parser());
    assertEquals("stable", l.getModelSpec().getVersionLabel());

    tensorflow.serving.Predict.PredictResponse camelResp =
        tensorflow.serving.Predict.PredictResponse.newBuilder()
            .setModelSpec(camelSpec())
            .putOutputs(
                "y",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(camelShape(3, 1))
                    .addFloatVal(2.5f).addFloatVal(3.25f).addFloatVal(0.5f)
                    .build())
            .build();
    PredictResponse r =
        roundTrip(camelResp, PredictResponse.parser(), tensorflow.serving.Predict.PredictResponse.parser());
    assertEquals(3.25f, r.getOutputsOrThrow("y").getFloatVal(1));
  }

  @Test
  void predictRequestBuiltWithOurClassesParsesInCamel() throws Exception {
    PredictRequest ours =
        PredictRequest.newBuilder()
            .setModelSpec(
                io.tessera.proto.serving.ModelSpec.newBuilder()
                    .setName("m")
                    .setVersion(Int64Value.of(7))
                    .setSignatureName("sig"))
            .putInputs(
                "in",
                TensorProto.newBuilder()
                    .setDtype(DataType.DT_INT32)
                    .setTensorShape(
                        io.tessera.proto.tf.TensorShapeProto.newBuilder()
                            .addDim(io.tessera.proto.tf.TensorShapeProto.Dim.newBuilder().setSize(2)))
                    .addIntVal(1)
                    .addIntVal(2)
                    .build())
            .build();
    tensorflow.serving.Predict.PredictRequest camel =
        tensorflow.serving.Predict.PredictRequest.parseFrom(ours.toByteArray());
    assertNoUnknownFields(camel, "camel PredictRequest");
    assertEquals(7L, camel.getModelSpec().getVersion().getValue());
    assertEquals(org.tensorflow.framework.DataType.DT_INT32, camel.getInputsOrThrow("in").getDtype());
    assertArrayEquals(ours.toByteArray(), camel.toByteArray());
  }

  @Test
  void getModelStatusResponse() throws Exception {
    tensorflow.serving.GetModelStatus.GetModelStatusResponse camel =
        tensorflow.serving.GetModelStatus.GetModelStatusResponse.newBuilder()
            .addModelVersionStatus(
                tensorflow.serving.GetModelStatus.ModelVersionStatus.newBuilder()
                    .setVersion(2)
                    .setState(tensorflow.serving.GetModelStatus.ModelVersionStatus.State.AVAILABLE)
                    .setStatus(
                        tensorflow.serving.Status.StatusProto.newBuilder()
                            .setErrorCode(org.tensorflow.framework.Code.OK)))
            .addModelVersionStatus(
                tensorflow.serving.GetModelStatus.ModelVersionStatus.newBuilder()
                    .setVersion(1)
                    .setState(tensorflow.serving.GetModelStatus.ModelVersionStatus.State.END)
                    .setStatus(
                        tensorflow.serving.Status.StatusProto.newBuilder()
                            .setErrorCode(org.tensorflow.framework.Code.NOT_FOUND)
                            .setErrorMessage("gone")))
            .build();
    GetModelStatusResponse ours =
        roundTrip(
            camel,
            GetModelStatusResponse.parser(),
            tensorflow.serving.GetModelStatus.GetModelStatusResponse.parser());
    assertEquals(ModelVersionStatus.State.AVAILABLE, ours.getModelVersionStatus(0).getState());
    assertEquals(Code.NOT_FOUND, ours.getModelVersionStatus(1).getStatus().getErrorCode());
    assertEquals("gone", ours.getModelVersionStatus(1).getStatus().getErrorMessage());

    for (tensorflow.serving.GetModelStatus.ModelVersionStatus.State s :
        tensorflow.serving.GetModelStatus.ModelVersionStatus.State.values()) {
      if (s != tensorflow.serving.GetModelStatus.ModelVersionStatus.State.UNRECOGNIZED) {
        assertEquals(s.getNumber(), ModelVersionStatus.State.valueOf(s.name()).getNumber());
      }
    }
  }

  @Test
  void getModelMetadataResponseWithSignatureDefMapInAny() throws Exception {
    org.tensorflow.framework.SignatureDef sig =
        org.tensorflow.framework.SignatureDef.newBuilder()
            .putInputs(
                "x",
                org.tensorflow.framework.TensorInfo.newBuilder()
                    .setName("serving_default_x:0")
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(camelShape(-1, 1))
                    .build())
            .putInputs(
                "sp",
                org.tensorflow.framework.TensorInfo.newBuilder()
                    .setCooSparse(
                        org.tensorflow.framework.TensorInfo.CooSparse.newBuilder()
                            .setValuesTensorName("v:0")
                            .setIndicesTensorName("i:0")
                            .setDenseShapeTensorName("s:0"))
                    .setDtype(org.tensorflow.framework.DataType.DT_INT64)
                    .build())
            .putOutputs(
                "y",
                org.tensorflow.framework.TensorInfo.newBuilder()
                    .setName("StatefulPartitionedCall:0")
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(
                        org.tensorflow.framework.TensorShapeProto.newBuilder().setUnknownRank(true))
                    .build())
            .setMethodName("tensorflow/serving/predict")
            .putDefaults(
                "x",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .addFloatVal(0f)
                    .build())
            .build();
    tensorflow.serving.GetModelMetadata.SignatureDefMap map =
        tensorflow.serving.GetModelMetadata.SignatureDefMap.newBuilder()
            .putSignatureDef("serving_default", sig)
            .putSignatureDef(
                "__saved_model_init_op",
                org.tensorflow.framework.SignatureDef.newBuilder()
                    .putOutputs(
                        "__saved_model_init_op",
                        org.tensorflow.framework.TensorInfo.newBuilder().setName("NoOp").build())
                    .build())
            .build();
    tensorflow.serving.GetModelMetadata.GetModelMetadataResponse camel =
        tensorflow.serving.GetModelMetadata.GetModelMetadataResponse.newBuilder()
            .setModelSpec(camelSpec())
            .putMetadata("signature_def", Any.pack(map))
            .build();

    GetModelMetadataResponse ours =
        roundTrip(
            camel,
            GetModelMetadataResponse.parser(),
            tensorflow.serving.GetModelMetadata.GetModelMetadataResponse.parser());
    Any any = ours.getMetadataOrThrow("signature_def");
    assertEquals("type.googleapis.com/tensorflow.serving.SignatureDefMap", any.getTypeUrl());
    SignatureDefMap ourMap = any.unpack(SignatureDefMap.class);
    assertNoUnknownFields(ourMap, "SignatureDefMap");
    io.tessera.proto.tf.SignatureDef s = ourMap.getSignatureDefOrThrow("serving_default");
    assertEquals("tensorflow/serving/predict", s.getMethodName());
    assertEquals("serving_default_x:0", s.getInputsOrThrow("x").getName());
    assertEquals("i:0", s.getInputsOrThrow("sp").getCooSparse().getIndicesTensorName());
    assertTrue(s.getOutputsOrThrow("y").getTensorShape().getUnknownRank());
    assertArrayEquals(map.toByteArray(), ourMap.toByteArray());

    // Our own packing produces the same type URL Camel expects.
    GetModelMetadataResponse built =
        GetModelMetadataResponse.newBuilder().putMetadata("signature_def", Any.pack(ourMap)).build();
    tensorflow.serving.GetModelMetadata.GetModelMetadataResponse parsed =
        tensorflow.serving.GetModelMetadata.GetModelMetadataResponse.parseFrom(built.toByteArray());
    assertEquals(
        map,
        parsed.getMetadataOrThrow("signature_def")
            .unpack(tensorflow.serving.GetModelMetadata.SignatureDefMap.class));
  }

  @Test
  void classificationRequestWithExamples() throws Exception {
    org.tensorflow.example.Example ex1 =
        org.tensorflow.example.Example.newBuilder()
            .setFeatures(
                org.tensorflow.example.Features.newBuilder()
                    .putFeature(
                        "age",
                        org.tensorflow.example.Feature.newBuilder()
                            .setInt64List(
                                org.tensorflow.example.Int64List.newBuilder().addValue(42).addValue(-1))
                            .build())
                    .putFeature(
                        "score",
                        org.tensorflow.example.Feature.newBuilder()
                            .setFloatList(
                                org.tensorflow.example.FloatList.newBuilder().addValue(0.25f))
                            .build())
                    .putFeature(
                        "name",
                        org.tensorflow.example.Feature.newBuilder()
                            .setBytesList(
                                org.tensorflow.example.BytesList.newBuilder()
                                    .addValue(ByteString.copyFromUtf8("ada")))
                            .build()))
            .build();
    org.tensorflow.example.Example ctx =
        org.tensorflow.example.Example.newBuilder()
            .setFeatures(
                org.tensorflow.example.Features.newBuilder()
                    .putFeature(
                        "country",
                        org.tensorflow.example.Feature.newBuilder()
                            .setBytesList(
                                org.tensorflow.example.BytesList.newBuilder()
                                    .addValue(ByteString.copyFromUtf8("NZ")))
                            .build()))
            .build();

    tensorflow.serving.Classification.ClassificationRequest plain =
        tensorflow.serving.Classification.ClassificationRequest.newBuilder()
            .setModelSpec(camelSpec())
            .setInput(
                tensorflow.serving.InputOuterClass.Input.newBuilder()
                    .setExampleList(
                        tensorflow.serving.InputOuterClass.ExampleList.newBuilder()
                            .addExamples(ex1)
                            .addExamples(org.tensorflow.example.Example.getDefaultInstance())))
            .build();
    ClassificationRequest ours =
        roundTrip(
            plain,
            ClassificationRequest.parser(),
            tensorflow.serving.Classification.ClassificationRequest.parser());
    assertEquals(2, ours.getInput().getExampleList().getExamplesCount());
    assertEquals(
        42L,
        ours.getInput().getExampleList().getExamples(0).getFeatures()
            .getFeatureOrThrow("age").getInt64List().getValue(0));

    tensorflow.serving.Classification.ClassificationRequest withContext =
        tensorflow.serving.Classification.ClassificationRequest.newBuilder()
            .setModelSpec(camelSpec())
            .setInput(
                tensorflow.serving.InputOuterClass.Input.newBuilder()
                    .setExampleListWithContext(
                        tensorflow.serving.InputOuterClass.ExampleListWithContext.newBuilder()
                            .addExamples(ex1)
                            .setContext(ctx)))
            .build();
    ClassificationRequest ours2 =
        roundTrip(
            withContext,
            ClassificationRequest.parser(),
            tensorflow.serving.Classification.ClassificationRequest.parser());
    assertEquals(
        "NZ",
        ours2.getInput().getExampleListWithContext().getContext().getFeatures()
            .getFeatureOrThrow("country").getBytesList().getValue(0).toStringUtf8());

    tensorflow.serving.Classification.ClassificationResponse resp =
        tensorflow.serving.Classification.ClassificationResponse.newBuilder()
            .setModelSpec(camelSpec())
            .setResult(
                tensorflow.serving.Classification.ClassificationResult.newBuilder()
                    .addClassifications(
                        tensorflow.serving.Classification.Classifications.newBuilder()
                            .addClasses(
                                tensorflow.serving.Classification.Class.newBuilder()
                                    .setLabel("cat").setScore(0.9f))
                            .addClasses(
                                tensorflow.serving.Classification.Class.newBuilder()
                                    .setLabel("dog").setScore(0.1f))))
            .build();
    io.tessera.proto.serving.ClassificationResponse r =
        roundTrip(
            resp,
            io.tessera.proto.serving.ClassificationResponse.parser(),
            tensorflow.serving.Classification.ClassificationResponse.parser());
    assertEquals("dog", r.getResult().getClassifications(0).getClasses(1).getLabel());
  }

  @Test
  void grpcMethodNamesMatch() {
    Map<String, String> pairs = new HashMap<>();
    pairs.put(
        PredictionServiceGrpc.getPredictMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getPredictMethod().getFullMethodName());
    pairs.put(
        PredictionServiceGrpc.getClassifyMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getClassifyMethod().getFullMethodName());
    pairs.put(
        PredictionServiceGrpc.getRegressMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getRegressMethod().getFullMethodName());
    pairs.put(
        PredictionServiceGrpc.getMultiInferenceMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getMultiInferenceMethod().getFullMethodName());
    pairs.put(
        PredictionServiceGrpc.getGetModelMetadataMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getGetModelMetadataMethod().getFullMethodName());
    pairs.put(
        ModelServiceGrpc.getGetModelStatusMethod().getFullMethodName(),
        tensorflow.serving.ModelServiceGrpc.getGetModelStatusMethod().getFullMethodName());
    pairs.put(
        ModelServiceGrpc.getHandleReloadConfigRequestMethod().getFullMethodName(),
        tensorflow.serving.ModelServiceGrpc.getHandleReloadConfigRequestMethod().getFullMethodName());
    pairs.put(
        SessionServiceGrpc.getSessionRunMethod().getFullMethodName(),
        tensorflow.serving.SessionServiceGrpc.getSessionRunMethod().getFullMethodName());
    pairs.forEach((ours, theirs) -> assertEquals(theirs, ours));
    assertEquals(
        "tensorflow.serving.PredictionService/Predict",
        PredictionServiceGrpc.getPredictMethod().getFullMethodName());
    assertEquals(
        "tensorflow.serving.ModelService/GetModelStatus",
        ModelServiceGrpc.getGetModelStatusMethod().getFullMethodName());

    assertEquals(
        tensorflow.serving.PredictionServiceGrpc.getServiceDescriptor().getMethods().size(),
        PredictionServiceGrpc.getServiceDescriptor().getMethods().size());
    assertEquals(
        tensorflow.serving.ModelServiceGrpc.getServiceDescriptor().getMethods().size(),
        ModelServiceGrpc.getServiceDescriptor().getMethods().size());
  }
}
