FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# DejaVu Sans draws the label badge's PNG with its accents (projects/label_kit.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt

COPY . .
# collectstatic needs a key; a random one, used for nothing else (published keys are refused).
RUN DEBUG=False ALLOWED_HOSTS=localhost \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput \
 && useradd --create-home propulsons \
 && mkdir -p /var/lib/propulsons/private-media /var/lib/propulsons/public-media \
 && chown -R propulsons /var/lib/propulsons
USER propulsons

EXPOSE 8000
# --timeout 30, on purpose: every wait inside a request is shorter (database statements 20 s,
# connections 5 s, Redis 5 s, SMTP 10 s, /healthz 2 s), so a slow dependency fails the request
# with an error page before gunicorn kills the worker. Migrations run apart (docker-compose's
# migrate service), never at a web container's start.
CMD ["gunicorn", "propulsons.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--graceful-timeout", "30", "--access-logfile", "-"]
