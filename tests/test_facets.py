"""The facet block's model: any list page builds groups and chips from its query string."""

from django.http import QueryDict

from releasenotes.facets import active_chips, choice_group, query_setter, with_query


def test_it_sets_and_removes_parameters_and_resets_the_page():
    query = QueryDict("stage=beta&page=3&q=swap")
    assert with_query(query, sig="sig-node") == "?stage=beta&q=swap&sig=sig-node"
    assert with_query(query, stage=None, q="") == "?"


def test_it_builds_a_group_with_any_counts_and_the_current_value():
    query = QueryDict("kind=bug")
    group = choice_group(query, "kind", "Kind", [("bug", "Bug", 3), ("feature", "Feature", 0)], "Any kind")
    assert [(o.label, o.url, o.current, o.count) for o in group.options] == [
        ("Any kind", "?", False, None),
        ("Bug", "?kind=bug", True, 3),
    ]  # a value without results is left out unless chosen or kept


def test_it_shows_each_active_filter_as_a_chip_that_removes_it():
    query = QueryDict("kind=bug&sig=node&q=swap")
    groups = [
        choice_group(query, "kind", "Kind", [("bug", "Bug", 3)], "Any"),
        choice_group(query, "sig", "SIG", [("node", "SIG Node", 2)], "Any"),
    ]
    chips = active_chips(query, groups)
    assert [(c.label, c.remove_url) for c in chips] == [
        ("Bug", "?sig=node&q=swap"),
        ("SIG Node", "?kind=bug&q=swap"),
        ("“swap”", "?kind=bug&sig=node"),
    ]


def test_a_facet_links_its_values_as_with_query_does():
    for text in ["", "stage=beta&page=3&q=swap", "q=a+b&sig=x&sig=y&page=2", "release=1.27&sort=name&q=%EC%8A%A4"]:
        query = QueryDict(text)
        for name in ("sig", "q", "page", "release", "new"):
            link = query_setter(query, name)
            for value in (None, "", "sig-node", "a b&c", "스왑", "1.27", "A~b_c.d-e", "a/b", "x=y", "%41", 27):
                assert link(value) == with_query(query, **{name: value}), (text, name, value)
