"""The settings the test suite and the type checker load: the app's own, in development mode.

The app runs in production unless DJANGO_DEBUG=1. The tests set that here, before pytest-django imports the
settings, and drop every other DJANGO_* variable, so that a shell prepared for a deployment (a secret key, secure
cookies, an HTTPS redirect) changes nothing in a test run. The processes the tests start inherit the same
environment. The suite reads the desk in English unless a test asks for Chinese. pytest-django still runs each
test with DEBUG off, as Django's test runner does; tests of the production settings start a process of their own
with the environment they need.
"""

import os

for name in [name for name in os.environ if name.startswith("DJANGO_") and name != "DJANGO_SETTINGS_MODULE"]:
    del os.environ[name]
os.environ["DJANGO_DEBUG"] = "1"
# The suite reads the desk in English unless a test asks for Chinese (Accept-Language, or a person's choice).
os.environ["DJANGO_LANGUAGE_CODE"] = "en"

from config.settings import *  # noqa: E402, F403
