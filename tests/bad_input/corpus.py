"""The stored bad-input corpus (``tests/data/bad/``): small text files, written by
``python -m tests.bad_input.corpus`` and kept in git so they can be read and diffed.

Binary, huge or file-system cases (random bytes, a 2 MB field, zip bombs, symlinks, FIFOs) are
made at test time by ``tests/bad_input/cases.py`` instead.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

from tests import onestop_rows as rows

BAD_DIR = Path(__file__).resolve().parent.parent / "data" / "bad"
DAY = "2026-11-05"

VN_HEADER = [
    "Mã hồ sơ",
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Đơn vị xử lý",
    "Kênh nộp",
    "Chủ hồ sơ",
    "Số CCCD",
    "Số điện thoại",
    "Địa chỉ",
    "Ngày nộp",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày kết thúc xử lý",
    "Ngày trả kết quả",
    "Trạng thái",
    "Số lần bổ sung",
    "Ngày hẹn trả mới",
    "Thanh toán trực tuyến",
    "Số hóa",
    "Xin lỗi",
]


def csv_text(
    records: list[dict],
    delimiter: str = ",",
    header: list[str] | None = None,
    lineterminator: str = "\n",
) -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    w.writerow(header or rows.HEADER)
    for r in records:
        w.writerow([r.get(h, "") for h in rows.HEADER])
    return out.getvalue()


def good(prefix: str, n: int = 3, **over) -> list[dict]:
    return [rows.row(f"{prefix}-{i}", **over) for i in range(n)]


def cp1258(text: str) -> bytes:
    """Windows-1258 as legacy Vietnamese software wrote it: base letters with combining tones."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for keep in [*marks, None]:  # a base letter with one mark precomposed, the rest combining
            head = unicodedata.normalize("NFC", base + keep) if keep else base
            rest = [m for m in marks if m != keep]
            try:
                out += head.encode("cp1258") + "".join(rest).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise ValueError(f"cannot write {ch!r} in Windows-1258")
    return bytes(out)


def jsonl(objs: list) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs)


def sync_object(code: str, **over) -> dict:
    rec = rows.row(code, **over)
    return {k: (v or None) for k, v in rec.items()}


STORED: dict[str, bytes] = {}


def _store(name: str, data: str | bytes) -> None:
    STORED[name] = data.encode("utf-8") if isinstance(data, str) else data


_store(
    f"legacy_windows1258_{DAY}.csv",
    cp1258(
        csv_text(
            good("CP", 3, TenTTHC="Cấp giấy phép xây dựng", DiaChi="Đông Hà"), header=VN_HEADER
        )
    ),
)
_store(
    f"legacy_windows1258_sync_header_{DAY}.csv",
    cp1258(csv_text(good("CPS", 4, TenTTHC="Đăng ký khai sinh", ChuHoSo="Trần Thị Bích"))),
)
_store(
    f"utf16_bom_{DAY}.csv",
    csv_text(good("U16", 3, TenTTHC="Đăng ký kết hôn"), header=VN_HEADER).encode("utf-16"),
)
_store(f"utf16_no_bom_{DAY}.csv", csv_text(good("U16N", 2)).encode("utf-16-le"))
_store(
    f"sql_in_values_{DAY}.csv",
    csv_text(
        [
            rows.row(
                "SQL-1'); drop table raw.onestop; --",
                TenTTHC="'; delete from audit.load_batches; --",
            ),
            rows.row(
                "SQL-2", TenTTHC="$$ || pg_sleep(10) || $$", DiaChi="Robert'); DROP TABLE x;--"
            ),
            rows.row("SQL-3", TenTTHC="\\.", MaLinhVuc="\\N"),
            rows.row("SQL-4", TenTTHC="dòng 1\n\\.\ncopy raw.onestop from program 'id'"),
        ]
    ),
)
_sql_header = [*rows.HEADER, 'x"); drop table audit.runs; --', "1; select pg_sleep(10)"]
_store(
    f"sql_in_headers_{DAY}.csv",
    csv_text(good("SQLH", 2), header=_sql_header)
    .replace("\n", ",x,y\n")
    .replace(f"{_sql_header[-1]},x,y", _sql_header[-1]),
)
_store(
    f"bom_semicolon_crlf_{DAY}.csv",
    "\ufeff"
    + csv_text(
        good("BOM", 3, TenTTHC="Cấp lại; bổ sung"),
        delimiter=";",
        header=VN_HEADER,
        lineterminator="\r\n",
    ),
)
_store(f"tab_separated_{DAY}.tsv", csv_text(good("TAB", 2), delimiter="\t"))
_store(f"pipe_separated_{DAY}.txt", csv_text(good("PIPE", 2), delimiter="|"))
_store(
    f"title_block_{DAY}.csv",
    "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ\nĐơn vị: Sở Kế hoạch và Đầu tư\n\n"
    + csv_text(good("TITLE", 3)),
)
_store(
    f"missing_required_header_{DAY}.csv",
    csv_text(good("MISS", 2), header=[h if h != "DonViXuLy" else "Ghi chú" for h in rows.HEADER]),
)
_store(
    f"extra_unknown_columns_{DAY}.csv",
    csv_text(good("EXTRA", 2), header=[*rows.HEADER, "Ghi chú", "Người duyệt"])
    .replace("\n", ",ghi chú,ai đó\n")
    .replace("XinLoi,Ghi chú,Người duyệt,ghi chú,ai đó", "XinLoi,Ghi chú,Người duyệt"),
)
_store(
    f"impossible_dates_{DAY}.csv",
    csv_text(
        [
            rows.row("DATE-OK"),
            rows.row("DATE-3102", NgayTiepNhan="31/02/2026 08:00"),
            rows.row("DATE-2902", NgayHenTra="29/02/2025"),
            rows.row("DATE-2500", NgayKetThucXuLy="03/11/2026 25:00"),
            rows.row("DATE-1313", NgayNopHoSo="13/13/2026"),
            rows.row("DATE-TEXT", NgayTiepNhan="hôm qua"),
        ]
    ),
)
_store(
    f"end_before_receipt_{DAY}.csv",
    csv_text(
        [
            rows.row("EBR-OK", NgayKetThucXuLy="03/11/2026 10:00", TrangThaiHoSo="9"),
            rows.row("EBR-PROC", NgayKetThucXuLy="01/11/2026 10:00", TrangThaiHoSo="9"),
            rows.row(
                "EBR-RET",
                NgayKetThucXuLy="03/11/2026 10:00",
                NgayTra="30/10/2026 10:00",
                TrangThaiHoSo="10",
            ),
        ]
    ),
)
_store(
    f"future_dates_{DAY}.csv",
    csv_text(
        [
            rows.row("FUT-OK", NgayHenTra="15/01/2027 17:00"),  # an appointment may be ahead
            rows.row("FUT-RECV", NgayTiepNhan="02/11/2027 08:10"),
            rows.row("FUT-PROC", NgayKetThucXuLy="01/01/2099 08:00", TrangThaiHoSo="9"),
            rows.row("FUT-PAST", NgayTiepNhan="01/01/1900 08:00"),
        ]
    ),
)
_store(
    f"unknown_status_codes_{DAY}.csv",
    csv_text(
        [
            rows.row("ST-OK"),
            rows.row("ST-42", TrangThaiHoSo="42"),
            rows.row("ST-0", TrangThaiHoSo="0"),
            rows.row("ST-NEG", TrangThaiHoSo="-1"),
            rows.row("ST-TEXT", TrangThaiHoSo="Đang xử lý"),
            rows.row("ST-FLOAT", TrangThaiHoSo="4.5"),
        ]
    ),
)
_store(
    f"duplicate_rows_{DAY}.csv",
    csv_text(
        [
            rows.row("DUP-1"),
            rows.row("DUP-1"),  # the very same row twice
            rows.row("DUP-2", TrangThaiHoSo="4"),
            rows.row(
                "DUP-2", TrangThaiHoSo="9", NgayKetThucXuLy="04/11/2026 09:00"
            ),  # later in file
        ]
    ),
)
_store(
    f"whitespace_cells_{DAY}.csv",
    csv_text(
        [
            rows.row("WS-OK", TenTTHC="   ", SoLanBoSung=" \t "),
            rows.row(
                "   ",
            ),
            rows.row("WS-NBSP-AGENCY", DonViXuLy="\u00a0\u00a0"),
        ]
    ),
)
_store(f"repeated_header_{DAY}.csv", csv_text(good("REP-A", 2)) + csv_text(good("REP-B", 2)))
_store(f"blank_lines_{DAY}.csv", csv_text(good("BLANK", 3)).replace("\n", "\n\n"))
_store(
    f"duplicate_header_column_{DAY}.csv",
    csv_text(good("DUPH", 2), header=[*rows.HEADER, "MaHoSo"])
    .replace("\n", ",other\n")
    .replace("XinLoi,MaHoSo,other", "XinLoi,MaHoSo"),
)
_store(
    f"ragged_rows_{DAY}.csv",
    csv_text(good("RAG", 3))
    + "only,three,fields\n"
    + csv_text(good("RAG-B", 1)).split("\n", 1)[1]
    + "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v\n",
)
_store(
    f"unbalanced_quotes_{DAY}.csv",
    csv_text(good("QUO", 2))
    + 'QUO-X,1.004227,"Tên không đóng ngoặc,DKKD\n'
    + csv_text(good("QUO-AFTER", 2)).split("\n", 1)[1],
)  # the quote swallows the rest
_store(
    f"jsonl_broken_line_{DAY}.jsonl",
    jsonl([sync_object("JB-1"), sync_object("JB-2")])
    + '{"MaHoSo": "JB-3", "MaTTHC": \n'
    + jsonl([sync_object("JB-4")]),
)
_store(
    f"jsonl_array_line_{DAY}.jsonl",
    jsonl([sync_object("JA-1"), [sync_object("JA-2")], "chuỗi", 42, None]),
)
_store(f"jsonl_csv_inside_{DAY}.jsonl", csv_text(good("JCSV", 3)))


def write_corpus() -> None:
    BAD_DIR.mkdir(parents=True, exist_ok=True)
    for name, data in STORED.items():
        (BAD_DIR / name).write_bytes(data)


if __name__ == "__main__":
    write_corpus()
