"""Malformed imports and hostile uploads: a clear refusal, never a 500, nothing stored.

Imports (the finance import page, the organisation import) get files that are not what
they claim, cells that are not amounts or dates, invalid UTF-8 and archive bombs; the
answer lists the wrong rows by line number, or says what is wrong with the file, and no
row is written. Evidence uploads get wrong types, files over the configured limits,
zip bombs and path-traversal names; a body over ``MAX_CONTENT_LENGTH`` is a 413 page.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.app.access import community as community_routes
from tests.app.conftest import app, login_as, session, world  # noqa: F401  (fixtures)
from tests.reliability.http_support import counts, csrf_of, field_error, rows
from workflows.evidence import MAX_BYTES

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
DOCX_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
              b'officedocument.wordprocessingml.document.main+xml"/></Types>')


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ratio_bomb(kind_types: bytes = DOCX_TYPES) -> bytes:
    """A document whose one member expands a thousand times (5 MB of zeros in a few KB)."""
    return _zip({"[Content_Types].xml": kind_types, "word/document.xml": b"\0" * (5 * 1024 * 1024)})


def member_bomb() -> bytes:
    """A document of 3,000 tiny members."""
    return _zip({"[Content_Types].xml": DOCX_TYPES, **{f"word/m{i}.xml": b"x" for i in range(3000)}})


XLSX_TYPES = DOCX_TYPES.replace(b"/word/document.xml", b"/xl/workbook.xml").replace(
    b"wordprocessingml.document.main", b"spreadsheetml.sheet.main")


# ---- evidence uploads ----------------------------------------------------------------------

BAD_FILES = {
    "executable-named-png": ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 64),
    "pdf-named-png": ("photo.png", PDF),
    "html-named-txt": ("note.txt", b"<html><script>alert(1)</script></html>\xff\xfe"),
    "svg-with-script": ("pic.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    "empty": ("empty.pdf", b""),
    "ratio-bomb-docx": ("minutes.docx", ratio_bomb()),
    "member-bomb-docx": ("minutes.docx", member_bomb()),
    "ratio-bomb-xlsx": ("sheet.xlsx", ratio_bomb(XLSX_TYPES)),
    "zip-not-office": ("minutes.docx", _zip({"a.txt": b"hello"})),
    "over-the-evidence-limit": ("big.pdf", PDF + b"\0" * (MAX_BYTES + 1)),
}
TRAVERSAL_NAMES = ["../../../../tmp/evil.pdf", "..\\..\\windows\\evil.pdf", "/etc/passwd.pdf", "evil\x00.pdf",
                   "./.././.hidden.pdf", "a/" * 100 + "deep.pdf", "\u202egpj.pdf", "CON.pdf", "名" * 300 + ".pdf"]


def _upload(client, url: str, token: str, filename: str, content: bytes, kind: str = "other"):
    return client.post(url, data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


@pytest.fixture
def evidence_url(world, session):  # noqa: F811
    return "/community/projects/{cm_running}/evidence".format(**community_routes.targets(session, "own"))


def test_hostile_evidence_files_are_refused_next_to_the_field(app, world, session, login_as, evidence_url):  # noqa: F811
    secretary = login_as("secretary-q010101")
    token = csrf_of(secretary, "/home")
    folder = app.config["EVIDENCE_FOLDER"]
    import os

    files_before = sorted(os.listdir(folder))
    for label, (filename, content) in BAD_FILES.items():
        before = counts(session)
        response = _upload(secretary, evidence_url, token, filename, content)
        assert response.status_code == 200, (label, response.status_code)
        assert field_error(response.get_data(as_text=True), "file"), label
        assert counts(session) == before, (label, "a refused file was recorded")
    assert sorted(os.listdir(folder)) == files_before, "a refused file was kept on disk"


def test_path_traversal_names_never_leave_the_evidence_folder(app, world, session, login_as, evidence_url, tmp_path):  # noqa: F811
    import os

    secretary = login_as("secretary-q010101")
    token = csrf_of(secretary, "/home")
    folder = os.path.realpath(app.config["EVIDENCE_FOLDER"])
    for n, name in enumerate(TRAVERSAL_NAMES):
        response = _upload(secretary, evidence_url, token, name, PDF + f"% {n}\n".encode())
        assert response.status_code in (200, 302), (name, response.status_code)
        if response.status_code == 200:
            assert field_error(response.get_data(as_text=True), "file"), name
    for row in rows(session, "evidence"):
        original = row._mapping["original_name"]
        assert "/" not in original and "\\" not in original and "\x00" not in original, original
        assert not original.startswith("."), original
    for root, _dirs, files in os.walk(folder):
        for name in files:
            assert os.path.realpath(os.path.join(root, name)).startswith(folder + os.sep)
            assert re.fullmatch(r"[0-9a-f]{64}(\.[a-z]+)?", name) or name.startswith("."), name
    assert not (tmp_path.parent / "evil.pdf").exists()


def test_a_body_over_the_configured_limit_is_a_413_page(app, world, session, login_as, evidence_url):  # noqa: F811
    secretary = login_as("secretary-q010101")
    token = csrf_of(secretary, "/home")
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024  # the production figure is 25 MB; the rule is the same
    before = counts(session)
    response = _upload(secretary, evidence_url, token, "big.pdf", PDF + b"\0" * (3 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and "<h1>413</h1>" in page and "上传的文件过大" in page
    assert counts(session) == before


# ---- imports ---------------------------------------------------------------------------------

ALLOCATION_HEADER = "organisation,source,amount,arrived_on,reference\n"
BAD_ALLOCATION_ROWS = [
    "Q010101,district,NaN,2026-01-10,r1", "Q010101,district,1e309,2026-01-10,r2",
    "Q010101,district,0.001,2026-01-10,r3", "Q010101,district,-0,2026-01-10,r4",
    "Q010101,district,12345678901234567890,2026-01-10,r5", "Q010101,district,1.2.3,2026-01-10,r6",
    "Q010101,district,1,2345,2026-01-10,r7", "Q010101,district,100,2026-02-30,r8",
    "XQ010101,district,100,2026-01-10,r9", "Q010101,nowhere,100,2026-01-10,r10",
    "Q010101,district,inf,2026-01-10,r11", "Q010101,district,100,20260110,r12",
]
BAD_IMPORTS = {
    "binary-named-csv": ("allocations.csv", b"\x00\x01\x02\xff\xfe" * 100),
    "latin1-csv": ("allocations.csv", (ALLOCATION_HEADER + "Q010101,district,100,2026-01-10,caf\xe9\n").encode("latin-1")),
    "unknown-columns": ("allocations.csv", b"who,what\nx,y\n"),
    "header-only": ("allocations.csv", ALLOCATION_HEADER.encode()),
    "garbage-named-xlsx": ("allocations.xlsx", b"PK\x03\x04 this is not a workbook"),
    "bomb-named-xlsx": ("allocations.xlsx", ratio_bomb(XLSX_TYPES)),
    "zip-named-xlsx": ("allocations.xlsx", _zip({"a.txt": b"hello"})),
    "nul-in-cells": ("allocations.csv", (ALLOCATION_HEADER + "Q010101,district,10\x000,2026-01-10,r\n").encode()),
    "huge-line": ("allocations.csv", (ALLOCATION_HEADER + "Q010101,district,100,2026-01-10," + "x" * 300_000).encode()),
}


def _import(client, token: str, filename: str, content: bytes, kind: str = "allocations"):
    return client.post("/finance/imports", data={"csrf_token": token, "kind": kind,
                                                 "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_an_import_with_bad_cells_lists_every_wrong_row_and_stores_nothing(app, world, session, login_as):  # noqa: F811
    clerk = login_as("finance-s0101")
    token = csrf_of(clerk, "/home")
    before = counts(session)
    content = (ALLOCATION_HEADER + "Q010101,district,100.00,2026-01-10,ok\n" + "\n".join(BAD_ALLOCATION_ROWS)).encode()
    response = _import(clerk, token, "allocations.csv", content)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    listed = {int(n) for n in re.findall(r'<td class="num">(\d+)</td>', page)}
    # Line 1 is the header, line 2 the good row; every bad row (lines 3 to 14) is named.
    assert set(range(3, 3 + len(BAD_ALLOCATION_ROWS))) <= listed, listed
    assert 2 not in listed
    assert counts(session) == before


@pytest.mark.parametrize("label", list(BAD_IMPORTS))
def test_a_malformed_import_file_is_refused_clearly(app, world, session, login_as, label):  # noqa: F811
    clerk = login_as("finance-s0101")
    filename, content = BAD_IMPORTS[label]
    before = counts(session)
    response = _import(clerk, csrf_of(clerk, "/home"), filename, content)
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert field_error(page, "file") or re.search(r'<td class="num">\d+</td>', page), label
    assert counts(session) == before


ORG_FILES = {
    "latin1": "code,name,level,parent_code\nQX1,caf\xe9,community,S0101\n".encode("latin-1"),
    "binary": b"\x89PNG\r\n\x1a\n" + b"\0" * 200,
    "bad-rows": "code,name,level,parent_code\nQX1,<script>,community,S0101\nQX2,,community,S0101\n"
                "QX3,名,planet,S0101\nQX4,名,community,NOWHERE\nXQ9,名,community,XS0101\n".encode(),
    "nul": "code,name,level,parent_code\nQ\x00X1,名,community,S0101\n".encode(),
    "header-only": b"code,name,level,parent_code\n",
}


@pytest.mark.parametrize("label", list(ORG_FILES))
def test_a_malformed_organisation_import_is_refused_clearly(app, world, session, login_as, label):  # noqa: F811
    admin = login_as("admin")
    before = counts(session)
    response = admin.post("/admin/organisations/import", data={
        "csrf_token": csrf_of(admin, "/home"), "file": (io.BytesIO(ORG_FILES[label]), "tree.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    if label == "header-only":  # nothing to import: "0 created", and nothing stored
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 200, response.status_code
        assert field_error(page, "file") or re.search(r'class="card errors" role="alert"', page), label
    assert counts(session) == before
