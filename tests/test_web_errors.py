"""Error pages: Chinese, self-contained, and never a stack trace."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import path
from web_support import FAST_HASHERS, client_for, load_site

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


@pytest.mark.django_db
def test_refusals_of_the_application_layer_are_chinese_pages(settings, tmp_path):
    """A corrupt upload, a refused step and a conflict are answered with the page and a Chinese
    message (400/403/409), never a stack trace."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.JIXIAO_UPLOAD_DIR = tmp_path
    settings.DEBUG = False
    load_site()
    c = client_for("jingban")
    corrupt = c.post("/d/demo/upload/", {"file": SimpleUploadedFile("bulk.xlsx", b"PK\x03\x04 not a workbook")})
    assert corrupt.status_code == 400 and "未保存任何数据" in corrupt.content.decode()
    denied = c.post("/d/demo/2022/p/P01/workflow/", {"action": "lock"})
    assert denied.status_code == 403 and "只有" in denied.content.decode()
    for answer in (corrupt, denied):
        body = answer.content.decode()
        assert "Traceback" not in body and "<html" in body and 'lang="zh-CN"' in body
    assert not list(tmp_path.iterdir())  # the unreadable file was not kept
