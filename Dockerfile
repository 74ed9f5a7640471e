FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY socialdomain socialdomain
COPY cases cases
COPY teams teams
COPY networks networks
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system wijkwerk
USER wijkwerk
EXPOSE 8000
CMD ["gunicorn", "socialdomain.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
