FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/app
COPY requirements.txt requirements-baselines.txt ./
COPY client ./client
RUN pip install --no-cache-dir -r requirements.txt
# Only the GPU worker image sets this: a CUDA build of PyTorch (and the rest of
# requirements-baselines.txt) for the baselines; the web and scoring images carry no torch.
ARG TORCH_INDEX_URL=""
RUN if [ -n "$TORCH_INDEX_URL" ]; then \
      pip install --no-cache-dir torch==2.13.0 --index-url "$TORCH_INDEX_URL" && \
      pip install --no-cache-dir -r requirements-baselines.txt; fi
COPY . .
EXPOSE 8000
# Meant to run behind a reverse proxy that buffers requests (docker-compose.yml: nginx).
CMD ["gunicorn", "vsegrader.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
