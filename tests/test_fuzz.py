"""Random query strings against every list, search and API endpoint: never a 5xx."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/ko/enhancements/",
    "/en/enhancements/",
    "/ko/search/",
    "/en/upgrade/",
    "/api/v1/enhancements/",
    "/api/v1/search/",
    "/api/v1/removed-apis/",
]
PARAMETERS = ["q", "stage", "sig", "release", "theme", "page", "from", "to", "removed_in"]

values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["beta", "sig-node", "1.22", "true", "-1", "0", "1e9", '"', "NEAR(", "*", "KEP-", "#", "스왑"]),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
)
query_strings = st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(ENDPOINTS), params=query_strings)
def test_no_query_string_makes_a_server_error(client, endpoint, params):
    query = "&".join(f"{quote(k)}={quote(v, safe='', errors='surrogateescape')}" for k, v in params.items())
    response = client.get(f"{endpoint}?{query}")
    assert response.status_code < 500, (endpoint, params)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=80))
def test_raw_bytes_in_the_query_string_never_make_a_server_error(client, raw):
    encoded = "".join(f"%{byte:02X}" for byte in raw)
    for endpoint in ("/ko/enhancements/", "/api/v1/enhancements/", "/ko/search/"):
        assert client.get(f"{endpoint}?q={encoded}&stage={encoded}").status_code < 500
