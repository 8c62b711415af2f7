#!/usr/bin/env bash
# The runtime image's layout steps after its COPY lines, shared by docker/Dockerfile,
# docker/Dockerfile.gpu (ROOT=/) and ImageLayoutIT / bench/image-startup.sh (ROOT=a temp dir built by
# docker/layout-from-checkout.sh): with ROOT/opt/tessera/{lib,bin} and ROOT/usr/bin/tf_serving_entrypoint.sh
# in place,
#   - the command names the tensorflow/serving image has (relative links, valid under any ROOT);
#   - /models for the model volume;
#   - TensorFlow's natives (and Tessera's, CUDA's in the GPU image) extracted now, at build time, into
#     /opt/tessera/javacpp-cache, read-only, with the list of their directories (library-dirs) from
#     which bin/.tessera-java loads them in place: a container starts without writing ~650 MB to /tmp,
#     and runs with a read-only root filesystem.
# Usage: image-layout.sh ROOT
set -euo pipefail
root="$(cd "${1:?usage: image-layout.sh ROOT}" && pwd)"
mkdir -p "$root/usr/bin" "$root/models"
ln -sfn ../../opt/tessera/bin/tensorflow_model_server "$root/usr/bin/tensorflow_model_server"
ln -sfn ../../opt/tessera/bin/tessera "$root/usr/bin/tessera"
cache="$root/opt/tessera/javacpp-cache"
rm -rf "$cache"
# --version loads every native library the server uses, which JavaCPP extracts into the cache.
TESSERA_JAVA_OPTS="-Dorg.bytedeco.javacpp.cachedir=$cache" "$root/opt/tessera/bin/tensorflow_model_server" --version
rm -f "$cache/.lock"
# The directories holding the extracted libraries, relative to the cache: bin/.tessera-java loads
# them from there (JavaCPP's pathsFirst), so nothing is extracted or written at run time.
(cd "$cache" && find . -name '*.so*' -printf '%h\n' | sed 's|^\./||' | sort -u) > "$cache/library-dirs"
chmod -R a+rX,a-w "$cache"
chmod -R a+rX "$root/opt/tessera" "$root/models"
