#!/usr/bin/env bash
# Builds docker/Dockerfile's runtime filesystem under ROOT from this checkout's build
# (mvn -q install -DskipTests), without a Docker engine: the same files as the Dockerfile's COPY
# lines (the runtime jars the build stage's dependency:copy-dependencies collects, read here from
# java/target/classpath.txt, plus the server jar; bin/; the entrypoint), then docker/image-layout.sh.
# Used by ImageLayoutIT and bench/image-startup.sh. Usage: layout-from-checkout.sh ROOT
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
root="${1:?usage: layout-from-checkout.sh ROOT}"
jar="$(ls "$repo"/java/target/tessera-server-*.jar | grep -v -e sources -e tests | head -n 1)"
[[ -f "$jar" && -f "$repo/java/target/classpath.txt" ]] || { echo "build first: mvn -q install -DskipTests" >&2; exit 1; }
mkdir -p "$root/opt/tessera/lib" "$root/opt/tessera/bin" "$root/usr/bin"
# COPY --from=build /opt/tessera/lib /opt/tessera/lib
tr ':' '\n' < "$repo/java/target/classpath.txt" | while read -r dependency; do
  [[ -n "$dependency" ]] && cp "$dependency" "$root/opt/tessera/lib/"
done
cp "$jar" "$root/opt/tessera/lib/"
# COPY bin/tensorflow_model_server bin/tessera bin/.tessera-java /opt/tessera/bin/
cp "$repo/bin/tensorflow_model_server" "$repo/bin/tessera" "$repo/bin/.tessera-java" "$root/opt/tessera/bin/"
# COPY docker/tf_serving_entrypoint.sh /usr/bin/tf_serving_entrypoint.sh; COPY docker/image-layout.sh /opt/tessera/
cp "$repo/docker/tf_serving_entrypoint.sh" "$root/usr/bin/tf_serving_entrypoint.sh"
cp "$repo/docker/image-layout.sh" "$root/opt/tessera/image-layout.sh"
# RUN /opt/tessera/image-layout.sh /
"$root/opt/tessera/image-layout.sh" "$root"
