#!/usr/bin/env bash
# The engine integrations: installs Java from Debian when `java` is missing and the
# frames, spark, mlflow and deploy extras into the project venv (pinned by constraints.txt,
# which `make lock` generates for every extra), then runs the Parquet/--workers, Spark local[2] and MLflow tests and
# validates the Kubernetes manifests offline against one stated Kubernetes version.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
KUBERNETES_VERSION=1.32.0
SECONDS=0

if ! command -v java >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
fi
java -version 2>&1 | head -1
$BIN/python -m pip install -q -c constraints.txt \
    -e '.[dev,report,frames,spark,mlflow,deploy]'
echo "engines: installed in ${SECONDS}s"

# Spark's Python workers must run this interpreter (pyarrow and this package are here).
export PYSPARK_PYTHON="$PWD/$BIN/python" PYSPARK_DRIVER_PYTHON="$PWD/$BIN/python"
export SPARK_LOCAL_IP=127.0.0.1  # local[2] on loopback, not the host's address
$BIN/python -m pytest -q -p no:cacheprovider tests/batch tests/deploy \
    tests/model/test_frames.py tests/model/test_cli.py

# The plain files, and kustomize's rendering of them when a kubectl is on PATH.
$BIN/kubernetes-validate --quiet --strict -k "$KUBERNETES_VERSION" \
    deploy/deployment.yaml deploy/service.yaml deploy/hpa.yaml deploy/pdb.yaml
if command -v kubectl >/dev/null; then
    rendered=$(mktemp --suffix=.yaml)
    kubectl kustomize deploy/ >"$rendered"
    $BIN/kubernetes-validate --quiet --strict -k "$KUBERNETES_VERSION" "$rendered"
    rm -f "$rendered"
fi
echo "engines: done in ${SECONDS}s"
