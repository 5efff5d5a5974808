# One image for both services (and the one-shot migration); compose.yaml picks the command.
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

RUN useradd --system --uid 10001 --home-dir /app vetra
USER vetra

EXPOSE 8000 8001
CMD ["python", "-m", "uvicorn", "core_api.main:app", "--host", "0.0.0.0", "--port", "8001"]
