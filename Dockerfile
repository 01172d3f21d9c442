# Production image: gunicorn serving the app, static files collected and served by whitenoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN useradd --system --uid 10001 app
COPY requirements.txt .
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
COPY . .
# Settings need a database URL and a key to import; neither is used by collectstatic.
RUN DATABASE_URL=postgres://unused@localhost/unused SECRET_KEY=collectstatic-only \
    python manage.py collectstatic --noinput
# Exports build their files in /app/var/export-tmp (EXPORT_TMP_DIR), which the app makes 0700.
RUN install -d -o app -m 0700 /app/var /app/var/export-jobs
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--worker-class", "gthread", "--threads", "4", "--timeout", "120", \
     "--logger-class", "config.gunicorn_logger.RedactingLogger"]
