"""The embedded broker under real concurrency: producers and a consumer in separate processes.

kombu's stock filesystem transport lets a consumer read a message file before its producer
has written it (kombu #1551): the consumer gets an empty file, and the message is lost.
vsegrader.broker writes atomically and claims exclusively; these tests exchange thousands
of messages through both, with no Django involved.
"""

import json
import multiprocessing
import os
from pathlib import Path

import pytest
from kombu import Connection
from kombu.transport import filesystem

from vsegrader import broker

PRODUCERS = 3
PER_PRODUCER = 700
# kombu remembers declared bindings per process (BrokerState), not per folder: each test
# below uses a queue name of its own.
# Large bodies widen the window between a file's creation and its last byte.
PADDING = "x" * 60_000


def options(root: Path) -> dict:
    queue = root / "queue"
    queue.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(root / "control"),
        "processed_folder": str(root / "done"),
        "store_processed": False,
        "polling_interval": 0.001,
    }


def produce(transport, root: Path, producer: int) -> None:
    with Connection(transport=transport, transport_options=options(root)) as conn:
        queue = conn.SimpleQueue("race")
        for number in range(PER_PRODUCER):
            queue.put({"id": f"{producer}-{number}", "padding": PADDING})
        queue.close()


def consume(transport, root: Path, expected: int, results: Path) -> None:
    """Reads until every message arrived or nothing came for a while; writes what it saw."""
    received, failures = [], []
    with Connection(transport=transport, transport_options=options(root)) as conn:
        queue = conn.SimpleQueue("race")
        idle = 0
        while len(received) < expected and idle < 40:
            try:
                message = queue.get(timeout=0.05)
            except queue.Empty:
                idle += 1
                continue
            except Exception as exc:  # the stock transport's failure: a half-written file
                failures.append(type(exc).__name__)
                continue
            idle = 0
            received.append(message.payload["id"])
            message.ack()
    results.write_text(json.dumps({"received": received, "failures": failures}))


def exchange(transport, root: Path) -> dict:
    context = multiprocessing.get_context("spawn")
    expected = PRODUCERS * PER_PRODUCER
    results = root / "results.json"
    consumer = context.Process(target=consume, args=(transport, root, expected, results))
    consumer.start()
    producers = [
        context.Process(target=produce, args=(transport, root, n)) for n in range(PRODUCERS)
    ]
    for process in producers:
        process.start()
    for process in (*producers, consumer):
        process.join(timeout=300)
    outcome = json.loads(results.read_text())
    sent = {f"{p}-{n}" for p in range(PRODUCERS) for n in range(PER_PRODUCER)}
    outcome["lost"] = len(sent - set(outcome["received"]))
    outcome["duplicates"] = len(outcome["received"]) - len(set(outcome["received"]))
    return outcome


@pytest.mark.xfail(
    strict=False,
    reason="known-bad control: the race is timing-dependent, "
    "so the stock transport usually, not always, loses a message here",
)
def test_the_stock_filesystem_transport_loses_or_corrupts_messages(tmp_path):
    outcome = exchange(filesystem.Transport, tmp_path)
    assert outcome["lost"] + len(outcome["failures"]) >= 1


def test_the_embedded_broker_delivers_every_message_once(tmp_path):
    outcome = exchange(broker.Transport, tmp_path)
    assert outcome["failures"] == []
    assert outcome["lost"] == 0
    assert outcome["duplicates"] == 0
    assert os.listdir(tmp_path / "queue") == []


def test_an_unreadable_message_is_set_aside_and_the_next_one_delivered(tmp_path, caplog):
    with Connection(transport=broker.Transport, transport_options=options(tmp_path)) as conn:
        queue = conn.SimpleQueue("bad")
        (tmp_path / "queue" / "00000000000000000001_bad.bad.msg").write_bytes(b"")
        (tmp_path / "queue" / "00000000000000000002_bad.bad.msg").write_bytes(b'{"tru')
        queue.put({"id": "good"})
        message = queue.get(timeout=1)
        assert message.payload == {"id": "good"}
        message.ack()
        queue.close()
    assert sorted(os.listdir(tmp_path / "unreadable")) == [
        "00000000000000000001_bad.bad.msg",
        "00000000000000000002_bad.bad.msg",
    ]
    assert "set aside an unreadable message" in caplog.text


def test_messages_leave_in_the_order_they_were_sent(tmp_path):
    with Connection(transport=broker.Transport, transport_options=options(tmp_path)) as conn:
        queue = conn.SimpleQueue("ordered")
        for number in range(20):
            queue.put({"id": number})
        got = []
        for _ in range(20):
            message = queue.get(timeout=1)
            got.append(message.payload["id"])
            message.ack()
        queue.close()
    assert got == list(range(20))


def test_a_half_written_exchange_table_is_never_read(tmp_path):
    with Connection(transport=broker.Transport, transport_options=options(tmp_path)) as conn:
        channel = conn.channel()
        for number in range(50):
            channel._queue_bind("fan", "", "", f"queue-{number}")
        tables = channel.get_table("fan")
        channel._delete("queue-7", "fan", "", "")
        assert len(tables) == 50
        assert len(channel.get_table("fan")) == 49
        assert not list((tmp_path / "control").glob(".*.tmp"))
