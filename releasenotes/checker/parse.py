"""Read Kubernetes manifests (YAML or JSON, as people paste or upload them) into objects.

Plain Python, no Django. Every input either becomes a list of ``Document`` or raises
``ManifestError`` with a code the API can answer with; no other exception escapes.

What it reads:

- multi-document YAML (``---``), including Helm output with ``# Source:`` comments and
  empty documents, which are skipped;
- JSON: one value, an array of objects, or several values one after another (``jq``
  output);
- ``kind: List`` and typed lists (``DeploymentList``) as ``kubectl get -o yaml|json``
  and the API server print them: each entry of ``items`` becomes its own document;
- CRLF line endings, a UTF-8 BOM, and UTF-16 with a BOM (what Windows PowerShell's ``>``
  writes when someone redirects ``kubectl get`` into a file).

Text that starts with ``{`` or ``[`` is read as JSON; if it is not JSON but is YAML flow
style (``{kind: Pod}``), the YAML reading is taken, and otherwise the JSON error reported.

Untrusted YAML is read in two passes. The first walks the event stream only, which never
builds an object: it rejects nesting deeper than ``max_depth`` and counts every value,
each alias for the whole subtree it stands for, against ``max_nodes``. So a
billion-laughs input is refused after a few hundred events, and a self-referencing alias
never reaches the constructor. The second pass is PyYAML's own safe loader (libyaml's
when installed), run only on input the first pass accepted.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "ManifestError",
    "parse_manifests",
]

MAX_BYTES = 1024 * 1024
# Deep enough for real CustomResourceDefinition schemas (they reach 40-60 levels), shallow
# enough that PyYAML's recursive constructor stays far from Python's recursion limit.
MAX_DEPTH = 100
# Values (scalars and collections, aliases expanded) in one input. An alias bomb blows
# through it within a few hundred events. It also caps PyYAML's constructor, which needs
# about 4 s per million values; 1 MiB of real manifests holds 60,000 to 100,000.
MAX_NODES = 250_000

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, but timestamps stay strings.

    Kubernetes reads ``creationTimestamp: 2020-09-04T19:51:38Z`` as a string, and PyYAML's
    timestamp constructor raises ValueError on look-alikes such as ``2020-99-99``.
    """


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# C0 control characters other than tab, LF and CR: neither YAML nor JSON allows them
# anywhere, so their presence means the upload is not a text manifest.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")


@dataclass(frozen=True)
class Document:
    """One Kubernetes object read from the input.

    ``index`` is its 0-based position among the objects read (empty documents skipped,
    List items expanded); ``line`` is the 1-based input line where the object starts.
    """

    index: int
    obj: dict[str, Any]
    line: int


class ManifestError(Exception):
    """Input that cannot be read as manifests.

    ``code`` is one of ``invalid_yaml``, ``invalid_json``, ``not_text``, ``too_large``,
    ``too_complex``, ``not_an_object``, ``empty``. ``document`` is the 0-based position of
    the offending document in the input as written (every ``---`` section counts, empty
    ones too; in JSON each top-level value or top-level array element), or None; the
    message counts from 1 for people ("document 2"). ``line`` is 1-based, or None.
    """

    def __init__(self, code: str, message: str, document: int | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.document = document
        self.line = line

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "document": self.document,
            "line": self.line,
        }

    def __repr__(self) -> str:
        return f"ManifestError({self.code!r}, {self.message!r}, document={self.document!r}, line={self.line!r})"


@dataclass
class _Raw:
    """A top-level value as read, before List expansion."""

    position: int  # 0-based position in the input, as in ManifestError.document
    value: Any
    line: int
    item_lines: list[int] | None = None  # lines of `items` entries, for a List


def parse_manifests(
    data: bytes | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> list[Document]:
    """Read YAML or JSON manifests into documents; raise ManifestError if they can't be."""
    text = _decode(data, max_bytes)
    if _looks_like_json(text):
        try:
            raws = _read_json(text, max_depth)
        except ManifestError as json_error:
            if json_error.code != "invalid_json":
                raise
            # `{kind: Pod}` is YAML flow style, not JSON. Take the YAML reading if it works;
            # otherwise the JSON error is the one that helps the person who wrote it.
            try:
                raws = _read_yaml(text, max_depth, max_nodes)
            except ManifestError as yaml_error:
                if yaml_error.code == "too_complex":
                    raise
                raise json_error from None
    else:
        raws = _read_yaml(text, max_depth, max_nodes)

    documents: list[Document] = []
    for raw in raws:
        _expand(raw, documents)
    if not documents:
        raise ManifestError("empty", "The input holds no Kubernetes objects.")
    return documents


# Decoding


def _decode(data: bytes | str, max_bytes: int) -> str:
    """Check the size, then return the input as text with a BOM removed and LF newlines."""
    if isinstance(data, str):
        # A character is at least one byte: reject a huge string before encoding it.
        if len(data) > max_bytes:
            raise _too_large(max_bytes)
        try:
            size = len(data.encode("utf-8"))
        except UnicodeEncodeError as exc:  # lone surrogates
            raise ManifestError(
                "not_text", "The input is not valid Unicode text.", line=_line_at(data, exc.start)
            ) from None
        if size > max_bytes:
            raise _too_large(max_bytes)
        text = data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if len(raw) > max_bytes:
            raise _too_large(max_bytes)
        text = _decode_bytes(raw)
    else:
        raise TypeError(f"parse_manifests() takes bytes or str, not {type(data).__name__}")

    text = text.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        raise ManifestError(
            "not_text",
            "The input contains NUL bytes; it looks like a binary file, not a manifest.",
            line=_line_at(text, nul),
        )
    control = _CONTROL.search(text)
    if control:
        raise ManifestError(
            "not_text",
            f"The input contains a control character (U+{ord(control.group()):04X}); "
            "it looks like a binary file, not a manifest.",
            line=_line_at(text, control.start()),
        )
    # YAML treats a lone CR as a line break too; making both LF keeps line counts in step.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_bytes(raw: bytes) -> str:
    if raw.startswith(_UTF16_BOMS):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ManifestError("not_text", "The input is not valid UTF-16 text.") from None
    try:
        return raw.decode("utf-8")  # a UTF-8 BOM decodes to U+FEFF, removed by the caller
    except UnicodeDecodeError as exc:
        raise ManifestError(
            "not_text",
            "The input is not UTF-8 text; save the manifest as UTF-8 and try again.",
            line=raw.count(b"\n", 0, exc.start) + 1,
        ) from None


def _too_large(max_bytes: int) -> ManifestError:
    return ManifestError("too_large", f"The input is larger than {_size(max_bytes)}.")


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _looks_like_json(text: str) -> bool:
    stripped = text.lstrip(" \t\n")
    return stripped[:1] in ("{", "[")


# YAML


def _read_yaml(text: str, max_depth: int, max_nodes: int) -> list[_Raw]:
    _check_yaml_events(text, max_depth, max_nodes)

    loader = _new_loader(text, max_depth)
    raws: list[_Raw] = []
    position = 0
    node: yaml.Node | None = None
    try:
        while loader.check_node():
            node = loader.get_node()
            value = loader.construct_document(node)
            line = node.start_mark.line + 1
            item_lines = _yaml_item_lines(node) if _is_list(value) else None
            raws.append(_Raw(position, value, line, item_lines))
            position += 1
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, position, text, max_depth) from None
    except RecursionError:
        raise _too_deep(position, None, max_depth) from None
    except Exception as exc:
        # The constructor runs int(), float(), base64 and friends on untrusted scalars
        # (`!!int 0x`, a 5,000-digit number, `!!binary ~`); whatever they raise, the
        # answer is the same: this document is not a manifest we can read.
        line = node.start_mark.line + 1 if node is not None else None
        raise ManifestError(
            "invalid_yaml",
            f"Document {position + 1} (line {line}) is not valid YAML: {exc}",
            document=position,
            line=line,
        ) from None
    finally:
        loader.dispose()
    return raws


def _check_yaml_events(text: str, max_depth: int, max_nodes: int) -> None:
    """Refuse deep nesting and too many values before anything is built.

    Keeps, per document, the expanded size of every anchored node, so an alias counts for
    every value it stands for without being walked. An alias to a node that is still open
    would make a cycle, which no manifest needs.
    """
    loader = _new_loader(text, max_depth)
    position = -1
    stack: list[list[Any]] = []  # [anchor, expanded size so far] per open collection
    sizes: dict[str, int] = {}
    total = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                position += 1
                sizes.clear()  # anchors do not cross documents
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, size = stack.pop()
                if anchor is not None:
                    sizes[anchor] = size
                if stack:
                    stack[-1][1] += size
                continue
            if not isinstance(event, yaml.NodeEvent):  # stream and document ends
                continue

            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent):
                if any(frame[0] == event.anchor for frame in stack):
                    raise ManifestError(
                        "too_complex",
                        f"Document {position + 1} uses the alias *{event.anchor} inside "
                        f"its own anchor (line {line}), which never ends.",
                        document=position,
                        line=line,
                    )
                size = sizes.get(event.anchor)
                if size is None:
                    raise ManifestError(
                        "invalid_yaml",
                        f"Document {position + 1} is not valid YAML: the alias "
                        f"*{event.anchor} at line {line} has no anchor before it.",
                        document=position,
                        line=line,
                    )
            else:
                size = 1
                if isinstance(event, yaml.ScalarEvent):
                    if event.anchor is not None:
                        sizes[event.anchor] = 1
                elif len(stack) >= max_depth:  # a mapping or sequence starts
                    raise _too_deep(position, line, max_depth)

            total += size
            if total > max_nodes:
                raise ManifestError(
                    "too_complex",
                    f"The input holds more than {max_nodes:,} values, counting each alias "
                    f"as all it repeats; document {position + 1} passes that at line {line}.",
                    document=position,
                    line=line,
                )
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append([event.anchor, 1])
            elif stack:
                stack[-1][1] += size
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, max(position, 0), text, max_depth) from None
    except RecursionError:  # not expected from the event stream, but cheap to be sure
        raise _too_deep(max(position, 0), None, max_depth) from None
    finally:
        loader.dispose()


def _new_loader(text: str, max_depth: int) -> Any:
    # The pure-Python reader checks for unprintable characters as it is created.
    try:
        return _Loader(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, 0, text, max_depth) from None


def _too_deep(position: int, line: int | None, max_depth: int) -> ManifestError:
    where = f" (line {line})" if line else ""
    return ManifestError(
        "too_complex",
        f"Document {position + 1} nests deeper than {max_depth} levels{where}.",
        document=position,
        line=line,
    )


def _yaml_error(exc: yaml.YAMLError, position: int, text: str, max_depth: int) -> ManifestError:
    if isinstance(exc, yaml.reader.ReaderError):
        line = _line_at(text, exc.position)
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return ManifestError(
            "not_text",
            f"Line {line} contains a character YAML does not allow (U+{character:04X}).",
            document=position,
            line=line,
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        problem = exc.problem or "unreadable"
        if "nesting depth" in problem:  # libyaml's own limit, met while scanning ahead
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            return _too_deep(position, line, max_depth)
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = f"Document {position + 1} is not valid YAML: {problem}"
        if mark:
            message += f" at line {line}, column {mark.column + 1}"
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            message += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
        elif exc.context:
            message += f" ({exc.context})"
        return ManifestError("invalid_yaml", message + ".", document=position, line=line)
    return ManifestError(
        "invalid_yaml",
        f"Document {position + 1} is not valid YAML: {exc}",
        document=position,
    )


def _yaml_item_lines(node: yaml.Node) -> list[int] | None:
    """Lines of the entries of a List's `items`, read from the composed node."""
    if not isinstance(node, yaml.MappingNode):
        return None
    items = None
    for key, value in node.value:  # the last `items` wins, as in the constructed dict
        if isinstance(key, yaml.ScalarNode) and key.value == "items":
            items = value
    if not isinstance(items, yaml.SequenceNode):
        return None
    return [child.start_mark.line + 1 for child in items.value]


# JSON


def _read_json(text: str, max_depth: int) -> list[_Raw]:
    """Read one JSON value, an array of them, or several values one after another."""
    decoder = json.JSONDecoder()
    lines = _LineIndex(text)
    raws: list[_Raw] = []
    position = 0
    start = _skip_json_whitespace(text, 0)
    while start < len(text):
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            raise ManifestError(
                "invalid_json",
                f"The JSON is not valid at line {exc.lineno}, column {exc.colno}: {exc.msg}.",
                document=position,
                line=exc.lineno,
            ) from None
        except RecursionError:
            raise _too_deep(position, lines.line(start), max_depth) from None
        except ValueError as exc:  # e.g. an integer longer than Python will convert
            raise ManifestError("invalid_json", f"The JSON is not valid: {exc}.", document=position) from None
        if _deeper_than(value, max_depth):
            raise _too_deep(position, lines.line(start), max_depth)

        if isinstance(value, list):
            elements = zip(value, _json_element_starts(decoder, text, start), strict=True)
        else:
            elements = zip([value], [start], strict=True)
        for element, element_start in elements:
            item_lines = None
            if _is_list(element):
                members = _json_member_starts(decoder, text, element_start)
                if "items" in members:
                    item_lines = [lines.line(s) for s in _json_element_starts(decoder, text, members["items"])]
            raws.append(_Raw(position, element, lines.line(element_start), item_lines))
            position += 1
        start = _skip_json_whitespace(text, end)
    return raws


def _deeper_than(value: Any, max_depth: int) -> bool:
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


# The two helpers below walk text the decoder has already accepted, so its shape is known:
# they only find where values start, using raw_decode to step over each one.


def _json_element_starts(decoder: json.JSONDecoder, text: str, start: int) -> list[int]:
    """Offsets of the elements of the array at text[start] == "["."""
    starts: list[int] = []
    pos = _skip_json_whitespace(text, start + 1)
    if text[pos] == "]":
        return starts
    while True:
        starts.append(pos)
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip_json_whitespace(text, pos)
        if text[pos] == "]":
            return starts
        pos = _skip_json_whitespace(text, pos + 1)  # past the comma


def _json_member_starts(decoder: json.JSONDecoder, text: str, start: int) -> dict[str, int]:
    """Offsets of the member values of the object at text[start] == "{"."""
    members: dict[str, int] = {}
    pos = _skip_json_whitespace(text, start + 1)
    if text[pos] == "}":
        return members
    while True:
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_json_whitespace(text, pos)
        pos = _skip_json_whitespace(text, pos + 1)  # past the colon
        members[key] = pos
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip_json_whitespace(text, pos)
        if text[pos] == "}":
            return members
        pos = _skip_json_whitespace(text, pos + 1)  # past the comma


def _skip_json_whitespace(text: str, pos: int) -> int:
    match = _JSON_WHITESPACE.match(text, pos)
    return match.end() if match else pos


class _LineIndex:
    """Offset -> 1-based line, in O(log n) per look-up."""

    def __init__(self, text: str) -> None:
        self._newlines: list[int] | None = None
        self._text = text

    def line(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self._text)]
        return bisect.bisect_left(self._newlines, offset) + 1


# Lists and objects


def _is_list(value: Any) -> bool:
    """`kind: List` from kubectl, or a typed list such as `DeploymentList` from the API."""
    if not isinstance(value, dict):
        return False
    kind = value.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and isinstance(value.get("items"), list)


def _expand(raw: _Raw, documents: list[Document]) -> None:
    """Append the object(s) of one top-level value to documents."""
    value = raw.value
    if value is None:  # an empty document, e.g. a Helm template that rendered nothing
        return
    if not isinstance(value, dict):
        raise ManifestError(
            "not_an_object",
            f"Document {raw.position + 1} (line {raw.line}) is {_describe(value)}, not a Kubernetes object.",
            document=raw.position,
            line=raw.line,
        )
    if not _is_list(value):
        documents.append(Document(len(documents), value, raw.line))
        return

    # Items of a typed list from the API (DeploymentList) carry no apiVersion or kind of
    # their own; kubectl fills them in, and so do we.
    list_kind: str = value["kind"]
    implied: dict[str, Any] = {}
    if list_kind != "List":
        implied["kind"] = list_kind.removesuffix("List")
        if isinstance(value.get("apiVersion"), str):
            implied["apiVersion"] = value["apiVersion"]

    pending: list[tuple[Any, int, str]] = [
        (item, _item_line(raw, i), f"item {i + 1} of the {list_kind}") for i, item in enumerate(value["items"])
    ]
    pending.reverse()
    while pending:
        item, line, label = pending.pop()
        if item is None:
            continue
        if not isinstance(item, dict):
            raise ManifestError(
                "not_an_object",
                f"In document {raw.position + 1}, {label} (line {line}) is {_describe(item)}, not a Kubernetes object.",
                document=raw.position,
                line=line,
            )
        if _is_list(item):  # a List inside a List: rare, but flattening is harmless
            nested = [(child, line, f"item {j + 1} of {label}") for j, child in enumerate(item["items"])]
            pending.extend(reversed(nested))
            continue
        if implied and any(key not in item for key in implied):
            item = {**implied, **item}
        documents.append(Document(len(documents), item, line))


def _item_line(raw: _Raw, i: int) -> int:
    if raw.item_lines is not None and i < len(raw.item_lines):
        return raw.item_lines[i]
    return raw.line


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return f"a {type(value).__name__}"
