"""Generated hostile files for the resource-limit tests (built at test time, never committed).

`docx_bomb` writes a real, valid DOCX whose word/document.xml inflates to `inflated` bytes (1 GiB by
default) from about 3 MB on disk. Compressing 1 GiB takes 5-9 s, so the deflate stream is assembled
from one full-flushed block repeated: after the first block the compressor's output for the same input
is byte-identical, so the file is built in well under a second.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 b'<Default Extension="xml" ContentType="application/xml"/>'
                 b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                 b'officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="word/document.xml"/></Relationships>')
HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.'
        b'openxmlformats.org/wordprocessingml/2006/main"><w:body>')
TAIL = b"</w:body></w:document>"
PARAGRAPH = b"<w:p><w:r><w:t>Probation caseloads were reviewed.</w:t></w:r></w:p>"


def _deflate_repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + unit*times + tail without compressing every copy; (data, crc32, size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head + unit) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "the compressor's output did not settle"
    last = c.compress(tail) + c.flush(zlib.Z_FINISH)
    data = first + block * (times - 1) + last
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    return data, crc & 0xFFFFFFFF, len(head) + len(unit) * times + len(tail)


def _zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """members: (name, raw deflate data, crc32, uncompressed size); sizes below 4 GiB (no zip64)."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size in members:
        offset = len(out)
        fn = name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(fn), 0) + fn
        out += data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                               len(fn), 0, 0, 0, 0, 0, offset) + fn
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                                 len(out), 0)
    Path(path).write_bytes(bytes(out))


def _member(name: str, payload: bytes) -> tuple[str, bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, c.compress(payload) + c.flush(), zlib.crc32(payload) & 0xFFFFFFFF, len(payload)


def docx_bomb(path: Path, inflated: int = 1 << 30) -> Path:
    unit = PARAGRAPH * 20_000  # ~1.4 MB per block
    doc = _deflate_repeated(HEAD, unit, max(3, inflated // len(unit)), TAIL)
    _zip(path, [_member("[Content_Types].xml", CONTENT_TYPES), _member("_rels/.rels", RELS),
                ("word/document.xml", *doc)])
    return Path(path)


def many_members_docx(path: Path, members: int) -> Path:
    doc = HEAD + PARAGRAPH + TAIL
    entries = [_member("[Content_Types].xml", CONTENT_TYPES), _member("_rels/.rels", RELS),
               _member("word/document.xml", doc)]
    entries += [_member(f"customXml/item{i}.xml", b"<a/>") for i in range(members)]
    _zip(path, entries)
    return Path(path)
