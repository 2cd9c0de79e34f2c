"""One process is a working deployment: the app serves its own static files, compressed and cache-busted."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# Calls the WSGI application itself, over "HTTPS" as a TLS-terminating proxy would, and prints what it answered.
REQUESTS = """
import json, re, sys, wsgiref.util
from config.wsgi import application

def get(path, **headers):
    environ = {"PATH_INFO": path, "HTTP_HOST": "reviews.example.org", "wsgi.url_scheme": "https", **headers}
    wsgiref.util.setup_testing_defaults(environ)
    answer = {}
    def start_response(status, response_headers, exc_info=None):
        answer.update(status=int(status.split()[0]), headers=dict(response_headers))
    answer["body"] = b"".join(application(environ, start_response))
    return answer

login = get("/admin/login/")
stylesheet = re.search(r'href="(/static/admin/css/base[^"]*)"', login["body"].decode())[1]
hashed = get(stylesheet)
gzipped = get(stylesheet, HTTP_ACCEPT_ENCODING="gzip")
docs = get("/api/docs/")
docs_files = re.findall(r'(?:href|src)="(/static/[^"]+)"', docs["body"].decode())
print(json.dumps({
    "login": login["status"],
    "csp": login["headers"].get("Content-Security-Policy", ""),
    "stylesheet": stylesheet,
    "status": hashed["status"],
    "type": hashed["headers"].get("Content-Type"),
    "cache": hashed["headers"].get("Cache-Control"),
    "bytes": len(hashed["body"]),
    "gzip": gzipped["headers"].get("Content-Encoding"),
    "gzip_bytes": len(gzipped["body"]),
    "docs": docs["status"],
    "docs_files": {path: get(path)["status"] for path in docs_files},
}))
"""


def production_env(tmp_path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "reviews.example.org",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


@pytest.mark.slow
def test_without_debug_the_wsgi_app_serves_the_static_files_of_the_admin_and_api_docs_compressed_and_hashed(tmp_path):
    env = production_env(tmp_path)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr

    done = subprocess.run(
        [sys.executable, "-c", REQUESTS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["login"] == 200
    assert answer["stylesheet"].startswith("/static/admin/css/base.") and answer["stylesheet"].endswith(".css")
    assert answer["stylesheet"] != "/static/admin/css/base.css", "a name with the content's hash"
    assert (answer["status"], answer["type"]) == (200, 'text/css; charset="utf-8"')
    assert answer["cache"] == "max-age=315360000, public, immutable"
    assert answer["bytes"] > 1000
    assert answer["gzip"] == "gzip" and answer["gzip_bytes"] < answer["bytes"]
    assert answer["docs"] == 200
    assert len(answer["docs_files"]) >= 3, "the API docs' stylesheet, scripts and icon"
    assert set(answer["docs_files"].values()) == {200}, answer["docs_files"]
    directives = dict(d.strip().split(" ", 1) for d in answer["csp"].split(";"))
    assert directives["style-src"].startswith("'self'"), "the stylesheets come from the app's own origin"
