# The mock server as an image: `docker build -t clients-mock .` then
# `docker run -p 8080:8080 -v clients-mock-data:/data clients-mock`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

# Dependencies first, read from pyproject.toml itself, so editing the source reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps))" \
    && pip install --no-cache-dir --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY README.md openapi.yaml ./
COPY fixtures ./fixtures
COPY mockserver ./mockserver
# Editable, so the package finds openapi.yaml and fixtures/ beside it exactly as in a checkout.
RUN pip install --no-cache-dir --no-deps --editable . \
    && groupadd --system --gid 10001 mockserver \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent mockserver \
    && mkdir /data \
    && chown 10001:10001 /data

# The store lives on a volume so it survives container restarts; MOCKSERVER_* configure the rest.
VOLUME ["/data"]
ENV MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8080 \
    MOCKSERVER_DB=/data/clients.json \
    MOCKSERVER_FIXTURES=/app/fixtures

# Numeric, so `runAsNonRoot` checks (Kubernetes) can verify it without /etc/passwd.
USER 10001:10001
EXPOSE 8080

# Python's own urllib, so the slim image needs no curl; any non-2xx or refusal exits non-zero.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['MOCKSERVER_PORT'] + '/__mock/health', timeout=2)"]

CMD ["mockserver", "serve"]
