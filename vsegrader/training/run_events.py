"""Reading the progress lines of `python -m baselines ... --progress-json`. No Django here.

Each stdout line is one JSON object:

    {"event": "start", "slug": "glasses", "device": "cuda", "epochs": 20}
    {"event": "phase", "name": "pretrain"}
    {"event": "epoch", "epoch": 3, "epochs": 20, "metric": "val_accuracy", "value": 0.93}
    {"event": "done", "out": "predictions.csv", "seconds": 12.3}

`progress_update(line)` turns one line into the row fields it changes and a short log line.
"""

import json
import math
from dataclasses import dataclass, field

LOG_LINE_CHARS = 200


@dataclass(frozen=True)
class ProgressUpdate:
    fields: dict = field(default_factory=dict)  # BaselineRun field name -> new value
    log: str = ""  # one line for the run's compact log; empty: nothing worth keeping


def progress_update(line: str) -> ProgressUpdate:
    """What one stdout line says. Anything that is not a known event is kept as text."""
    text = line.strip()
    if not text:
        return ProgressUpdate()
    event = _json_object(text)
    if event is None:
        return ProgressUpdate(log=_clip(text))
    handler = HANDLERS.get(event.get("event"))
    if handler is None:
        return ProgressUpdate(log=_clip(text))
    return handler(event)


def _json_object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _on_start(event: dict) -> ProgressUpdate:
    device, epochs = _text(event.get("device")), _count(event.get("epochs"))
    fields = {"epoch": 0}
    if device:
        fields["device"] = device[:10]
    if epochs is not None:
        fields["epochs"] = epochs
    return ProgressUpdate(fields, f"start on {device or '?'}, {_or_unknown(epochs)} epochs")


def _on_phase(event: dict) -> ProgressUpdate:
    name, epochs = _text(event.get("name"))[:40], _count(event.get("epochs"))
    if epochs is None:
        return ProgressUpdate({"phase": name, "epoch": 0}, f"phase {name}")
    fields = {"phase": name, "epoch": 0, "epochs": epochs}
    return ProgressUpdate(fields, f"phase {name}, {epochs} epochs")


def _on_epoch(event: dict) -> ProgressUpdate:
    fields = {}
    epoch, epochs = _count(event.get("epoch")), _count(event.get("epochs"))
    metric, value = _text(event.get("metric"))[:40], _number(event.get("value"))
    if epoch is not None:
        fields["epoch"] = epoch
    if epochs is not None:
        fields["epochs"] = epochs
    if metric:
        fields["metric_name"] = metric
    if value is not None:
        fields["metric_value"] = value
    shown = f" {metric}={value:.6g}" if value is not None else ""
    return ProgressUpdate(fields, f"epoch {_or_unknown(epoch)}/{_or_unknown(epochs)}{shown}")


def _on_done(event: dict) -> ProgressUpdate:
    seconds = _number(event.get("seconds"))
    return ProgressUpdate({}, f"done in {seconds:.1f} s" if seconds is not None else "done")


HANDLERS = {"start": _on_start, "phase": _on_phase, "epoch": _on_epoch, "done": _on_done}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _or_unknown(value) -> str:
    return "?" if value is None else str(value)


def _clip(text: str) -> str:
    return text if len(text) <= LOG_LINE_CHARS else text[: LOG_LINE_CHARS - 1] + "…"


def append_log(log: str, line: str, *, keep: int = 60) -> str:
    """The compact log: the last `keep` lines."""
    lines = [*log.splitlines(), line] if line else log.splitlines()
    return "\n".join(lines[-keep:])
