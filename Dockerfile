# BuildingParty 楼宇党建管理平台: the application image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed, unprivileged user; the app never runs as root.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Issue 14 (ops): pg_dump / pg_restore for `manage.py backup` and `restore`. pg_dump must be of the server's
# major version or newer (docker-compose.yml runs postgres:16), so the client comes from PostgreSQL's own
# Debian repository rather than Debian's (an older major version). PG_MAJOR follows the server's image.
ARG PG_MAJOR=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && . /etc/os-release \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
    && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files are collected into the image and served by WhiteNoise. The key here is a throwaway: the
# collected files do not depend on it, and the real one comes from the environment at run time.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret \
    BUILDINGPARTY_VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput --verbosity 1 \
    && rm -rf /tmp/build-var

# Runtime folders the app writes to: var/ (scratch) and the media volume (uploads and exports).
RUN mkdir -p /app/var /data/media && chown app:app /app/var /data/media

ENV BUILDINGPARTY_VAR_DIR=/app/var \
    DJANGO_MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3

USER app
EXPOSE 8000

# WEB_CONCURRENCY sets gunicorn's worker count; GUNICORN_CMD_ARGS adds any other option.
# --timeout 60 as in docker-compose.yml: imports above IMPORT_INLINE_MAX_ROWS rows run as Celery jobs.
CMD ["gunicorn", "buildingparty.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60", "--no-control-socket"]
