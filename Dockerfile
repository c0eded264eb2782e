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
CMD ["gunicorn", "buildingparty.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]
