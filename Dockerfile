# One `voting serve` process per container; run several behind nginx (docs/deployment.md).
# Not built in this repository's CI (no container engine there): build with `docker build -t voting .`
FROM python:3.11-slim-bookworm

# WeasyPrint (the steering pack's PDF) needs Pango.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md wsgi.py ./
COPY voting ./voting
COPY templates ./templates
COPY static ./static
# Only what running needs (no test extra). voting/templates and voting/static link to the folders above.
RUN pip install --no-cache-dir -e . \
    && useradd --system --home-dir /app voting \
    && mkdir -p /app/instance && chown voting /app/instance
USER voting

# Every process of one deployment needs the same SECRET_KEY, DATABASE_URL, SOCKETIO_MESSAGE_QUEUE
# (and SOCKETIO_CHANNEL), given at `docker run`; see .env.example.
ENV SOCKETIO_ASYNC_MODE=eventlet PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"
CMD ["voting", "serve", "--host", "0.0.0.0", "--port", "8000"]
