#!/usr/bin/env bash
# The tensorflow/serving image's entrypoint contract: serve ${MODEL_BASE_PATH}/${MODEL_NAME} on the
# standard ports, appending any extra arguments. exec keeps the server as PID 1, so SIGTERM from
# `docker stop` / Kubernetes reaches it and in-flight requests drain.
set -euo pipefail
: "${MODEL_NAME:=model}"
: "${MODEL_BASE_PATH:=/models}"
exec "${TENSORFLOW_MODEL_SERVER:-tensorflow_model_server}" --port=8500 --rest_api_port=8501 \
  --model_name="${MODEL_NAME}" --model_base_path="${MODEL_BASE_PATH}/${MODEL_NAME}" "$@"
