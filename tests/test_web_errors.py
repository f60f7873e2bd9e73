"""Error pages: Chinese, self-contained, and never a stack trace."""
import pytest
from django.test import Client
from django.urls import path

from jixiao import urls as project_urls


def _boom(request):
    raise RuntimeError("internal detail that must not reach the user")


urlpatterns = [path("boom/", _boom), *project_urls.urlpatterns]


@pytest.fixture
def boom_site(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


@pytest.mark.django_db
def test_server_error_is_a_chinese_page_without_details(boom_site):
    response = Client(raise_request_exception=False).get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出现错误" in body and "联系系统管理员" in body
    assert "internal detail" not in body and "Traceback" not in body


@pytest.mark.django_db
def test_csrf_failure_is_explained_in_chinese(django_user_model):
    django_user_model.objects.create_user("u", password="Long-enough-Pw1")
    client = Client(enforce_csrf_checks=True)
    client.login(username="u", password="Long-enough-Pw1")
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
