"""gunicorn settings of the production image (docker-compose.yml's web service, Dockerfile).

gunicorn sits behind nginx (deploy/nginx/), which reads whole request bodies before it
passes a request on, so a slow client holds an nginx connection, not a Python thread.
Threaded workers (gthread) keep a slow database call from blocking the worker's other
requests, and the timeouts bound what one request may take.
"""

import os


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = env_int("GUNICORN_WORKERS", 4)
threads = env_int("GUNICORN_THREADS", 4)
timeout = env_int("GUNICORN_TIMEOUT", 60)  # a worker silent this long is restarted
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection from nginx stays open
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
max_requests = 2000  # recycle workers now and then (bounded memory growth)
max_requests_jitter = 200
accesslog = "-"
