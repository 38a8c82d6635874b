"""The steering pack as JSON for integrations: the gathered dict, as it is."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def pack_json(pack: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON, keys in gathering order, indented for people who open it."""
    return json.dumps(pack, ensure_ascii=False, indent=2).encode("utf-8")
