# syntax=docker/dockerfile:1
# KPI Bot: `docker build -t kpibot .` then `docker compose up -d` (see docs/deploy.md).

# --- build: a virtualenv with the dependencies (their own cached layer), then the app ----
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Only pyproject.toml first: this layer is rebuilt when the dependencies change, not when
# the code does.
COPY pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY README.md ./
COPY adapters ./adapters
COPY bot ./bot
COPY config ./config
COPY kpi_engine ./kpi_engine
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --no-deps .

# --- runtime: the virtualenv only, run by an unprivileged user ---------------------------
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    KPIBOT_HTTP_HOST=0.0.0.0 \
    KPIBOT_HTTP_PORT=8080
RUN groupadd --system --gid 10001 kpibot \
    && useradd --system --uid 10001 --gid kpibot --home-dir /data --shell /usr/sbin/nologin kpibot \
    && mkdir -p /data && chown kpibot:kpibot /data
COPY --from=build /opt/venv /opt/venv
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/kpibot-entrypoint
# the SQLite default (kpibot.db) lands in /data when KPIBOT_DATABASE_URL is not set
WORKDIR /data
VOLUME ["/data"]
USER kpibot
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('KPIBOT_HTTP_PORT', '8080'), timeout=4)"]
ENTRYPOINT ["kpibot-entrypoint"]
CMD ["kpibot", "serve"]
