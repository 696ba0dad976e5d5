"""The one local-redirect rule (issue #20, defect 1), as a rule; the pages that use it are
tested over HTTP in tests/security/test_open_redirect.py."""

import pytest

from ledger.security.redirects import is_local_path, local_redirect_target

FOREIGN = [
    "//evil.example",
    "/\t/evil.example",
    "/\n/x",
    "/\r\n/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/%09/evil.example",
    "/%0a/x",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/ /evil.example",
    "/\u00a0/evil.example",
    "/\u200b/evil.example",
    "/\x00/x",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
    None,
    ["/"],
    "/" + "a" * 3000,
]
LOCAL = [
    "/",
    "/reports/",
    "/prisoners/vera?page=2",
    "/prisoners/%D0%B2%D0%B5%D1%80%D0%B0",
    "/a/b#top",
    "/вера",
]


@pytest.mark.parametrize("target", FOREIGN)
def test_anything_a_browser_could_read_as_another_host_is_refused(target):
    assert not is_local_path(target)
    assert local_redirect_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", LOCAL)
def test_local_paths_are_kept(target):
    assert local_redirect_target(target, "/home") == target
