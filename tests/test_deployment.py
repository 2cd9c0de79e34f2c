"""One process is a working deployment: the app serves its own static files, compressed and cache-busted, and
tells its container whether it is healthy; the image and compose.yaml run it so; CI builds the image where it can.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from tests.data import ROOT

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_the_health_page_answers_over_plain_http_even_where_every_other_page_redirects_to_https(settings):
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    client = Client()

    health = client.get(reverse("health"))

    assert (health.status_code, health.content) == (200, b"ok\n")
    assert client.get(reverse("admin:login")).status_code == 301
    assert client.get(reverse("health") + "%0A").status_code == 301, "the health page's address, whole, and no other"


@pytest.mark.slow
def test_the_images_health_check_passes_while_gunicorn_serves_the_app_and_fails_once_it_stopped(tmp_path):
    env = {**production_env(tmp_path), "GUNICORN_BIND": f"127.0.0.1:{free_port()}", "GUNICORN_WORKERS": "1"}
    check = [sys.executable, "config/healthcheck.py"]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while (healthy := subprocess.run(check, cwd=ROOT, env=env, capture_output=True)).returncode:
            assert server.poll() is None, server.stderr.read() if server.stderr else "gunicorn stopped"
            assert time.monotonic() < deadline, healthy.stderr
            time.sleep(0.5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    stopped = subprocess.run(check, cwd=ROOT, env=env, capture_output=True, text=True)

    assert healthy.returncode == 0
    assert stopped.returncode == 1 and "/health/" in stopped.stderr


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_image_builds_on_python_3_12_slim_collects_static_files_and_runs_gunicorn_as_a_user_not_root():
    instructions = dockerfile_instructions()
    stages = [argument for name, argument in instructions if name == "FROM"]
    runs = " ".join(argument for name, argument in instructions if name == "RUN")
    final = instructions[max(i for i, (name, _) in enumerate(instructions) if name == "FROM") :]
    users = [argument for name, argument in final if name == "USER"]

    assert len(stages) >= 2 and all(stage.startswith("python:3.12-slim") for stage in stages)
    assert "manage.py collectstatic --no-input" in runs
    assert "# Tests and tooling" in runs, "only the runtime section of requirements.txt is installed"
    assert users and users[-1] not in ("root", "0")
    assert (
        "HEALTHCHECK",
        '--interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "config/healthcheck.py"]',
    ) in final
    assert ("CMD", '["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]') in final
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "db.sqlite3*", "staticfiles", "tests"} <= set(ignored)


def test_compose_runs_postgresql_with_a_volume_and_a_health_check_and_the_app_migrating_after_it_is_healthy():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    db, app = compose["services"]["db"], compose["services"]["app"]

    assert db["image"].startswith("postgres:")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert app["env_file"] == ".env"
    assert app["ports"] == ["8000:8000"]
    assert app["environment"]["DATABASE_URL"].startswith("postgres://")
    command = " ".join(app["command"])
    assert command.index("manage.py migrate --no-input") < command.index("gunicorn -c config/gunicorn.py config.wsgi")
    assert "# worker:" in (ROOT / "compose.yaml").read_text(), "the task worker's place, for when it exists"


def test_every_setting_the_example_env_file_names_is_read_by_the_settings_and_explained_in_the_readme():
    names = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    read = (ROOT / "config" / "settings.py").read_text() + (ROOT / "compose.yaml").read_text()
    deployment = (ROOT / "README.md").read_text().split("## Deployment", 1)[1].split("\n## ", 1)[0]

    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "POSTGRES_PASSWORD"} <= set(names)
    assert [name for name in names if f'"{name}"' not in read and f"${{{name}" not in read] == []
    assert [name for name in names if f"`{name}" not in deployment] == []


def fake_engine(folder: Path, name: str, *, reachable: bool) -> Path:
    """A `docker` that logs its arguments and whose `info` succeeds only if the engine is `reachable`."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{folder}/calls"\n'
        f'if [ "$1" = info ]; then exit {0 if reachable else 1}; fi\n'
        'if [ "$1" = run ] && [ "$2" = --detach ]; then echo 0123456789ab; fi\n'
    )
    script.chmod(0o755)
    return folder


def run_ci_image_step(path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", ".ci/image"], cwd=ROOT, env={"PATH": path}, capture_output=True, text=True, timeout=60
    )


def test_ci_says_why_it_built_no_image_and_passes_when_no_container_engine_is_reachable(tmp_path):
    without_engine = run_ci_image_step("/usr/bin:/bin")
    bin_dir = fake_engine(tmp_path / "bin", "docker", reachable=False)
    without_daemon = run_ci_image_step(f"{bin_dir}:/usr/bin:/bin")

    assert without_engine.returncode == 0, without_engine.stderr
    assert "image not built: neither docker nor podman is installed" in without_engine.stdout
    assert without_daemon.returncode == 0, without_daemon.stderr
    assert "image not built: docker is installed but its engine is not reachable" in without_daemon.stdout
    assert (bin_dir / "calls").read_text().split() == ["info"]


def test_ci_builds_the_image_and_checks_it_where_a_container_engine_is_reachable(tmp_path):
    bin_dir = fake_engine(tmp_path / "bin", "podman", reachable=True)

    done = run_ci_image_step(f"{bin_dir}:/usr/bin:/bin")

    assert done.returncode == 0, done.stderr
    calls = (bin_dir / "calls").read_text().splitlines()
    assert calls[0] == "info"
    assert calls[1].startswith("build ") and calls[1].endswith(" .")
    assert any(" manage.py check --deploy --fail-level WARNING" in call for call in calls if call.startswith("run "))
    assert any(call.startswith("exec ") and "config/healthcheck.py" in call for call in calls)
    assert "built with podman" in done.stdout
