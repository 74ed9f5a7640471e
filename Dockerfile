FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Runtime dependencies exactly as locked, each file checked against its hash (requirements.lock,
# see README "Dependencies"); this layer changes only when the lock does.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
# The whole project (minus .dockerignore): every package pyproject.toml lists, installed without
# resolving dependencies again.
COPY . .
RUN pip install --no-deps .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system wijkwerk
# household documents on local disk (DOCUMENT_ROOT; docker-compose.yml mounts a volume here)
RUN mkdir -p /var/lib/wijkwerk/documents && chown wijkwerk /var/lib/wijkwerk/documents \
    && chmod 700 /var/lib/wijkwerk/documents
USER wijkwerk
EXPOSE 8000
CMD ["gunicorn", "socialdomain.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
