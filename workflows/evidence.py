"""Evidence files (佐证材料): minutes, photos, notices, reports, kept by their checksum.

The caller hands over bytes and the folder to keep them in; the file is stored under its
SHA-256 (never under a name a user chose), once however often it is uploaded. Only
known types pass, recognised by their first bytes rather than their name: PDF, JPEG,
PNG, Word/Excel documents (zip files whose ``[Content_Types].xml`` says so, checked for
zip bombs) and UTF-8 plain text or CSV.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from pathlib import Path

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.base import Base, utcnow
from ledger.users import User

from .errors import N_, EvidenceRefused

MAX_BYTES = 20 * 1024 * 1024
#: A zip-based document may expand to this much in total, and each member this many times.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
NAME_MAX = 120

KINDS = (
    "minutes", "attendance", "photo", "notice", "completion_report", "acceptance_record", "invoice",
    "contract", "survey", "other",
)
#: type -> (content type, extensions the original name may carry)
TYPES = {
    "pdf": ("application/pdf", {".pdf"}),
    "jpeg": ("image/jpeg", {".jpg", ".jpeg"}),
    "png": ("image/png", {".png"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
    "text": ("text/plain", {".txt"}),
    "csv": ("text/csv", {".csv"}),
}
_OFFICE_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


class Evidence(Base):
    """One evidence file attached to a project at a step (佐证材料)."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("project_id", "kind", "sha256"),
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    step: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    original_name: Mapped[str] = mapped_column(String(NAME_MAX))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def safe_name(filename: str) -> str:
    """The original name, checked and tidied for display; a path or a trick is refused."""
    name = unicodedata.normalize("NFC", filename or "").strip()
    if (not name or "/" in name or "\\" in name or ".." in name or name.startswith(".")
            or any(unicodedata.category(c) == "Cc" for c in name) or ":" in name):
        raise EvidenceRefused(N_("File name %(name)r is not allowed."), field="filename", name=filename)
    name = re.sub(r"[^\w.\- ()（）]", "_", name).replace(" ", "_")
    if len(name) > NAME_MAX:
        stem, ext = os.path.splitext(name)
        name = stem[: NAME_MAX - len(ext)] + ext
    return name


#: How much inflated output one step of the streamed check holds in memory.
_INFLATE_STEP = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name and extra field lengths


def _inflated_size(data: bytes, member: zipfile.ZipInfo, ceiling: int) -> tuple[int, int]:
    """What ``member`` really inflates to, and the compressed bytes that took, whatever its
    headers declare; the inflating stops once past ``ceiling``."""
    start = member.header_offset + _LOCAL_HEADER.size
    try:
        signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, member.header_offset)
    except struct.error:
        signature = b""
    if signature != b"PK\x03\x04":
        raise EvidenceRefused(N_("The file is a damaged zip."), field="file")
    start += name_length + extra_length
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size, member.compress_size  # bounded by the file's own size
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise EvidenceRefused(N_("The file is a damaged zip."), field="file")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size, read = 0, start
    try:
        while not inflater.eof and size <= ceiling:
            block = inflater.unconsumed_tail
            if not block:
                block = data[read:read + _INFLATE_STEP]
                read += len(block)
                if not block:
                    raise EvidenceRefused(N_("The file is a damaged zip."), field="file")
            size += len(inflater.decompress(block, _INFLATE_STEP))
    except zlib.error:
        raise EvidenceRefused(N_("The file is a damaged zip."), field="file") from None
    return size, read - start - len(inflater.unconsumed_tail)


def _check_zip(data: bytes) -> str:
    """Which office type a zip is, after refusing zip bombs and foreign zips.

    Every part is inflated as a stream up to the ceiling: the sizes a zip declares are the
    attacker's to choose (a 200 KB document declaring 10 bytes may inflate to 200 MB).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise EvidenceRefused(N_("The file is a damaged zip."), field="file") from None
    if len(members) > MAX_MEMBERS:
        raise EvidenceRefused(N_("The document holds too many parts (%(count)d)."), field="file", count=len(members))
    total = 0
    for m in members:
        size, compressed = _inflated_size(data, m, MAX_UNZIPPED_BYTES - total)
        total += size
        if total > MAX_UNZIPPED_BYTES:
            raise EvidenceRefused(
                N_("The document expands to %(size)d bytes, more than the %(limit)d allowed."),
                field="file", size=total, limit=MAX_UNZIPPED_BYTES,
            )
        if size > MAX_RATIO * max(compressed, 1) and size > 1024 * 1024:
            raise EvidenceRefused(
                N_("The document part %(part)s is compressed %(ratio)d times: refused as a zip bomb."),
                field="file", part=m.filename, ratio=size // max(compressed, 1),
            )
    try:
        with archive.open("[Content_Types].xml") as handle:
            types = handle.read(1024 * 1024).decode("utf-8", "replace")
    except KeyError:
        raise EvidenceRefused(N_("Zip files are accepted only as Word or Excel documents."), field="file") from None
    for kind, main in _OFFICE_MAIN.items():
        if main in types:
            return kind
    raise EvidenceRefused(N_("Zip files are accepted only as Word or Excel documents."), field="file")


def sniff(data: bytes, name: str) -> str:
    """The type of ``data`` from its first bytes, or ``EvidenceRefused``."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return _check_zip(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not any(unicodedata.category(c) == "Cc" and c not in "\t\r\n\ufeff" for c in text):
        return "csv" if name.lower().endswith(".csv") else "text"
    raise EvidenceRefused(
        N_("This type of file is not accepted; allowed: PDF, JPEG, PNG, Word, Excel, text, CSV."), field="file"
    )


def _store(folder: Path, digest: str, data: bytes) -> Path:
    """Write ``data`` at ``folder/ab/abcdef...`` unless it is already there."""
    target = Path(folder) / digest[:2] / digest
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)  # atomic: a reader never sees half a file
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def store_evidence(
    session: Session, folder: Path | str, project, *, data: bytes, filename: str, kind: str, by: User,
    meeting=None, max_bytes: int = MAX_BYTES,
) -> Evidence:
    """Check and keep an evidence file for ``project`` at its current step (上传佐证材料).

    The same bytes uploaded again for the same project and kind return the existing row.
    """
    if kind not in KINDS:
        raise EvidenceRefused(
            N_("Evidence kind %(kind)s is unknown; allowed: %(allowed)s."), field="kind",
            kind=kind, allowed=", ".join(KINDS),
        )
    if project.step.final:
        raise EvidenceRefused(N_("The project is closed; no evidence can be added."), field="project")
    name = safe_name(filename)
    if not data:
        raise EvidenceRefused(N_("The file is empty."), field="file")
    if len(data) > max_bytes:
        raise EvidenceRefused(
            N_("The file has %(size)d bytes, more than the %(limit)d allowed."), field="file",
            size=len(data), limit=max_bytes,
        )
    file_type = sniff(data, name)
    content_type, extensions = TYPES[file_type]
    if os.path.splitext(name)[1].lower() not in extensions:
        raise EvidenceRefused(
            N_("The file is a %(type)s but is named %(name)s."), field="filename", type=file_type, name=name
        )
    if meeting is not None and meeting.project_id != project.id:
        raise EvidenceRefused(N_("The meeting belongs to another project."), field="meeting")
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(Evidence).where(
        Evidence.project_id == project.id, Evidence.kind == kind, Evidence.sha256 == digest
    ))
    if existing is not None:
        return existing
    _store(Path(folder), digest, data)
    row = Evidence(
        project_id=project.id, meeting_id=meeting.id if meeting is not None else None, step=project.state,
        kind=kind, original_name=name, content_type=content_type, size=len(data), sha256=digest,
        uploaded_by_id=by.id,
    )
    session.add(row)
    session.flush()
    return row


def evidence_path(folder: Path | str, row: Evidence) -> Path:
    """Where ``row``'s bytes are kept under ``folder``."""
    return Path(folder) / row.sha256[:2] / row.sha256
