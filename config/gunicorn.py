"""gunicorn's settings for Policy Review Desk: `gunicorn -c config/gunicorn.py config.wsgi`.

Listens on GUNICORN_BIND (127.0.0.1:8000; the image sets 0.0.0.0:8000). Synchronous workers, one request at a
time each, two per core (GUNICORN_WORKERS overrides). The pages are
CPU-bound Python: threads in one process only take turns on the GIL, and each kept-alive browser connection
holds a thread. Under `make load` (20 users, 2 cores, PostgreSQL) 3 workers x 4 threads gave the list a p95 of
500-600 ms, 4 synchronous workers 310-340 ms. Serve behind a buffering proxy (nginx), as gunicorn advises for
synchronous workers, so a slow client never holds a worker.
"""

import multiprocessing
import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
threads = 1
