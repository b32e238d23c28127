# syntax=docker/dockerfile:1
# Escalation-risk scoring service. Build after training the default model (`make model`: the
# image needs only the runtime dependencies):
#   docker build -t escalation-risk .
#   podman build --format docker --build-arg BASE_IMAGE=localhost/python-base:3.11 -t escalation-risk .
# The builder and runtime stages must share BASE_IMAGE: the venv points at the base's interpreter.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
# A C compiler for the scoring kernel and the event reading's loops (model/_kernel.c,
# model/_matcher.c), in this stage only: the runtime stage stays compiler-free. Python.h comes
# with python:*-slim; a Debian-Python base needs python3-dev.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev \
      $(python -c "import os, sysconfig; os.path.exists(sysconfig.get_path('include') + '/Python.h') or print('python3-dev')") \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
# Dependencies first, from the hashed runtime lock (`make lock`), so code changes do not
# reinstall them; every file is checked against its SHA-256.
COPY requirements/runtime.lock ./
RUN /opt/venv/bin/pip install --require-hashes -r runtime.lock
# The localized state names (model/localnames.py) read only the Arabic and Spanish data of babel
# and pycountry: the other locales' 50 MB stay out of the image.
RUN cd "$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
 && find babel/locale-data -name '*.dat' ! -name root.dat ! -name 'en.dat' ! -name 'en_*.dat' \
      ! -name 'ar.dat' ! -name 'ar_*.dat' ! -name 'es.dat' ! -name 'es_*.dat' -delete \
 && find pycountry/locales -mindepth 1 -maxdepth 1 -type d ! -name ar ! -name es \
      -exec rm -rf {} +
COPY pyproject.toml ./
COPY README.md setup.py ./
# The scoring library and the service only: training/ and batch/ are not in the build context
# (.dockerignore), so the wheel holds neither, and the console scripts of the commands they
# carry (escalation-train, -evaluate, -card, -spark, -export-mlflow) are removed.
COPY model ./model
COPY service ./service
RUN /opt/venv/bin/pip install --no-deps . \
 && /opt/venv/bin/python -c "import importlib.metadata as md, importlib.util as u, os, sys; \
      [os.remove(os.path.join(sys.prefix, 'bin', e.name)) \
       for e in md.distribution('escalation-risk').entry_points \
       if e.group == 'console_scripts' and u.find_spec(e.module.split('.')[0]) is None]" \
 && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} + \
 && /opt/venv/bin/python -m compileall -q /opt/venv/lib
# The default model comes from the build context: fail here, clearly, when it was not trained.
# The check runs with -P so it loads the installed package (with its compiled kernel and
# event loops, both imported here), not the uncompiled sources in /build/model.
COPY README.md artifacts* /build/artifacts/
RUN test -f /build/artifacts/escalation-model.joblib || { \
      echo 'error: artifacts/escalation-model.joblib is missing: run `make model` before building' >&2; \
      exit 1; } \
 && chmod 0444 /build/artifacts/escalation-model.joblib \
 && /opt/venv/bin/python -P -c "import model._matcher; from model import Router; print('model', Router.load('/build/artifacts/escalation-model.joblib').version)"

FROM ${BASE_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8080 \
    ESCALATION_MODEL_PATH=/models/escalation-model.joblib \
    ESCALATION_PIDFILE=/dev/shm/escalation-risk.pid
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent app
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /build/artifacts/escalation-model.joblib /models/escalation-model.joblib
COPY gunicorn.conf.py /app/gunicorn.conf.py
WORKDIR /app
USER app
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8080'), timeout=2)"]
# Exec form: gunicorn is PID 1 and receives SIGTERM itself. It reads /app/gunicorn.conf.py.
# Stop with a 30 s grace (`docker run --stop-timeout 30`, `podman stop -t 30`): the graceful
# timeout is 25 s, the largest request's worst case (docs/deployment.md, Limits and security).
CMD ["gunicorn", "service.app:create_app()"]
