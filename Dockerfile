# wallet: one ASGI service over the ledger. The container needs an external PostgreSQL:
#   docker run -e DATABASE_URL=postgresql://user:pass@db:5432/wallet -p 8000:8000 wallet
FROM python:3.11-slim AS build
WORKDIR /app
COPY pyproject.toml README.md ./
COPY wallet ./wallet
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    SCHEMA_DIR=/app/schema
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin wallet
COPY --from=build /install /usr/local
WORKDIR /app
COPY schema ./schema
USER wallet
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os,urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT','8000'), timeout=2); sys.exit(0)"
# DATABASE_URL is required here: without it the entrypoint refuses to start (no embedded
# PostgreSQL in a container).
ENTRYPOINT ["sh", "-c", "test -n \"$DATABASE_URL\" || { echo 'DATABASE_URL is required' >&2; exit 64; }; exec wallet serve"]
