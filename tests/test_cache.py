import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings

from releasenotes.cache import content_version
from releasenotes.models import Enhancement, FaqEntry

from .test_admin import form_data

pytestmark = pytest.mark.django_db
PAGE = "/en/enhancements/555/"


def test_it_serves_a_cached_page_with_one_query_for_the_content_version(client, django_assert_num_queries):
    first = client.get(PAGE)
    with django_assert_num_queries(1):
        second = client.get(PAGE)
    assert second.content == first.content


def test_it_shows_an_admin_save_on_the_next_request(admin_client, client):
    assert "Server-side Apply (SSA)" not in client.get(PAGE).content.decode()
    change = "/admin/releasenotes/enhancement/555/change/"
    data = form_data(admin_client.get(change))
    data["title_en"] = "Server-side Apply (SSA)"
    assert admin_client.post(change, data).status_code == 302
    assert "Server-side Apply (SSA)" in client.get(PAGE).content.decode()


def test_an_edit_to_one_record_refreshes_every_page_that_shows_it(client):
    entry = FaqEntry.objects.order_by("topic", "position").first()
    assert entry.question_ko in client.get("/ko/dockershim/").content.decode()
    entry.question_ko = "새 질문 문구"
    entry.save()
    html = client.get("/ko/dockershim/").content.decode()
    assert "새 질문 문구" in html
    # The search page found the old wording; it finds the new one now.
    assert "새 질문 문구" in client.get("/ko/search/?q=새 질문 문구").content.decode()


def test_a_many_to_many_change_invalidates_too(client):
    assert "Participating SIGs" in client.get(PAGE).content.decode()
    Enhancement.objects.get(kep_number=555).participating_sigs.clear()
    assert "Participating SIGs" not in client.get(PAGE).content.decode()


def test_the_checker_page_is_never_cached_because_it_carries_a_csrf_token():
    first, second = Client(), Client()
    one = first.get("/en/check/")
    two = second.get("/en/check/")
    assert one.status_code == two.status_code == 200
    assert not two.has_header("ETag")
    # A cached page would hand the second visitor the first one's token.
    assert one.cookies["csrftoken"].value != two.cookies["csrftoken"].value
    assert f'value="{one.context["csrf_token"]}"' not in two.content.decode()


def test_a_public_page_carries_an_etag_and_cache_control(client):
    response = client.get(PAGE)
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10
    assert "public" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert "s-maxage=" in response["Cache-Control"]


def test_it_answers_if_none_match_with_304_and_no_body(client):
    etag = client.get(PAGE)["ETag"]
    response = client.get(PAGE, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_the_etag_differs_by_language_path_and_content_version(client):
    english = client.get(PAGE)["ETag"]
    assert client.get("/ko/enhancements/555/")["ETag"] != english
    assert client.get("/en/enhancements/2400/")["ETag"] != english
    Enhancement.objects.get(kep_number=555).save()
    assert client.get(PAGE)["ETag"] != english
    assert client.get(PAGE, headers={"if-none-match": english}).status_code == 200


def test_losing_the_cache_never_brings_back_an_older_page(client):
    client.get(PAGE)
    before = content_version()
    enhancement = Enhancement.objects.get(kep_number=555)
    enhancement.title_en = "Renamed"
    enhancement.save()
    cache.clear()  # a Redis restart, an eviction
    assert content_version() > before
    assert "Renamed" in client.get(PAGE).content.decode()


def test_error_pages_are_not_cached(client):
    assert client.get("/en/enhancements/999999/").status_code == 404
    assert not client.get("/en/enhancements/999999/").has_header("ETag")


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_check_deploy_fails_with_a_per_process_cache():
    with pytest.raises(SystemCheckError, match="releasenotes.E001"):
        call_command("check", deploy=True, fail_level="ERROR")


def test_the_shared_cache_check_passes_with_the_default_cache():
    from releasenotes.checks import check_shared_cache

    assert check_shared_cache(None) == []
