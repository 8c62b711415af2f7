package io.tessera.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictResponse;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Predict messages built with Camel's independently generated classes parse with ours to the same
 * bytes, with no unknown fields left, and the other way round.
 */
class PredictWireTest {
  @Test
  void predictRequestAndResponse() throws Exception {
    byte[] raw =
        ByteBuffer.allocate(6 * 4).order(ByteOrder.LITTLE_ENDIAN)
            .putFloat(1f).putFloat(2f).putFloat(3f).putFloat(4f).putFloat(5f).putFloat(6f)
            .array();
    tensorflow.serving.Predict.PredictRequest camel =
        tensorflow.serving.Predict.PredictRequest.newBuilder()
            .setModelSpec(RoundTrips.camelSpec())
            .putInputs(
                "x",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(RoundTrips.camelShape(3, 1))
                    .addFloatVal(1.0f).addFloatVal(2.5f).addFloatVal(-3f)
                    .build())
            .putInputs(
                "raw",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(RoundTrips.camelShape(2, 3))
                    .setTensorContent(ByteString.copyFrom(raw))
                    .build())
            .putInputs(
                "ids",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_INT64)
                    .setTensorShape(RoundTrips.camelShape(4))
                    .addInt64Val(1).addInt64Val(-2).addInt64Val(1L << 40).addInt64Val(0)
                    .build())
            .putInputs(
                "small",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_INT32)
                    .setTensorShape(RoundTrips.camelShape(2))
                    .addIntVal(7).addIntVal(-7)
                    .build())
            .putInputs(
                "text",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_STRING)
                    .setTensorShape(RoundTrips.camelShape(2))
                    .addStringVal(ByteString.copyFromUtf8("hello"))
                    .addStringVal(ByteString.copyFrom(new byte[] {0, (byte) 0xff, 1}))
                    .build())
            .putInputs(
                "flags",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_BOOL)
                    .setTensorShape(RoundTrips.camelShape(3))
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
                    .setTensorShape(RoundTrips.camelShape(2))
                    .addHalfVal(0x3c00).addHalfVal(0xc000)
                    .build())
            .putInputs(
                "c",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_COMPLEX128)
                    .setTensorShape(RoundTrips.camelShape(1))
                    .addDcomplexVal(1.5).addDcomplexVal(-0.5)
                    .build())
            .putInputs(
                "u",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_UINT64)
                    .setTensorShape(RoundTrips.camelShape(-1).toBuilder().setUnknownRank(false).build())
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
        RoundTrips.roundTrip(camel, PredictRequest.parser(), tensorflow.serving.Predict.PredictRequest.parser());
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
        RoundTrips.roundTrip(labelled, PredictRequest.parser(), tensorflow.serving.Predict.PredictRequest.parser());
    assertEquals("stable", l.getModelSpec().getVersionLabel());

    tensorflow.serving.Predict.PredictResponse camelResp =
        tensorflow.serving.Predict.PredictResponse.newBuilder()
            .setModelSpec(RoundTrips.camelSpec())
            .putOutputs(
                "y",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(RoundTrips.camelShape(3, 1))
                    .addFloatVal(2.5f).addFloatVal(3.25f).addFloatVal(0.5f)
                    .build())
            .build();
    PredictResponse r =
        RoundTrips.roundTrip(camelResp, PredictResponse.parser(), tensorflow.serving.Predict.PredictResponse.parser());
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
    RoundTrips.assertNoUnknownFields(camel, "camel PredictRequest");
    assertEquals(7L, camel.getModelSpec().getVersion().getValue());
    assertEquals(org.tensorflow.framework.DataType.DT_INT32, camel.getInputsOrThrow("in").getDtype());
    assertArrayEquals(ours.toByteArray(), camel.toByteArray());
  }
}
