# The mock server as an image: `docker build -t clients-mock .` then
# `docker run -p 8080:8080 -v clients-mock-data:/data clients-mock`.
FROM python:3.11-slim-bookworm

# The build runs as root in a throw-away layer; pip's warning about that is for machines.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# The exact versions CI tests (hashes checked), setuptools included, in a layer that depends on
# the lock alone: after a source edit the build starts below it and needs no network.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --requirement requirements.lock

COPY pyproject.toml README.md openapi.yaml ./
COPY fixtures ./fixtures
COPY mockserver ./mockserver
# Editable, so the package finds openapi.yaml and fixtures/ beside it exactly as in a checkout;
# --no-index: this step never reaches the network, the build backend comes from the lock.
RUN pip install --no-cache-dir --no-index --no-deps --no-build-isolation --editable . \
    && groupadd --system --gid 10001 mockserver \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent mockserver \
    && mkdir /data \
    && chown 10001:10001 /data

# The store lives on a volume so it survives container restarts; MOCKSERVER_* configure the rest.
# `mockserver serve` writes where it really listens to the address file, so the health check
# follows `--port` as well as MOCKSERVER_PORT.
VOLUME ["/data"]
ENV MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8080 \
    MOCKSERVER_DB=/data/clients.json \
    MOCKSERVER_FIXTURES=/app/fixtures \
    MOCKSERVER_ADDRESS_FILE=/tmp/mockserver.address

# Numeric, so `runAsNonRoot` checks (Kubernetes) can verify it without /etc/passwd.
USER 10001:10001
EXPOSE 8080

# Exits 0 when /__mock/health answers at the address the server wrote, 1 otherwise.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["mockserver", "health"]

CMD ["mockserver", "serve"]
