/**
 * Server-side image preprocessing: clients send JPEG/PNG files instead of float tensors.
 *
 * <p>Operator: one config per model, {@code <model_base_path>/tessera_image.json} (or per version
 * in {@code <version>/assets.extra/}); format and defaults in
 * {@code proto/src/main/proto/tessera/image_preprocessing.proto}. For mobilenet_v2:
 * {@code {"value": {"scale": 0.00784313725490196, "offset": -1}, "labels_file": "labels.txt"}}.
 *
 * <p>Wiring (done by {@code io.tessera.serving}: its {@code ServedModel} at load, its
 * {@code Pipeline} per request, for every front end), all calls thread-safe:
 * <ol>
 *   <li>At version load: {@link io.tessera.image.ImageConfigs#forModel(java.nio.file.Path,
 *       java.nio.file.Path, java.util.function.Function)} with the bundle's signature lookup; a
 *       present config becomes an {@link io.tessera.image.ImagePreprocessor} kept with the version
 *       and released with it (errors: INVALID_ARGUMENT naming file and field; fail the load).</li>
 *   <li>Per request: collect the encoded images (REST: members named by
 *       {@link io.tessera.image.ImageConfig#isImageKey} holding {"b64": ...}, or bare {"b64": ...}
 *       instances when {@link io.tessera.image.ImageConfig#acceptsBareB64}; gRPC: a DT_STRING tensor
 *       under {@link io.tessera.image.ImageConfig#inputAlias}) and call
 *       {@link io.tessera.image.ImagePreprocessor#decodeBatch(java.util.List,
 *       io.tessera.image.DecodeDeadline)} with the request's deadline (REST
 *       --rest_api_timeout_in_ms, the gRPC call's deadline); feed the returned tensor (caller
 *       closes it) as the input alias; the run gets what the deadline has left.</li>
 *   <li>Decoding is TensorFlow's own ({@link io.tessera.image.NativeImageDecoder}: a small graph
 *       per version through {@link io.tessera.nativebridge.ImageGraph}, closed with the version by
 *       {@link io.tessera.image.ImagePreprocessor#close}); the javax.imageio decoder
 *       ({@link io.tessera.image.ImagePreprocessor#withImageIo}) remains as the benchmark's
 *       baseline. Front ends may pass images as slices of their request buffers
 *       ({@link io.tessera.image.ImagePreprocessor#decodeBuffers}), decoded in place.</li>
 *   <li>Optional labels: {@link io.tessera.image.ImagePredictions#topK(java.util.List, int,
 *       java.util.Optional)} on a [N, classes] output with {@link io.tessera.image.ImageConfig#labels}.</li>
 * </ol>
 *
 * <p>Imports the servables' signatures, tensors, native host buffers, admission and status; never serving or a front end.
 */
package io.tessera.image;
