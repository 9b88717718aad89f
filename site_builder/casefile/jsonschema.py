"""The committed JSON Schema for editors' autocompletion, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from site_builder.casefile.models import ID_PATTERN, Case
from site_builder.casefile.vocab import Vocabularies, load_vocabularies

SCHEMA_PATH = Path("schema/case.schema.json")


def case_json_schema(vocab: Vocabularies | None = None) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a case file, with vocabulary values as enums for completion."""
    vocab = vocab or load_vocabularies()
    schema = Case.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    props = schema["properties"]
    districts = [t.name for t in vocab.districts.terms] + [
        a for t in vocab.districts.terms + vocab.districts.former for a in (t.name, *t.aliases)
    ]
    props["district"]["enum"] = sorted(set(districts), key=districts.index)
    props["fields"]["items"] = {"enum": vocab.fields.names(), "type": "string"}
    props["groups"]["items"] = {"enum": vocab.groups.names(), "type": "string"}
    props["related"]["items"]["pattern"] = ID_PATTERN
    return schema


def render_schema(vocab: Vocabularies | None = None) -> str:
    """Serialized schema exactly as committed (stable key order, trailing newline)."""
    return json.dumps(case_json_schema(vocab), ensure_ascii=False, indent=2) + "\n"
