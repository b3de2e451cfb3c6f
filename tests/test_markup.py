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
