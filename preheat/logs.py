"""Structured log lines: one event with its fields per line, for people and log shippers.

A line reads `event=execution.end execution=7 policy=warm status=Success`
(values with spaces or quotes quoted), or is one JSON object with
PREHEAT_LOG_FORMAT=json. Lines go to the standard `logging` logger
"preheat", so the host's handlers, levels and formatters apply; the event and
its fields also ride on the record (`preheat_event`, `preheat_fields`) for a
host formatter that wants them as they are.

No caller passes a credential, token, Authorization header or webhook
secret: the fields are names, ids, counts and the human reasons the app
already shows.
"""
from __future__ import annotations

import json
import logging
import os

from flask import current_app, has_app_context

logger = logging.getLogger("preheat")
FORMATS = ("text", "json")
FORMAT_KEY = "PREHEAT_LOG_FORMAT"


def log_event(event: str, level: int = logging.INFO, **fields) -> None:
    """Log `event` with `fields` (None values left out) as one line."""
    if not logger.isEnabledFor(level):
        return
    fields = {key: value for key, value in fields.items() if value is not None}
    line = as_json(event, fields) if log_format() == "json" else as_text(event, fields)
    logger.log(level, "%s", line, extra={"preheat_event": event, "preheat_fields": fields})


def log_format() -> str:
    """"json" or "text": the app's PREHEAT_LOG_FORMAT, else the environment's."""
    chosen = current_app.config.get(FORMAT_KEY) if has_app_context() else None
    chosen = chosen or os.environ.get(FORMAT_KEY) or "text"
    return "json" if str(chosen).strip().lower() == "json" else "text"


def as_text(event: str, fields: dict) -> str:
    """`event=<event> key=value ...`, a value quoted when it holds a space, quote or `=`."""
    return " ".join(f"{key}={_text_value(value)}"
                    for key, value in {"event": event, **fields}.items())


def as_json(event: str, fields: dict) -> str:
    """One JSON object: the event, then the fields."""
    return json.dumps({"event": event, **fields}, default=str, ensure_ascii=False)


def _text_value(value) -> str:
    text = str(value)
    if text == "" or any(char.isspace() or char in '"=\\' for char in text):
        return json.dumps(text, ensure_ascii=False)
    return text
