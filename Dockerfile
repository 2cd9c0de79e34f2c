# The production image: gunicorn serving the app and its static files (README, "Deployment").
#   docker build -t policy-review-desk .    or    docker compose up -d --build    (compose.yaml, with PostgreSQL)
# It reads its settings from the environment at start: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, ...

FROM python:3.12-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements.txt ./
# Only the runtime section of requirements.txt: the tests' and tools' packages stay out of the image.
RUN sed '/^# Tests and tooling/,$d' requirements.txt > runtime-requirements.txt \
    && python -m venv /venv \
    && /venv/bin/pip install -r runtime-requirements.txt
COPY . ./
# Hashed and compressed, for WhiteNoise to serve. Collecting needs a secret key, not the one the app will run with.
RUN DJANGO_SECRET_KEY=collectstatic-only /venv/bin/python manage.py collectstatic --no-input -v0

FROM python:3.12-slim
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 GUNICORN_BIND=0.0.0.0:8000
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /venv /venv
COPY --from=build /app /app
# The code belongs to root: the app's user reads it and writes nothing there (its data is in PostgreSQL).
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "config/healthcheck.py"]
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
