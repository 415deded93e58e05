FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/app
# Runtime only (requirements/runtime.txt, every file hash-checked): no test tools, no torch.
COPY requirements ./requirements
COPY client ./client
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.txt && \
    pip install --no-cache-dir --no-deps ./client
# Only the GPU worker image sets this: the baselines' hash-pinned requirements, then a CUDA
# build of PyTorch, pinned by version only (requirements/torch.txt says why); the web and
# scoring images carry no torch.
ARG TORCH_INDEX_URL=""
RUN if [ -n "$TORCH_INDEX_URL" ]; then \
      pip install --no-cache-dir --require-hashes -r requirements/baselines.txt && \
      pip install --no-cache-dir -r requirements/torch.txt --index-url "$TORCH_INDEX_URL"; fi
COPY . .
EXPOSE 8000
# Meant to run behind a reverse proxy that buffers requests (docker-compose.yml: nginx).
CMD ["gunicorn", "vsegrader.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
