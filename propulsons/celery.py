"""The Celery application. Its configuration is the CELERY_* settings (beat schedule included)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propulsons.settings")

app = Celery("propulsons")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
