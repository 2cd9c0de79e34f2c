"""The image's health check: exit 0 if the app gunicorn serves here answers /health/ (config/views.health).

`python config/healthcheck.py`, without Django, in the app's environment: it asks the address gunicorn listens on
(GUNICORN_BIND) for the first host the app serves (DJANGO_ALLOWED_HOSTS), over plain HTTP, which the app answers
on that path without redirecting to HTTPS.
"""

import os
import sys
import urllib.request


def main() -> int:
    address = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").replace("0.0.0.0", "127.0.0.1")
    host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].lstrip(".")
    request = urllib.request.Request(
        f"http://{address}/health/", headers={"Host": "localhost" if host in ("", "*") else host}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"{request.full_url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
