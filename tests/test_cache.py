import pytest

from releasenotes.models import Enhancement, FaqEntry

pytestmark = pytest.mark.django_db


def test_a_public_page_is_served_from_the_cache(client, django_assert_num_queries):
    first = client.get("/en/enhancements/555/")
    with django_assert_num_queries(0):
        second = client.get("/en/enhancements/555/")
    assert second.content == first.content


def test_saving_in_the_admin_invalidates_the_cached_page(admin_client, client):
    assert "Server-side Apply" in client.get("/en/enhancements/555/").content.decode()
    enhancement = Enhancement.objects.get(kep_number=555)
    enhancement.title_en = "Server-side Apply (SSA)"
    enhancement.save()
    assert "Server-side Apply (SSA)" in client.get("/en/enhancements/555/").content.decode()


def test_an_edit_to_one_record_refreshes_every_page_that_shows_it(client):
    client.get("/ko/dockershim/")
    client.get("/ko/")
    entry = FaqEntry.objects.first()
    entry.question_ko = "새 질문 문구"
    entry.save()
    assert "새 질문 문구" in client.get("/ko/dockershim/").content.decode()


def test_a_many_to_many_change_invalidates_too(client):
    client.get("/en/enhancements/555/")
    enhancement = Enhancement.objects.get(kep_number=555)
    enhancement.participating_sigs.clear()
    html = client.get("/en/enhancements/555/").content.decode()
    assert "Participating SIGs" not in html


def test_the_checker_page_is_never_cached_because_it_carries_a_csrf_token(client):
    first = client.get("/en/check/")
    second = client.get("/en/check/")
    assert first.status_code == second.status_code == 200
    assert "csrfmiddlewaretoken" in second.content.decode()
