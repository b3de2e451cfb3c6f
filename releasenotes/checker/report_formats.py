"""What `manage.py check_manifests` reads and prints: inputs from paths or stdin, and the
results as text, JSON, Markdown or SARIF 2.1.0 (for code-scanning tools, which show each
finding at its file and line).

Plain Python: a result is anything with `findings`, `errors`, `truncated`, `report` and
`as_dict()` (manifests.CheckResult); a failed input is an exception with `code`,
`message`, `line` and `as_dict()` (manifests.CheckRequestError).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

FORMATS = ("text", "json", "markdown", "sarif")
SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
TOOL_NAME = "check_manifests"
TOOL_URI = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"


def collect(paths: Iterable[str], *, stdin: BinaryIO, limit: int) -> list[tuple[str, bytes]]:
    """(name, body) per input: files as given, directories recursively, `-` for stdin.

    Reads at most `limit` + 1 bytes of each, enough for the checker to refuse what is too
    large. Raises OSError for a path that does not exist.
    """
    inputs = []
    for raw in paths:
        if raw == STDIN:
            inputs.append((STDIN, stdin.read(limit + 1)))
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            files = [path]
        else:
            raise FileNotFoundError(f"No such file or directory: {raw}")
        for file in files:
            with open(file, "rb") as handle:
                inputs.append((str(file), handle.read(limit + 1)))
    return inputs


def _failed(outcome: Any) -> bool:
    return isinstance(outcome, Exception)


def exit_code(checked: list[tuple[str, Any]]) -> int:
    """3 removed, 2 deprecated only (pluto's codes); 1 if an input could not be read; else 0."""
    statuses = {f.status for _, r in checked if not _failed(r) for f in r.findings}
    if "removed" in statuses:
        return 3
    if statuses:
        return 2
    if any(_failed(r) or r.errors for _, r in checked):
        return 1
    return 0


def render(fmt: str, checked: list[tuple[str, Any]], target: str, current: str | None) -> str:
    return {"text": _text, "json": _json, "markdown": _markdown, "sarif": _sarif}[fmt](checked, target, current)


def _where(name: str, line: Any) -> str:
    return f"{name}:{line}" if line else name


def _replacement(finding: Any) -> str:
    if finding.replacement:
        deprecated = " (deprecated at the target too, but no better version is served there)"
        return f"use {finding.replacement}" + (deprecated if finding.replacement_deprecated else "")
    return "no replacement at the target" + (
        f" ({finding.advice['en'].splitlines()[0]})" if finding.advice.get("en") else ""
    )


def _status(finding: Any) -> str:
    if finding.status == "removed":
        return f"removed in {finding.removed_in}" + (
            " (already broken at current)" if finding.timing == "already-broken" else ""
        )
    return f"deprecated in {finding.deprecated_in}" + (
        f", removed in {finding.removed_in}" if finding.removed_in else ""
    )


def _text(checked, target, current):
    lines = []
    count = 0
    for name, result in checked:
        if _failed(result):
            lines.append(f"{_where(name, result.line)}: error: {result.message}")
            continue
        for error in result.errors:
            lines.append(f"{_where(name, error.line)}: error: {error.message}")
        for f in result.findings:
            count += 1
            who = f"{f.namespace}/{f.name}" if f.namespace else (f.name or "?")
            lines.append(
                f"{_where(name, f.line)}: {f.kind} {who} uses {f.api_version}: {_status(f)}; {_replacement(f)}"
            )
        for m in result.report.dockershim:
            lines.append(f"{_where(name, m.line)}: {m.kind} {m.name or '?'} mounts the Docker socket {m.path}")
        if result.truncated:
            lines.append(f"{name}: only the first objects and findings were checked (truncated)")
    upgrade = f"{current} -> {target}" if current else f"target {target}"
    lines.append(f"{count} finding(s) in {len(checked)} input(s), {upgrade}.")
    return "\n".join(lines) + "\n"


def _json(checked, target, current):
    files = []
    for name, result in checked:
        if _failed(result):
            files.append({"path": name, "error": result.as_dict()})
        else:
            files.append({"path": name, **result.as_dict()})
    body = {"target": target, "current": current, "exit_code": exit_code(checked), "files": files}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _cell(text: Any) -> str:
    return str(text if text not in (None, "") else "—").replace("|", "\\|")


def _markdown(checked, target, current):
    head = f"### Kubernetes API check: {current + ' → ' if current else ''}{target}\n\n"
    rows = [
        "| File | Line | Kind | Name | API version | Status | Replacement |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    problems = []
    for name, result in checked:
        if _failed(result):
            problems.append(f"- `{name}` line {result.line or '?'}: {result.message}")
            continue
        problems.extend(f"- `{name}` line {e.line or '?'}: {e.message}" for e in result.errors)
        for f in result.findings:
            who = f"{f.namespace}/{f.name}" if f.namespace else f.name
            rows.append(
                "| "
                + " | ".join(
                    _cell(v) for v in (name, f.line, f.kind, who, f.api_version, _status(f), f.replacement or "none")
                )
                + " |"
            )
    body = "\n".join(rows) + "\n" if len(rows) > 2 else "No deprecated or removed API versions found.\n"
    if problems:
        body += "\n**Inputs that could not be read:**\n\n" + "\n".join(problems) + "\n"
    return head + body


_SARIF_RULES = {
    "removed-api": ("error", "API version no longer served at the target release"),
    "deprecated-api": ("warning", "API version deprecated at the target release"),
    "docker-socket": ("warning", "Mounts the Docker socket, gone with dockershim (1.24)"),
    "unreadable": ("error", "Input that could not be read as manifests"),
}


def _location(name: str, line: Any) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": "stdin" if name == STDIN else Path(name).as_posix()}}
    if line:
        physical["region"] = {"startLine": int(line)}
    return {"physicalLocation": physical}


def _sarif(checked, target, current):
    results = []
    for name, result in checked:
        errors = [result] if _failed(result) else result.errors
        for error in errors:
            results.append(
                {
                    "ruleId": "unreadable",
                    "level": "error",
                    "message": {"text": error.message},
                    "locations": [_location(name, error.line)],
                }
            )
        if _failed(result):
            continue
        for f in result.findings:
            rule = "removed-api" if f.status == "removed" else "deprecated-api"
            who = f"{f.namespace}/{f.name}" if f.namespace else (f.name or "?")
            results.append(
                {
                    "ruleId": rule,
                    "level": _SARIF_RULES[rule][0],
                    "message": {"text": f"{f.kind} {who} uses {f.api_version}: {_status(f)}; {_replacement(f)}."},
                    "locations": [_location(name, f.line)],
                    "properties": {"apiVersion": f.api_version, "kind": f.kind, "replacement": f.replacement},
                }
            )
        for m in result.report.dockershim:
            results.append(
                {
                    "ruleId": "docker-socket",
                    "level": "warning",
                    "message": {"text": f"{m.kind} {m.name or '?'} mounts {m.path} from the node."},
                    "locations": [_location(name, m.line)],
                }
            )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "informationUri": TOOL_URI,
                        "rules": [
                            {"id": rule, "shortDescription": {"text": text}, "defaultConfiguration": {"level": level}}
                            for rule, (level, text) in _SARIF_RULES.items()
                        ],
                    }
                },
                "properties": {"target": target, "current": current},
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"
