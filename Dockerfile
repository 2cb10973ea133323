# Every meshcore image, one target per service; build from the repository root, naming the
# target again as the build argument SERVICE (the venv it installs), e.g.
#   docker build --target sync-worker --build-arg SERVICE=sync-worker -t meshcore/sync-worker:local .
# Targets: emulator (the embedded AWS, development and tests only), sync-worker, classifier,
# grant-worker (also runs `meshctl bootstrap`), notifier, ticket-bridge and portal; docker-compose.yml builds each one.
# FROM python:3.11-slim or any Debian-like image with python3 (3.11) and its venv module.

# ---- Shared stages ----------------------------------------------------------------------------

# uv and the workspace's manifests and lock: all that third-party dependencies are installed from.
FROM python:3.11-slim AS lock
# UV_SYSTEM_CERTS: trust the image's CA store (which may hold a TLS-intercepting proxy's CA).
ENV UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    UV_SYSTEM_CERTS=1
RUN python3 -m venv /opt/uv && /opt/uv/bin/pip install --no-cache-dir uv==0.13.8
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY libs/meshcore/pyproject.toml libs/meshcore/
COPY services/sync-worker/pyproject.toml services/sync-worker/
COPY services/classifier/pyproject.toml services/classifier/
COPY services/grant-worker/pyproject.toml services/grant-worker/
COPY services/portal/pyproject.toml services/portal/
COPY services/notifier/pyproject.toml services/notifier/
COPY services/ticket-bridge/pyproject.toml services/ticket-bridge/
COPY emulator/pyproject.toml emulator/
COPY devstack/pyproject.toml devstack/

# The venv stage installs only the packages of the service named by the build argument SERVICE
# (docker-compose.yml passes it with each target) into /opt/venv: the third-party dependencies
# first, exactly as locked, so that a source change rebuilds one layer; then the service and the
# workspace packages it needs, installed non-editable.

FROM lock AS venv
ARG SERVICE
RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=<target>" >&2; exit 1; }
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package "meshcore-$SERVICE"
COPY . .
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package "meshcore-$SERVICE"

# What every image runs on: the bare base, the non-root user, the service's venv on PATH (of
# the build, only the venv: never the sources).
FROM python:3.11-slim AS runtime
RUN useradd --system --uid 10001 --no-create-home meshcore
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
USER meshcore
COPY --from=venv /opt/venv /opt/venv

# The workers: JSON logs, a drain on SIGTERM, healthy while the worker rewrites its
# heartbeat file (it does once its queues are reachable).
FROM runtime AS worker
ENV MESHCORE_LOG_JSON=true MESHCORE_WORKER__HEARTBEAT_PATH=/tmp/meshcore-heartbeat
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-m", "meshcore.runtime.heartbeat"]

# ---- One image per service ---------------------------------------------------------------------

FROM runtime AS emulator
EXPOSE 4566
HEALTHCHECK --interval=2s --timeout=2s --start-period=60s --retries=30 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:4566/_emulator/health')"]
CMD ["python3", "-m", "meshcore_emulator", "--host", "0.0.0.0", "--port", "4566"]

FROM worker AS sync-worker
CMD ["python3", "-m", "sync_worker"]

FROM worker AS classifier
CMD ["python3", "-m", "classifier"]

FROM worker AS grant-worker
CMD ["python3", "-m", "grant_worker"]

FROM worker AS notifier
CMD ["python3", "-m", "notifier"]

# The ticket bridge also listens for the ticket system's decisions (MESHCORE_TICKETS__LISTEN_PORT).
FROM worker AS ticket-bridge
ENV MESHCORE_TICKETS__LISTEN_HOST=0.0.0.0
EXPOSE 8090
CMD ["python3", "-m", "ticket_bridge"]

# Behind the organisation's single sign-on proxy, which sets the identity header.
FROM runtime AS portal
ENV MESHCORE_LOG_JSON=true MESHCORE_PORTAL__HOST=0.0.0.0
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["python3", "-m", "portal"]
