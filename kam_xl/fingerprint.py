"""A fingerprint of the data a workbook is built from, so that regeneration can tell "nothing changed".

:func:`fingerprint` hashes any mix of pydantic models, dataclasses, mappings, sequences, dates and plain values
(SHA-256 of a canonical JSON text: keys sorted, each model or dataclass tagged with its class name, floats as
Python writes them exactly). Two values give the same fingerprint exactly when they are equal as data, whatever
the order of a mapping's keys; a type it does not know is a :class:`TypeError`, never silently left out.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Mapping, Set
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


def _plain(value: Any) -> Any:
    """``value`` as JSON-able data (called by :func:`json.dumps` for what it cannot write itself)."""
    if isinstance(value, BaseModel):
        return {"__type__": type(value).__name__, **{k: getattr(value, k) for k in type(value).model_fields}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__type__": type(value).__name__,
                **{f.name: getattr(value, f.name) for f in dataclasses.fields(value)}}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, Set):
        return sorted(value, key=repr)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"fingerprint: no rule for a value of type {type(value).__name__} ({value!r})")


def fingerprint(*values: Any) -> str:
    """The SHA-256 (hex, 64 characters) of ``values`` as canonical JSON (see the module docstring).

    >>> fingerprint({"b": 1, "a": [1.5, None]}) == fingerprint({"a": [1.5, None], "b": 1})
    True
    >>> fingerprint(0.1) == fingerprint(0.1000000000000001)
    False
    """
    text = json.dumps(values, default=_plain, sort_keys=True, ensure_ascii=False, allow_nan=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
