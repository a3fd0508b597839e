"""Evidence files: only known types, never too big, never a path, never a zip bomb."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile

import pytest

from workflows.errors import EvidenceRefused
from workflows.evidence import Evidence, evidence_path, safe_name, store_evidence

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office(main: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{main}"/></Types>')
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = office("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = office("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")


def store(flow, data, name, kind="photo", **options):
    project = options.pop("project", None) or flow.project()
    return store_evidence(flow.session, flow.folder, project, data=data, filename=name, kind=kind, by=flow.staff, **options)


@pytest.mark.parametrize("data, name, content_type", [
    (PDF, "验收报告.pdf", "application/pdf"),
    (PNG, "现场照片.png", "image/png"),
    (JPEG, "photo.JPG", "image/jpeg"),
    (DOCX, "会议纪要.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (XLSX, "签到表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("户号,评分\n1-101,5\n".encode(), "测评.csv", "text/csv"),
    ("会议记录：同意。\n".encode(), "纪要.txt", "text/plain"),
])
def test_good_files_are_kept_under_their_checksum(flow, data, name, content_type):
    row = store(flow, data, name)
    digest = hashlib.sha256(data).hexdigest()
    assert (row.sha256, row.size, row.content_type, row.original_name) == (digest, len(data), content_type, name)
    assert row.step == "needs" and row.uploaded_by_id == flow.staff.id and row.uploaded_at.tzinfo
    path = evidence_path(flow.folder, row)
    assert path == flow.folder / digest[:2] / digest and path.read_bytes() == data


def test_the_same_file_is_stored_once(flow):
    project = flow.project()
    first = store(flow, PDF, "a.pdf", project=project)
    again = store(flow, PDF, "b.pdf", project=project)
    other_kind = store(flow, PDF, "c.pdf", kind="minutes", project=project)
    assert again.id == first.id and other_kind.id != first.id
    files = [p for p in flow.folder.rglob("*") if p.is_file()]
    assert len(files) == 1
    assert flow.session.query(Evidence).count() == 2


@pytest.mark.parametrize("data, name", [
    (b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe"),
    (b"\x00\x01\x02binary", "data.bin"),
    (b"GIF89a\x01\x00", "anim.gif"),
    (b"<html>\x00</html>", "page.txt"),
    (PNG, "disguised.pdf"),  # the name lies about the content
    (PDF, "report.exe"),
])
def test_bad_types_are_refused(flow, data, name):
    with pytest.raises(EvidenceRefused):
        store(flow, data, name)
    assert not flow.folder.exists() or not any(p.is_file() for p in flow.folder.rglob("*"))


def test_a_foreign_zip_is_refused(flow):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.sh", "rm -rf /")
    with pytest.raises(EvidenceRefused, match="only as Word or Excel"):
        store(flow, buffer.getvalue(), "report.docx")


def test_oversized_files_are_refused(flow):
    with pytest.raises(EvidenceRefused, match="more than the 1024 allowed") as error:
        store(flow, PDF + b"0" * 2048, "big.pdf", max_bytes=1024)
    assert error.value.field == "file"


def test_zip_bombs_are_refused(flow):
    bomb = office(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        {"word/media/filler.xml": b"0" * (50 * 1024 * 1024)},
    )
    assert len(bomb) < 200 * 1024
    with pytest.raises(EvidenceRefused, match="zip bomb"):
        store(flow, bomb, "bomb.docx")


def _declaring(archive: bytes, part: str, size: int) -> bytes:
    """``archive`` with the uncompressed size of ``part`` rewritten to ``size`` in both its
    local header and the central directory, as a hand-made zip bomb does."""
    data = bytearray(archive)
    name = part.encode()
    for signature, field in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at != -1:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[at + field:at + field + 4] = struct.pack("<I", size)
            at = data.find(signature, at + 4)
    return bytes(data)


def test_a_zip_bomb_that_declares_a_small_size_is_refused_by_what_it_inflates_to(flow):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        with archive.open("word/document.xml", "w") as part:
            for _ in range(200):
                part.write(b"\0" * (1024 * 1024))  # 200 MiB of zeros
    bomb = _declaring(buffer.getvalue(), "word/document.xml", 10)
    assert len(bomb) < 400 * 1024
    declared = {m.filename: m.file_size for m in zipfile.ZipFile(io.BytesIO(bomb)).infolist()}
    assert declared["word/document.xml"] == 10  # what a check of the declared sizes would believe
    with pytest.raises(EvidenceRefused, match="more than the|zip bomb"):
        store(flow, bomb, "bomb.docx")


def test_a_zip_whose_compressed_part_is_corrupt_is_refused_as_damaged(flow):
    whole = office("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                   {"word/media/notes.xml": bytes(range(256)) * 4000})
    start = whole.find(b"word/media/notes.xml") + len("word/media/notes.xml")  # its data follows
    cut = whole[:start] + b"\xff" * 8 + whole[start + 8:]  # a deflate block of the reserved type
    with pytest.raises(EvidenceRefused, match="damaged"):
        store(flow, cut, "cut.docx")


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd", "a/b.pdf", ".htaccess", "C:evil.pdf",
    "ok\x00.pdf", "", "..",
])
def test_traversal_and_trick_names_are_refused(flow, name):
    with pytest.raises(EvidenceRefused, match="is not allowed"):
        store(flow, PDF, name)


def test_names_are_tidied_for_display():
    assert safe_name(" 验收 报告<1>.pdf ") == "验收_报告_1_.pdf"
    assert len(safe_name("长" * 300 + ".pdf")) == 120


def test_kinds_are_checked(flow):
    with pytest.raises(EvidenceRefused, match="kind selfie is unknown"):
        store(flow, PDF, "a.pdf", kind="selfie")
