"""What every page promises: security headers, escaping, languages, friendly errors."""

from __future__ import annotations

from app.i18n import untranslated
from ledger.organisations import by_code
from tests.app.conftest import csrf_token

PAGES = ["/", "/login", "/home", "/admin/organisations", "/admin/users", "/admin/users/new",
         "/admin/organisations/import", "/no-such-page"]


def test_every_page_sends_the_security_headers(world, login_as):
    admin = login_as("admin")
    for path in PAGES:
        response = admin.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_same_site(app, world):
    client = app.test_client()
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_script_in_an_organisation_name_shows_as_text_on_public_and_admin_pages(world, session, login_as):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    by_code(session, "Q010101").name = payload
    session.commit()
    admin = login_as("admin")
    for client, path in ((admin, "/"), (admin, "/admin/organisations"), (login_as("secretary-q010101"), "/home")):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page, path


def test_chinese_is_the_default_and_english_the_second_language(app, world):
    client = app.test_client()
    assert "社区服务群众经费" in client.get("/").get_data(as_text=True)
    assert "Community service funds" in client.get("/?lang=en").get_data(as_text=True)
    assert "Staff login" in client.get("/login").get_data(as_text=True)  # the choice sticks


def test_every_message_of_the_code_has_a_chinese_translation():
    assert untranslated("zh_CN") == []


def test_a_missing_page_is_a_friendly_404(app):
    response = app.test_client().get("/no/such/page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_public_landing_lists_communities_by_district_and_street(app, world):
    page = app.test_client().get("/").get_data(as_text=True)
    assert page.index("河东区") < page.index("春华街道") < page.index("春华一社区")
    assert "共 24 个社区" in page  # twelve in the demo city, twelve in the foreign city


def test_a_post_without_csrf_token_changes_nothing(world, session, login_as):
    admin = login_as("admin")
    org = by_code(session, "Q010101")
    response = admin.post(f"/admin/organisations/{org.id}/edit", data={"name": "没有令牌"})
    assert response.status_code == 400
    session.expire_all()
    assert by_code(session, "Q010101").name == "春华一社区"
    good = admin.post(f"/admin/organisations/{org.id}/edit", data={"name": "有令牌", "csrf_token": csrf_token(admin, "/home")})
    assert good.status_code == 302


def test_behind_a_proxy_the_rate_limit_counts_each_resident(database, tmp_path):
    from app import create_app
    from config import TestConfig

    class Behind(TestConfig):
        SQLALCHEMY_DATABASE_URI = database.url
        INSTANCE_PATH = str(tmp_path / "instance")
        PROXY_COUNT = 1

    client = create_app(Behind).test_client()
    token = csrf_token(client, "/login")
    codes = [client.post("/login", data={"csrf_token": token, "username": f"u{i}", "password": "x" * 12},
                         headers={"X-Forwarded-For": f"203.0.113.{i}"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code
             for i in range(12)]
    assert 429 not in codes  # twelve residents behind one proxy, each under the limit
