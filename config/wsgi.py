import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.settings import require_secret_key  # noqa: E402  (the settings are loaded above)

require_secret_key()
