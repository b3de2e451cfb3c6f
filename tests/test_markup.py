import pytest

from releasenotes.markup import render_markdown


def test_it_renders_markdown_to_exact_html():
    assert render_markdown("Enable `NodeSwap` **now**.") == "<p>Enable <code>NodeSwap</code> <strong>now</strong>.</p>"


def test_links_get_noopener_nofollow():
    html = render_markdown("[KEP](https://github.com/kubernetes/enhancements)")
    assert html == '<p><a href="https://github.com/kubernetes/enhancements" rel="noopener nofollow">KEP</a></p>'


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="javascript:alert(1)">x</a>',
        '<div onclick="alert(1)">x</div>',
        "<iframe src=https://evil.example></iframe>",
        '<svg onload="alert(1)"></svg>',
        "<style>body{display:none}</style>",
    ],
)
def test_nothing_executable_gets_through(evil):
    html = render_markdown(evil).lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "data:", "<iframe", "<svg", "<style"):
        assert bad not in html


@pytest.mark.parametrize(
    "hostile",
    ["[" * 20_000, "![" * 10_000, "[a](" * 5_000, "=\n" * 10_000, "-\n" * 10_000],
    ids=["brackets", "images", "open-links", "setext-equals", "setext-dashes"],
)
def test_quadratic_markdown_never_reaches_the_parser(monkeypatch, hostile):
    """Python-Markdown takes minutes on these (quadratic); they are shown as plain text instead."""

    def refuse(*args, **kwargs):
        raise AssertionError("the Markdown parser was given a pathological text")

    monkeypatch.setattr("releasenotes.markup.markdown.markdown", refuse)
    html = render_markdown(hostile)
    assert html.startswith("<p>") and "<a" not in html


def test_deeply_nested_lists_render_as_text_instead_of_failing():
    html = render_markdown("- " * 5_000 + "deep")
    assert html.endswith("deep</p>")


def test_an_ordinary_paragraph_with_many_links_is_still_markdown():
    text = " ".join(f"[link {i}](https://example.org/{i})" for i in range(30))
    assert render_markdown(text).count('<a href="https://example.org/') == 30
