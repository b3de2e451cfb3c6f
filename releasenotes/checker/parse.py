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

Strict where a wrong reading would mislead: a key set twice in one mapping (PyYAML would
keep the last silently) and an unrendered Helm chart (`{{ … }}`) reject the whole input.
A document that is merely broken is reported in ``Manifests.errors`` while the others are
still read: the input is read in one pass, and again section by section (split at `---`
lines) only when a document in it is broken. Reading stops at ``max_objects`` objects
(``Manifests.truncated``).

Untrusted YAML is bounded before anything is built. Where anchors make aliases possible,
a first pass walks the event stream only: it rejects nesting deeper than ``max_depth`` and
counts every value, each alias for the whole subtree it stands for, against
``max_nodes``, so a billion-laughs input is refused after a few hundred events and a
self-referencing alias never reaches the builder. Without anchors every value is written
out, and the lines, commas and brackets bound their number at no cost. Values are then
built from libyaml's composed nodes as plain dicts, lists and strings (PyYAML's safe
constructor only for merge keys and explicit tags), with the cyclic collector paused.
"""

from __future__ import annotations

import bisect
import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

__all__ = [
    "DOCUMENT_ERRORS",
    "MAX_BYTES",
    "MAX_OBJECTS",
    "Manifests",
    "read_manifests",
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
# Objects in one input: 1 MiB of real manifests holds a few hundred to a few thousand.
# Past it the checker stops reading and says the answer is truncated.
MAX_OBJECTS = 5_000

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, but timestamps stay strings.

    Kubernetes reads ``creationTimestamp: 2020-09-04T19:51:38Z`` as a string, and PyYAML's
    timestamp constructor raises ValueError on look-alikes such as ``2020-99-99``.
    """

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        # YAML forbids a key twice in one mapping, but PyYAML keeps the last silently; a
        # manifest with two `apiVersion`s is not what the author thinks it is.
        if isinstance(node, yaml.MappingNode):
            keys = [key.value for key, _value in node.value if key.tag != _MERGE_TAG]
            if len(keys) != len(set(keys)):
                seen = set()
                for key, _value in node.value:
                    if key.tag != _MERGE_TAG and isinstance(key.value, str):
                        if key.value in seen:
                            raise _DuplicateKey(key.value, key.start_mark)
                        seen.add(key.value)
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: str, mark: Any) -> None:
        super().__init__(key)
        self.key = key
        self.mark = mark


class _PlainResolver(BaseResolver):
    """Every untagged node gets its kind's default tag: scalars stay the strings they are
    written as, which is all a check needs (Kubernetes reads names and versions as strings
    too). The composer asks once per node, so this is kept to one dictionary look-up."""

    _TAGS = {
        ScalarNode: BaseResolver.DEFAULT_SCALAR_TAG,
        MappingNode: BaseResolver.DEFAULT_MAPPING_TAG,
        SequenceNode: BaseResolver.DEFAULT_SEQUENCE_TAG,
    }

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return self._TAGS[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # no path resolvers

    def ascend_resolver(self) -> None:
        pass


if _CParser is not None:

    class _ComposeLoader(_CParser, _PlainResolver):  # type: ignore[misc, valid-type]
        """libyaml's parser and composer; ``_build`` makes the values."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _PlainResolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _ComposeLoader(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _PlainResolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _PlainResolver.__init__(self)


_MERGE_TAG = "tag:yaml.org,2002:merge"
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
    List items expanded). ``position`` is the 0-based document it was read from, counted
    as ``ManifestError.document`` counts (every ``---`` section, in JSON every top-level
    value or top-level array element), and ``item`` its 0-based place in that document's
    ``items`` when the document is a List. ``line`` is the 1-based input line of the
    object's ``apiVersion`` (where the object starts when it has none).
    """

    index: int
    obj: dict[str, Any]
    line: int
    position: int = -1  # -1: the same as index (documents built by hand in tests)
    item: int | None = None

    def __post_init__(self) -> None:
        if self.position < 0:
            object.__setattr__(self, "position", self.index)


class ManifestError(Exception):
    """Input that cannot be read as manifests.

    ``code`` is one of ``invalid_yaml``, ``invalid_json``, ``not_text``, ``too_large``,
    ``too_complex``, ``not_an_object``, ``empty``, ``duplicate_key``, ``helm_template``.
    ``document`` is the 0-based position of the offending document in the input as
    written (every ``---`` section counts, empty ones too; in JSON each top-level value or
    top-level array element), or None; the message counts from 1 for people ("document
    2"). ``line`` is 1-based, or None.
    """

    def __init__(self, code: str, message: str, document: int | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.document = document
        self.line = line

    @property
    def per_document(self) -> bool:
        """True when only this document is unreadable and the others can still be checked."""
        return self.code in DOCUMENT_ERRORS

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "document": self.document,
            "line": self.line,
        }

    def __repr__(self) -> str:
        return f"ManifestError({self.code!r}, {self.message!r}, document={self.document!r}, line={self.line!r})"


# Errors that spoil one document only; the others are still read and checked. Every other
# code (duplicate keys, an unrendered template, too large, too complex, not text) rejects
# the whole input: what would be applied is not what we would check.
DOCUMENT_ERRORS = frozenset({"invalid_yaml", "invalid_json", "not_an_object"})


@dataclass
class Manifests:
    """What ``read_manifests`` found: the objects, the documents it could not read, and
    whether it stopped at ``max_objects``."""

    documents: list[Document] = field(default_factory=list)
    errors: list[ManifestError] = field(default_factory=list)
    truncated: bool = False


@dataclass
class _Raw:
    """A top-level value as read, before List expansion."""

    position: int  # 0-based position in the input, as in ManifestError.document
    value: Any
    line: int  # where the value starts
    api_line: int | None = None  # the line of its apiVersion
    item_lines: list[tuple[int, int | None]] | None = None  # (start, apiVersion) per List item


def parse_manifests(
    data: bytes | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> list[Document]:
    """Read YAML or JSON manifests into documents; raise ManifestError if any document can't be."""
    manifests = read_manifests(data, max_bytes=max_bytes, max_depth=max_depth, max_nodes=max_nodes)
    if manifests.errors:
        raise manifests.errors[0]
    return manifests.documents


def read_manifests(
    data: bytes | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    max_objects: int = MAX_OBJECTS,
) -> Manifests:
    """Read YAML or JSON manifests, document by document.

    Raises ManifestError for input that cannot be checked at all (see DOCUMENT_ERRORS) and
    when no document holds an object; otherwise returns the objects read, the documents
    that could not be read, and whether reading stopped at ``max_objects``.
    """
    text = _decode(data, max_bytes)
    with collector_paused():
        return _read(text, max_depth, max_nodes, max_objects)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Building 100,000 values while the cyclic collector keeps rescanning them all takes
    several times as long as building them; nothing built here holds a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(text: str, max_depth: int, max_nodes: int, max_objects: int) -> Manifests:
    result = Manifests()
    if _looks_like_json(text):
        try:
            raws = _read_json(text, max_depth, max_objects, result)
            json_error = result.errors[0] if result.errors else None
        except ManifestError as error:
            if error.code != "invalid_json":
                raise
            json_error = error
        if json_error is not None:
            # `{kind: Pod}` is YAML flow style, and `{}\n---\n{}` YAML documents, not JSON.
            # Take the YAML reading if it works; otherwise what the JSON reading found,
            # whose error is the one that helps the person who wrote it.
            try:
                as_yaml = Manifests()
                yaml_raws = _read_yaml(text, max_depth, max_nodes, max_objects, as_yaml)
                if as_yaml.errors:
                    raise as_yaml.errors[0]
            except ManifestError as yaml_error:
                if not yaml_error.per_document:
                    raise
                if not result.errors:
                    raise json_error from None
            else:
                result, raws = as_yaml, yaml_raws
    else:
        raws = _read_yaml(text, max_depth, max_nodes, max_objects, result)

    for raw in raws:
        try:
            _expand(raw, result.documents)
        except ManifestError as error:
            result.errors.append(error)
        if len(result.documents) >= max_objects:
            del result.documents[max_objects:]
            result.truncated = True
            break
    if not result.documents:
        if result.errors:
            raise result.errors[0]
        raise ManifestError("empty", "The input holds no Kubernetes objects.")
    result.errors.sort(key=lambda e: e.document if e.document is not None else -1)
    return result


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


_SEPARATOR = re.compile(r"^---(?=[ \t]|$)", re.M)
_CONTENT = re.compile(r"^[ \t]*[^#\s]", re.M)  # a line that is neither blank nor a comment
# A Go template action, as Helm charts hold before `helm template` renders them.
_TEMPLATE = re.compile(r"\{\{-?[^\n]*?\}\}")


def _sections(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each document as written, split at `---` lines.

    A `---` at the start of a line always starts a document in YAML (inside a block scalar
    it would need indenting), so each section can be read on its own: one broken document
    does not stop the others. Text before the first `---` is a document only if it holds
    anything; a `%YAML` directive there belongs to the document after it.
    """
    starts = [m.start() for m in _SEPARATOR.finditer(text)]
    if not starts or starts[0] != 0:
        head = text[: starts[0]] if starts else text
        content = _CONTENT.search(head)
        if content is None or (starts and head.lstrip().startswith("%")):
            if not starts:
                return
        else:
            starts.insert(0, 0)
    line = 1 + text.count("\n", 0, starts[0])
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        yield line, text[start:end]
        line += text.count("\n", start, end)


def _has_content(section: str) -> bool:
    if section.startswith("---"):
        first_end = section.find("\n")
        rest_of_marker = section[3 : first_end if first_end >= 0 else len(section)].strip()
        if rest_of_marker and not rest_of_marker.startswith("#"):
            return True
        return first_end >= 0 and _CONTENT.search(section, first_end) is not None
    return _CONTENT.search(section) is not None


def _read_yaml(text: str, max_depth: int, max_nodes: int, max_objects: int, result: Manifests) -> list[_Raw]:
    """All documents in one pass; if one is broken, again section by section, so the
    others are still read."""
    try:
        raws = _read_section(text, 0, 0, max_depth, [max_nodes], max_objects)
    except ManifestError as error:
        if not error.per_document:
            raise
    else:
        return raws  # read_manifests stops at max_objects and says so

    raws = []
    budget = [max_nodes]
    read = 0
    for position, (first_line, section) in enumerate(_sections(text)):
        if not _has_content(section):
            continue  # an empty document, e.g. a Helm template that rendered nothing
        if read >= max_objects:
            result.truncated = True
            break
        read += 1
        try:
            raws.extend(_read_section(section, position, first_line - 1, max_depth, budget, 1))
        except ManifestError as error:
            if not error.per_document:
                raise
            _refuse_template(section, position, first_line - 1)
            result.errors.append(error)
    return raws


def _read_section(
    section: str, position: int, offset: int, max_depth: int, budget: list[int], limit: int
) -> list[_Raw]:
    """The documents of `section` (the whole input, or one `---` section of it), the first
    counted as `position` and its lines shifted by `offset`; stops after `limit` + 1."""
    if "&" in section:
        # Anchors make aliases possible, and an alias can stand for any number of values:
        # count them on the event stream before anything is built.
        _check_yaml_events(section, position, offset, max_depth, budget)
    else:
        # Without anchors every value is written out, on a line or after a comma or bracket
        # of its own: a cheap upper bound, so the usual manifest skips the slow count.
        _count_written_values(section, position, offset, budget)
    # Merge keys (`<<: *defaults`) need PyYAML's constructor; everything else is built from
    # the composed nodes directly, several times faster.
    merges = "<<" in section
    try:
        return _read_nodes(section, position, offset, max_depth, limit, merges)
    except _NeedsConstructor:
        return _read_nodes(section, position, offset, max_depth, limit, True)


def _read_nodes(section: str, position: int, offset: int, max_depth: int, limit: int, construct: bool) -> list[_Raw]:
    loader = _new_loader(section, max_depth) if construct else _new_compose_loader(section, max_depth)
    raws: list[_Raw] = []
    node: yaml.Node | None = None
    objects = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if construct:
                value = loader.construct_document(node)
                if _deeper_than(value, max_depth):
                    raise _too_deep(position, node.start_mark.line + 1 + offset, max_depth)
            else:
                value = _build(node, position, offset, max_depth)
            raws.append(
                _Raw(
                    position,
                    value,
                    node.start_mark.line + 1 + offset,
                    _yaml_api_line(node, offset),
                    _yaml_item_lines(node, offset) if _is_list(value) else None,
                )
            )
            position += 1
            objects += value is not None
            if objects > limit:
                break
    except _DuplicateKey as dup:
        line = dup.mark.line + 1 + offset
        raise ManifestError(
            "duplicate_key",
            f"Document {position + 1} sets the key {dup.key!r} twice; the second one is at line {line}. "
            "Kubernetes would keep only one of them: remove the other.",
            document=position,
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, position, section, max_depth, offset) from None
    except RecursionError:
        raise _too_deep(position, None, max_depth) from None
    except (ManifestError, _NeedsConstructor):
        raise
    except Exception as exc:
        # The constructor runs int(), float(), base64 and friends on untrusted scalars
        # (`!!int 0x`, a 5,000-digit number, `!!binary ~`); whatever they raise, the
        # answer is the same: this document is not a manifest we can read.
        line = node.start_mark.line + 1 + offset if node is not None else None
        raise ManifestError(
            "invalid_yaml",
            f"Document {position + 1} (line {line}) is not valid YAML: {exc}",
            document=position,
            line=line,
        ) from None
    finally:
        loader.dispose()
    return raws


def _count_written_values(section: str, position: int, offset: int, budget: list[int]) -> None:
    written = section.count("\n") + section.count(",") + section.count("[") + section.count("{") + 1
    budget[0] -= written
    if budget[0] < 0:
        raise ManifestError(
            "too_complex",
            f"The input holds more than {MAX_NODES:,} values; document {position + 1} (line {offset + 1}) "
            "passes that. Split it into smaller inputs.",
            document=position,
            line=offset + 1,
        )


_PLAIN_TAGS = frozenset(
    {BaseResolver.DEFAULT_SCALAR_TAG, BaseResolver.DEFAULT_MAPPING_TAG, BaseResolver.DEFAULT_SEQUENCE_TAG}
)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class _NeedsConstructor(Exception):
    """A node with an explicit tag (`!!int`, `!Ref`): PyYAML's safe constructor decides."""


def _build(root: yaml.Node, position: int, offset: int, max_depth: int) -> Any:
    """The value of a composed document: dicts, lists and strings, built without recursion.

    An empty document is None. A node an alias repeats is built once and shared, as PyYAML
    does. Refuses keys that are not scalars, a key set twice in one mapping, and nesting
    deeper than max_depth; raises _NeedsConstructor for explicitly tagged nodes.
    """
    if type(root) is ScalarNode:
        if root.tag not in _PLAIN_TAGS:
            raise _NeedsConstructor
        plain = root.style in (None, "")  # libyaml gives "" for plain, PyYAML None
        return None if plain and root.value in _NULLS else root.value
    result: Any = {} if type(root) is MappingNode else []
    built: dict[int, Any] = {id(root): result}
    stack: list[tuple[Any, Any, int]] = [(root, result, 1)]

    def collection(child: yaml.Node, depth: int) -> Any:
        value = built.get(id(child))
        if value is None:
            value = built[id(child)] = {} if type(child) is MappingNode else []
            stack.append((child, value, depth + 1))
        return value

    while stack:
        node, out, depth = stack.pop()
        if depth > max_depth:
            raise _too_deep(position, node.start_mark.line + 1 + offset, max_depth)
        if node.tag not in _PLAIN_TAGS:
            raise _NeedsConstructor
        if type(node) is MappingNode:
            for key, child in node.value:
                if type(key) is not ScalarNode:
                    line = key.start_mark.line + 1 + offset
                    raise ManifestError(
                        "invalid_yaml",
                        f"Document {position + 1} is not valid YAML: a key at line {line} is a "
                        "mapping or a list, not a name.",
                        document=position,
                        line=line,
                    )
                if type(child) is ScalarNode:
                    if child.tag not in _PLAIN_TAGS:
                        raise _NeedsConstructor
                    out[key.value] = child.value
                else:
                    out[key.value] = collection(child, depth)
            if len(out) != len(node.value):
                _raise_duplicate(node)
        else:
            for child in node.value:
                if type(child) is ScalarNode:
                    if child.tag not in _PLAIN_TAGS:
                        raise _NeedsConstructor
                    out.append(child.value)
                else:
                    out.append(collection(child, depth))
    return result


def _raise_duplicate(node: yaml.MappingNode) -> None:
    seen = set()
    for key, _child in node.value:
        if key.value in seen:
            raise _DuplicateKey(key.value, key.start_mark)
        seen.add(key.value)


def _refuse_template(text: str, position: int, offset: int) -> None:
    """A document that does not parse and holds `{{ … }}` is a chart, not rendered output."""
    match = _TEMPLATE.search(text)
    if match is None:
        return
    line = text.count("\n", 0, match.start()) + 1 + offset
    raise ManifestError(
        "helm_template",
        f"Document {position + 1} is an unrendered Helm template ({match.group()!r} at line {line}). "
        "Run `helm template` on the chart first and check its output.",
        document=position,
        line=line,
    )


def _check_yaml_events(text: str, position: int, offset: int, max_depth: int, budget: list[int]) -> None:
    """Refuse deep nesting and too many values before anything is built.

    Keeps, per document, the expanded size of every anchored node, so an alias counts for
    every value it stands for without being walked. An alias to a node that is still open
    would make a cycle, which no manifest needs. ``budget`` holds the values the whole
    input may still have.
    """
    loader = _new_loader(text, max_depth)
    position -= 1  # the first DocumentStartEvent brings it back
    stack: list[list[Any]] = []  # [anchor, expanded size so far] per open collection
    sizes: dict[str, int] = {}
    total = 0
    max_nodes = budget[0]
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

            line = event.start_mark.line + 1 + offset
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
                    f"The input holds more than {MAX_NODES:,} values, counting each alias "
                    f"as all it repeats; document {position + 1} passes that at line {line}.",
                    document=position,
                    line=line,
                )
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append([event.anchor, 1])
            elif stack:
                stack[-1][1] += size
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, max(position, 0), text, max_depth, offset) from None
    except RecursionError:  # not expected from the event stream, but cheap to be sure
        raise _too_deep(position, None, max_depth) from None
    finally:
        loader.dispose()
    budget[0] -= total


def _new_loader(text: str, max_depth: int) -> Any:
    # The pure-Python reader checks for unprintable characters as it is created.
    try:
        return _Loader(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, 0, text, max_depth) from None


def _new_compose_loader(text: str, max_depth: int) -> Any:
    try:
        return _ComposeLoader(text)
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


def _yaml_error(exc: yaml.YAMLError, position: int, text: str, max_depth: int, offset: int = 0) -> ManifestError:
    if isinstance(exc, yaml.reader.ReaderError):
        line = _line_at(text, exc.position) + offset
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
            line = exc.problem_mark.line + 1 + offset if exc.problem_mark else None
            return _too_deep(position, line, max_depth)
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else None
        message = f"Document {position + 1} is not valid YAML: {problem}"
        if mark:
            message += f" at line {line}, column {mark.column + 1}"
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            message += f" ({exc.context} that starts at line {exc.context_mark.line + 1 + offset})"
        elif exc.context:
            message += f" ({exc.context})"
        return ManifestError("invalid_yaml", message + ".", document=position, line=line)
    return ManifestError(
        "invalid_yaml",
        f"Document {position + 1} is not valid YAML: {exc}",
        document=position,
    )


def _yaml_api_line(node: yaml.Node, offset: int) -> int | None:
    """The line of a mapping's `apiVersion` key, read from the composed node."""
    if not isinstance(node, yaml.MappingNode):
        return None
    line = None
    for key, _value in node.value:  # the last one wins, as in the constructed dict
        if isinstance(key, yaml.ScalarNode) and key.value == "apiVersion":
            line = key.start_mark.line + 1 + offset
    return line


def _yaml_item_lines(node: yaml.Node, offset: int) -> list[tuple[int, int | None]] | None:
    """(start, apiVersion) lines of the entries of a List's `items`."""
    if not isinstance(node, yaml.MappingNode):
        return None
    items = None
    for key, value in node.value:  # the last `items` wins, as in the constructed dict
        if isinstance(key, yaml.ScalarNode) and key.value == "items":
            items = value
    if not isinstance(items, yaml.SequenceNode):
        return None
    return [(child.start_mark.line + 1 + offset, _yaml_api_line(child, offset)) for child in items.value]


# JSON


def _read_json(text: str, max_depth: int, max_objects: int, result: Manifests) -> list[_Raw]:
    """Read one JSON value, an array of them, or several values one after another.

    Invalid JSON stops the reading where it is: the values before it are still checked
    (unless there are none, when the caller may try YAML instead).
    """
    decoder = json.JSONDecoder(object_pairs_hook=_unique_keys)
    lines = _LineIndex(text)
    raws: list[_Raw] = []
    position = 0
    start = _skip_json_whitespace(text, 0)
    while start < len(text):
        if position >= max_objects:
            result.truncated = True
            break
        try:
            value, end = decoder.raw_decode(text, start)
        except _DuplicateKey as dup:
            line = _json_duplicate_line(text, start, dup.key, lines)
            raise ManifestError(
                "duplicate_key",
                f"Document {position + 1} sets the key {dup.key!r} twice; the second one is at line {line}. "
                "Kubernetes would keep only one of them: remove the other.",
                document=position,
                line=line,
            ) from None
        except json.JSONDecodeError as exc:
            error = ManifestError(
                "invalid_json",
                f"The JSON is not valid at line {exc.lineno}, column {exc.colno}: {exc.msg}.",
                document=position,
                line=exc.lineno,
            )
            if not raws:
                raise error from None
            result.errors.append(error)
            break
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
            api_line, item_lines = None, None
            if isinstance(element, dict):
                members = _json_member_starts(decoder, text, element_start)
                if "apiVersion" in members:
                    api_line = lines.line(members["apiVersion"])
                if _is_list(element) and "items" in members:
                    item_lines = [
                        (lines.line(s), _json_api_line(decoder, text, s, lines))
                        for s in _json_element_starts(decoder, text, members["items"])
                    ]
            raws.append(_Raw(position, element, lines.line(element_start), api_line, item_lines))
            position += 1
        start = _skip_json_whitespace(text, end)
    return raws


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key, None)
            seen.add(key)
    return obj


def _json_duplicate_line(text: str, start: int, key: str, lines: _LineIndex) -> int | None:
    """The line of the second `"key":` after start: where a duplicate most likely is."""
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    matches = pattern.finditer(text, start)
    next(matches, None)
    second = next(matches, None)
    return lines.line(second.start()) if second else None


def _json_api_line(decoder: json.JSONDecoder, text: str, start: int, lines: _LineIndex) -> int | None:
    if text[start] != "{":
        return None
    members = _json_member_starts(decoder, text, start)
    return lines.line(members["apiVersion"]) if "apiVersion" in members else None


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
        documents.append(Document(len(documents), value, raw.api_line or raw.line, raw.position))
        return

    # Items of a typed list from the API (DeploymentList) carry no apiVersion or kind of
    # their own; kubectl fills them in, and so do we.
    list_kind: str = value["kind"]
    implied: dict[str, Any] = {}
    if list_kind != "List":
        implied["kind"] = list_kind.removesuffix("List")
        if isinstance(value.get("apiVersion"), str):
            implied["apiVersion"] = value["apiVersion"]

    for i, item in enumerate(value["items"]):
        start, api_line = _item_line(raw, i)
        if item is None:
            continue
        if not isinstance(item, dict):
            raise ManifestError(
                "not_an_object",
                f"In document {raw.position + 1}, item {i + 1} of the {list_kind} (line {start}) is "
                f"{_describe(item)}, not a Kubernetes object.",
                document=raw.position,
                line=start,
            )
        if _is_list(item):  # a List inside a List: rare, and its items have no lines of their own
            for child in item["items"]:
                if isinstance(child, dict):
                    documents.append(Document(len(documents), child, start, raw.position, i))
            continue
        if implied and any(key not in item for key in implied):
            item = {**implied, **item}
            api_line = api_line or raw.api_line
        documents.append(Document(len(documents), item, api_line or start, raw.position, i))


def _item_line(raw: _Raw, i: int) -> tuple[int, int | None]:
    if raw.item_lines is not None and i < len(raw.item_lines):
        return raw.item_lines[i]
    return raw.line, None


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
