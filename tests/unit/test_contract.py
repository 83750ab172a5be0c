"""Feed contracts are validated when loaded: a typo fails with the file, the line and the
allowed keys, before any file is read."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from ingest import contract as contracts
from ingest.run import ingest

ONESTOP = resources.files("ingest").joinpath("contracts/onestop.yml").read_text(encoding="utf-8")
COLUMN_KEYS = "name, type, headers, required, codes, description, max_length"


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def _error(text: str) -> str:
    with pytest.raises(contracts.ContractError) as info:
        contracts.parse(text, "contracts/onestop.yml", "onestop")
    return str(info.value)


def test_every_contract_loads_with_its_columns_rules_and_hooks():
    assert contracts.feeds() == [
        "index_results",
        "onestop",
        "plan_tasks",
        "survey_responses",
        "targets",
        "task_reports",
    ]
    onestop = contracts.load("onestop")
    assert onestop.table == "raw.onestop" and onestop.file_types == ("csv", "xlsx", "jsonl")
    channel = onestop.column("channel")
    assert (channel.type, channel.codes, channel.required) == ("code", (1, 2, 3), True)
    assert channel.headers[:2] == ("KenhThucHien", "Kênh nộp")
    assert onestop.column("applicant_name").stored_name == "applicant_name_hash"
    assert onestop.column("dossier_code").max_length == 100
    rule = onestop.rules[1]
    assert (rule.left, rule.op, rule.right, rule.days) == ("received_at", "<", "observed_date", 2)
    assert onestop.nested["YeuCauBoSung"] == {
        "supplement_count": "count",
        "new_due_at": "last NgayHenTraMoi",
    }
    assert contracts.load("plan_tasks").derive == "ingest.feeds.tasks:derive_plan_tasks"


def test_a_misspelt_column_key_names_the_file_line_and_allowed_keys():
    text = ONESTOP.replace(
        "{name: procedure_name, type: text, headers:", "{name: procedure_name, type: text, heders:"
    )
    message = _error(text)
    line = _line_of(text, "heders:")
    assert message == (
        f"contracts/onestop.yml:{line}: columns[2] (procedure_name): unknown key 'heders' "
        f"(allowed keys: {COLUMN_KEYS})"
    )


def test_a_misspelt_key_in_a_block_mapping_points_at_its_own_line():
    text = ONESTOP.replace(
        "    required: true\n    codes: [1, 2, 3]", "    requried: true\n    codes: [1, 2, 3]"
    )
    message = _error(text)
    assert message.startswith(
        f"contracts/onestop.yml:{_line_of(text, 'requried')}: columns[5] (channel)"
    )
    assert "unknown key 'requried'" in message


def test_a_misspelt_top_level_key_lists_the_contract_keys():
    text = ONESTOP.replace("file_types:", "filetypes:")
    assert _error(text) == (
        f"contracts/onestop.yml:{_line_of(text, 'filetypes')}: unknown key 'filetypes' (allowed "
        "keys: feed, columns, description, file_types, observed_date_pattern, nested, reader, "
        "derive, rules)"
    )


@pytest.mark.parametrize(
    "old, new, marker, expected",
    [
        (
            "{name: field_code, type: text",
            "{name: field_code, type: txt",
            "type: txt",
            "columns[3] (field_code), type: Input should be 'text', 'int', 'code', 'bool', "
            "'timestamp', 'date', 'decimal' or 'pii' (got 'txt')",
        ),
        (
            "check: processed_at >= received_at",
            "check: processed_at >= recieved_at",
            "recieved_at",
            "rules[5].check: rule 'processed_at >= recieved_at' names unknown column recieved_at",
        ),
        (
            "check: processed_at >= received_at",
            "check: processed_at after received_at",
            "after received_at",
            "rules[5].check: cannot read check 'processed_at after received_at'",
        ),
        (
            "count_true DaSoHoa",
            "count_tru DaSoHoa",
            "count_tru DaSoHoa",
            "nested.GiayToNop.documents_digitised: nested rule 'count_tru DaSoHoa'",
        ),
        (
            "{name: returned_at,",
            "{name: refused_at,",
            "{name: refused_at, type: timestamp, headers: [NgayTuChoi",
            "columns[15] (refused_at), name: column refused_at is declared twice",
        ),
        (
            "(?P<d>[0-3]\\d)",
            "(?P<day>[0-3]\\d)",
            "observed_date_pattern",
            "observed_date_pattern: the pattern needs the named groups",
        ),
        (
            "feed: onestop",
            "feed: onestop\nderive: ingest.feeds.tasks.derive_plan_tasks",
            "derive:",
            "derive: 'ingest.feeds.tasks.derive_plan_tasks': write a hook as 'module:function'",
        ),
        (
            "{name: due_at, type: timestamp, ",
            "{name: due_at, ",
            "{name: due_at",
            "columns[12] (due_at): missing key 'type'",
        ),
    ],
)
def test_wrong_values_name_the_line_and_what_is_expected(old, new, marker, expected):
    text = ONESTOP.replace(old, new, 1)
    assert text != ONESTOP
    assert _error(text).startswith(f"contracts/onestop.yml:{_line_of(text, marker)}: {expected}")


def test_broken_yaml_and_a_feed_named_unlike_its_file_are_errors_too():
    text = ONESTOP.replace("{name: due_at, type: timestamp,", "{name: due_at, type: [timestamp,")
    assert _error(text).startswith(f"contracts/onestop.yml:{_line_of(text, '[timestamp')}: column")
    assert "not valid YAML" in _error(text)
    text = ONESTOP.replace("feed: onestop", "feed: one_stop")
    assert _error(text) == (
        f"contracts/onestop.yml:{_line_of(text, 'feed: one_stop')}: feed: one_stop differs from "
        "the file name (onestop.yml)"
    )


def test_ingest_stops_on_a_broken_contract_before_loading_anything(tmp_path, monkeypatch):
    """The contracts folder holds one good and one broken contract: nothing is read or
    written (no connection is even used), and the error names the broken file's line."""
    package = tmp_path / "pkg"
    (package / "contracts").mkdir(parents=True)
    good = resources.files("ingest").joinpath("contracts")
    shutil.copy(Path(str(good.joinpath("index_results.yml"))), package / "contracts")
    broken = ONESTOP.replace("max_length: 100, headers: [MaHoSo", "max_len: 100, headers: [MaHoSo")
    (package / "contracts" / "onestop.yml").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(contracts.resources, "files", lambda _: package)
    contracts.load.cache_clear()
    try:
        with pytest.raises(contracts.ContractError, match=r"onestop\.yml:\d+: columns\[0\]"):
            ingest(None, tmp_path / "landing", b"k" * 32, None)  # type: ignore[arg-type]
    finally:
        contracts.load.cache_clear()
