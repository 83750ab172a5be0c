"""The report and the checks index in a real headless Chromium: the charts render.

Chromium is Debian's ``chromium`` package at /usr/bin/chromium, installed by ``.ci/run`` (as
root, with apt-get) when missing. In CI (``CHISO_CI`` or ``CI`` set) a missing browser fails
these tests; elsewhere they are skipped, saying how to install it. Screenshots are kept under
the test's tmp dir and $CHISO_HOME/artifacts.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from chiso import config
from tests.test_report import sample_env

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def in_ci() -> bool:
    return bool(os.environ.get("CHISO_CI") or os.environ.get("CI"))


def find_chromium(path: Path = CHROMIUM, ci: bool | None = None) -> Path:
    """``path`` if it is there; else a failure in CI (which installs it), a skip elsewhere."""
    if path.is_file() and os.access(path, os.X_OK):
        return path
    ci = in_ci() if ci is None else ci
    message = f"{path} is missing: install Debian's chromium (apt-get install chromium)"
    if ci:
        pytest.fail(f"{message}; .ci/run installs it before the tests", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Path:
    return find_chromium()


def test_a_missing_chromium_fails_in_ci_and_skips_elsewhere(tmp_path):
    missing = tmp_path / "chromium"
    with pytest.raises(pytest.fail.Exception, match="installs it before the tests"):
        find_chromium(missing, ci=True)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        find_chromium(missing, ci=False)
    missing.write_text("#!/bin/sh\n")
    missing.chmod(0o755)
    assert find_chromium(missing, ci=True) == missing


@pytest.fixture(scope="module")
def pages(server_url, tmp_path_factory):
    env = sample_env(server_url, tmp_path_factory.mktemp("report"))
    return {
        "report": Path(env["CHISO_REPORTS_DIR"]) / "2026-11-01.html",
        "checks": Path(env["CHISO_DOCS_DIR"]) / "checks" / "index.html",
    }


def _browse(chromium: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run(
        [str(chromium), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _pixels(png: bytes, rows: int = 400) -> set[bytes]:
    """Distinct pixel values in the top ``rows`` of an 8-bit, non-interlaced PNG (what Chromium
    writes); decoding every row in pure Python would take seconds."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompressobj().decompress(idat, (stride + 1) * min(rows, height))
    prev, seen = bytearray(stride), set()
    for y in range(min(rows, height)):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        seen.update(bytes(line[x : x + bpp]) for x in range(0, stride, bpp))
        prev = line
    return seen


def _screenshot(chromium: Path, tmp: Path, url: str, name: str, size: str) -> Path:
    shot = tmp / name
    _browse(chromium, tmp, f"--window-size={size}", f"--screenshot={shot}", url)
    data = shot.read_bytes()
    assert len(data) > 10_000, f"{name}: only {len(data)} bytes"
    assert len(_pixels(data)) > 20, f"{name}: (nearly) a single colour"
    artifacts = config.load().home / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, artifacts / name)
    return shot


def test_report_charts_render_in_chromium(chromium, pages, tmp_path):
    url = pages["report"].as_uri()
    dom = _browse(chromium, tmp_path, "--dump-dom", url).stdout
    svgs = re.findall(r"<svg\b.*?</svg>", dom, flags=re.S)
    assert len(svgs) >= 6, "charts missing from the rendered DOM"
    assert all(re.search(r'class="(bar|point)"', s) for s in svgs), "a chart without marks"
    assert len(re.findall(r'<rect class="bar"', dom)) > 20
    assert len(re.findall(r'<circle class="point"', dom)) >= 6
    assert "Báo cáo công bố dữ liệu / Publication report" in dom and 'class="nodata"' not in dom
    _screenshot(chromium, tmp_path, url, "report.png", "1200,4000")


def test_checks_index_renders_in_chromium(chromium, pages, tmp_path):
    url = pages["checks"].as_uri()
    dom = _browse(chromium, tmp_path, "--dump-dom", url).stdout
    assert "<code>report-sample</code>" in dom and 'href="report-sample/index.html"' in dom
    assert (pages["checks"].parent / "report-sample" / "index.html").exists()
    _screenshot(chromium, tmp_path, url, "checks-index.png", "1200,600")
