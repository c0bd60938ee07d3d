"""MkDocs hook: the command-line and admin API references, written from the code that serves them.

A page marks the place with ``<!-- generated: cli -->`` or ``<!-- generated: admin-api -->``; the
first is every ``mockserver`` command's ``--help`` as the parser prints it, the second the admin
API as ``GET /openapi.json`` documents it. Nothing here is written twice.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

MARKERS = {"<!-- generated: cli -->": "cli", "<!-- generated: admin-api -->": "admin-api"}
#: The width ``--help`` is wrapped to on the page.
COLUMNS = "100"


def on_page_markdown(markdown: str, **_: Any) -> str:
    for marker, name in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, cli_reference() if name == "cli" else admin_reference())
    return markdown


def _commands(parser: argparse.ArgumentParser, path: str) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:  # argparse keeps subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, f"{path} {name}")
    return found


def cli_reference() -> str:
    from anthropic_models_mock.cli.main import _parser

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = COLUMNS
    try:
        parts = [
            f"### `{path}`\n\n```text\n{parser.format_help().rstrip()}\n```\n"
            for path, parser in _commands(_parser(), "mockserver")
        ]
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return "\n".join(parts)


def _schema_text(schema: dict[str, Any]) -> str:
    return "```json\n" + json.dumps(schema, indent=2, ensure_ascii=False) + "\n```\n"


def admin_reference() -> str:
    from anthropic_models_mock.http.openapi import openapi_document

    document = json.loads(openapi_document(admin=True))
    parts: list[str] = []
    for path, operations in document["paths"].items():
        if not path.startswith("/_mock"):
            continue
        for method, operation in operations.items():
            parts.append(f"### `{method.upper()} {path}`\n\n{operation.get('summary', '')}.\n")
            if operation.get("description"):
                parts.append(operation["description"] + "\n")
            parameters = operation.get("parameters", [])
            if parameters:
                parts.append("| parameter | in | schema | description |\n|---|---|---|---|")
                for parameter in parameters:
                    schema = json.dumps(parameter.get("schema", {}), ensure_ascii=False)
                    description = parameter.get("description", "").replace("|", "\\|").replace("\n", " ")
                    parts.append(f"| `{parameter['name']}` | {parameter['in']} | `{schema}` | {description} |")
                parts.append("")
            body = operation.get("requestBody")
            if body is not None:
                schema = body["content"]["application/json"]["schema"]
                parts.append("Request body (`application/json`):\n\n" + _schema_text(schema))
            answers = [
                f"`{status}` {answer.get('description', '')}" for status, answer in operation["responses"].items()
            ]
            parts.append("Answers: " + "; ".join(answers) + ".\n")
    parts.append("## Schemas\n")
    for name, schema in document["components"]["schemas"].items():
        parts.append(f"### `{name}`\n\n" + _schema_text(schema))
    return "\n".join(parts)
