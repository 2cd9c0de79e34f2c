"""Run one task in this process and print its result, with the process's peak memory, as one line of JSON.

DATABASE_URL=... python -m bench.worker TASK '{"folder": ...}'
"""

from __future__ import annotations

import json
import os
import resource
import sys


def main() -> None:
    task, args = sys.argv[1], json.loads(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench.tasks import TASKS

    result = TASKS[task](args)
    # ru_maxrss is in kilobytes on Linux.
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
