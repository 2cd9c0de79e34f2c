"""`make run` on a database people have worked in: it serves the app, changes nothing and loses nothing."""

import io
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from policies.models import Policy
from reviews.models import ReviewEvent
from tests.data import ROOT
from tests.factories import approve, edit, make_user

pytestmark = pytest.mark.django_db

# The long-running processes the recipe ends with; every other step must be safe to run again. The test database
# is migrated already: running `migrate` again is Django's own no-op, left out here (inside a test's transaction
# PostgreSQL refuses the index work of its post-migrate steps).
SERVING = {"runserver", "db_worker"}
ALREADY_DONE = {"migrate"}


def start_up_steps() -> list[list[str]]:
    """The `manage.py` commands of the Makefile's `run` recipe, in order, without the ones that serve."""
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe, "the Makefile has a run target"
    steps = []
    for line in recipe.group(1).splitlines():
        words = shlex.split(line.strip())
        if "manage.py" in words:
            command = words[words.index("manage.py") + 1 :]
            if command[0] not in SERVING:
                steps.append(command)
    return steps


def run_start_up() -> str:
    out = io.StringIO()
    for name, *args in start_up_steps():
        if name not in ALREADY_DONE:
            call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def everything():
    return (
        list(Policy.objects.order_by("pk").values_list("policy_id", "version", "state", "content_hash")),
        Policy.history.count(),
        ReviewEvent.objects.count(),
        sorted(get_user_model().objects.values_list("username", "password")),
    )


def test_the_start_up_steps_load_the_examples_once_and_then_change_nothing():
    assert [step[0] for step in start_up_steps()] == [
        "migrate",
        "load_example_collection",
        "check_policies",
        "create_demo_users",
    ]
    run_start_up()
    assert Policy.objects.count() == 41
    first = everything()

    output = run_start_up()

    assert everything() == first
    assert "the example collection was not loaded" in output


def test_starting_again_after_a_correction_and_an_approval_keeps_both():
    run_start_up()
    policy = Policy.objects.get(policy_id="intl-paris-art-6-4-ccs")
    edit(policy, user=make_user("corrector"), reason="Per the 2024 decision", market_score=80)
    reviewer = make_user("checker", perm_names=("reviews.review_policy",))
    approve(policy, reviewer)
    before = everything()

    run_start_up()

    assert everything() == before
    policy.refresh_from_db()
    assert (policy.market_score, policy.state) == (80, "verified")


@pytest.mark.slow
def test_make_run_serves_the_app_with_debug_on_when_the_environment_sets_nothing(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    # -o setup: the environment is installed already; a test must not reinstall it.
    server = subprocess.Popen(
        ["make", "--no-print-directory", "-o", "setup", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        page = _wait_for_page(f"http://127.0.0.1:{port}/no-such-page/", server)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/admin/css/base.css", timeout=10) as style:
            assert style.status == 200
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    assert "Using the URLconf defined in" in page, "DEBUG's page for an unknown address"


def _wait_for_page(url: str, server: subprocess.Popen, seconds: float = 120) -> str:
    """The body of the page at `url` (an error page too), once the server answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else "the server stopped"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            return error.read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"nothing answered at {url} within {seconds} s")
