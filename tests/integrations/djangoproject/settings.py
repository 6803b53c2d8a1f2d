"""Settings of the test project: SQLite in a temporary directory, secpolicy installed."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

BASE = Path(tempfile.mkdtemp(prefix="secpolicy-django-"))
atexit.register(shutil.rmtree, BASE, ignore_errors=True)

SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
ROOT_URLCONF = "tests.integrations.djangoproject.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "secpolicy.integrations.django",
]
MIDDLEWARE = [
    "secpolicy.integrations.django.CorrelationIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE / "db.sqlite3")}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
AUTHENTICATION_BACKENDS = [
    "secpolicy.integrations.django.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "secpolicy.integrations.django.RBACBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "secpolicy.integrations.django.PasswordPolicyValidator",
        "OPTIONS": {"profile": "cn-mlps-l3"},
    }
]
SECPOLICY = {
    "AUDIT_LOGGER": "tests.integrations.djangoproject.services.audit_logger",
    "CLOCK": "tests.integrations.djangoproject.services.CLOCK",
    "RBAC": "tests.integrations.djangoproject.services.RBAC_ENGINE",
    "TRUSTED_PROXIES": ["10.0.0.0/8"],
}
