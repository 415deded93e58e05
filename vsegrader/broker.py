"""The embedded broker: kombu's filesystem transport, made safe for several processes.

kombu's stock transport creates a message file and only then writes into it, while a
consumer moves and reads files without the lock, so a worker can read an empty file and die
of the JSONDecodeError (kombu issue #1551); the message being written is lost with it. Its
exchange tables are rewritten in place too, so a reader can see one half-written.

Here every file appears whole or not at all:
- a message is written under a temporary name in `tmp/` and renamed into the queue folder
  (a rename within one filesystem is atomic);
- a consumer claims a message by renaming it into `claimed/`: of two consumers only one
  rename succeeds, so a message is handed out once;
- a message that still cannot be decoded (a disk filled up, a file edited by hand) is moved
  to `unreadable/` and logged; the worker goes on. The submission it was about is sent again
  by the periodic requeue, since the submission row, not the message, is the job;
- exchange tables are replaced atomically under a lock file.

Use it with CELERY_BROKER_URL=filesystem:// (the default); see docs/ARCHITECTURE.md.
"""

import fcntl
import logging
import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from queue import Empty

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

UNREADABLE = (ValueError, UnicodeDecodeError, TypeError)


class Channel(filesystem.Channel):
    """Atomic writes, exclusive claims, and unreadable messages set aside."""

    def _put(self, queue, payload, **kwargs):
        name = f"{time.time_ns():020d}_{uuid.uuid4().hex}.{queue}.msg"
        temporary = self._folder("tmp") / name
        temporary.write_bytes(dumps(payload).encode())
        os.replace(temporary, Path(self.data_folder_out) / name)

    def _get(self, queue):
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != f"{queue}.msg":
                continue
            message = self._claim(name)
            if message is not None:
                return message
        raise Empty()

    def _claim(self, name: str):
        """The decoded message, or None when another consumer took it or it is unreadable."""
        claimed = self._folder("claimed") / name
        try:
            os.rename(Path(self.data_folder_in) / name, claimed)
        except FileNotFoundError:
            return None
        try:
            message = loads(claimed.read_bytes().decode())
            if not isinstance(message, dict):
                raise TypeError(f"a message is a JSON object, not {type(message).__name__}")
        except UNREADABLE as exc:
            self._set_aside(claimed, exc)
            return None
        claimed.unlink()
        return message

    def _set_aside(self, claimed: Path, exc: Exception) -> None:
        target = self._folder("unreadable") / claimed.name
        os.replace(claimed, target)
        logger.error("Broker: set aside an unreadable message %s (%s)", target, exc)

    def _folder(self, name: str) -> Path:
        """A folder beside the queue folder, on the same filesystem (renames stay atomic)."""
        folder = Path(
            self.transport_options.get(f"{name}_folder") or Path(self.data_folder_out).parent / name
        )
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def get_table(self, exchange):
        try:
            text = self._exchange_file(exchange).read_text()
        except FileNotFoundError:
            return []
        return [filesystem.exchange_queue_t(*q) for q in loads(text)] if text else []

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange):
            bindings = self.get_table(exchange)
            if binding not in bindings:
                self._write_table(exchange, [binding, *bindings])

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        filesystem.virtual.Channel._delete(self, queue, exchange, routing_key, pattern)
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange):
            bindings = self.get_table(exchange)
            if binding in bindings:
                self._write_table(exchange, [b for b in bindings if b != binding])

    @contextmanager
    def _table_lock(self, exchange):
        self.control_folder.mkdir(parents=True, exist_ok=True)
        lock_path = self._exchange_file(exchange).with_suffix(".lock")
        with open(lock_path, "a") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def _write_table(self, exchange, bindings) -> None:
        target = self._exchange_file(exchange)
        temporary = target.with_name(f".{uuid.uuid4().hex}.tmp")
        temporary.write_text(dumps(bindings))
        os.replace(temporary, target)


class Transport(filesystem.Transport):
    Channel = Channel
    global_state = filesystem.virtual.BrokerState()
    driver_name = "filesystem-atomic"


# `filesystem://` in CELERY_BROKER_URL means this transport, in the web and worker alike.
TRANSPORT_ALIASES["filesystem"] = "vsegrader.broker:Transport"
