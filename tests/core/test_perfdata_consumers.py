"""The check's perfdata as Nagios 4 (also behind NRPE 4) and Icinga 2 actually read it.

Each parser below follows its program's own code:

- Icinga 2.13, ``PluginUtility::ParseCheckOutput``: every line that holds a ``|``
  gives the text before it and the perfdata after it; lines without one are text.
  ``SplitPerfdata`` cuts ``label=value`` at spaces; ``PerfdataValue::Parse`` needs a
  number, so a ``U`` is dropped (with a warning in its log).
- Nagios 4.4, ``parse_check_output``: line 1 is text ``|`` perfdata; the next lines
  are long text until the first line with a ``|``, after which everything is perfdata.
- NRPE 4 hands the whole output (up to 64 KB) to Nagios, so Nagios's parser applies.
"""

from __future__ import annotations

import re

from tests.monitoring_support import check

_NUMBER = re.compile(r"[+-]?[0-9.eE]+")


def icinga2_parse(output: str) -> tuple[str, dict[str, float], list[str]]:
    """(text, {label: value}, rejected items) as Icinga 2 stores a check result."""
    text_lines, perf_parts = [], []
    for line in re.split(r"[\r\n]", output.strip()):
        if "|" in line:
            before, after = line.split("|", 1)
            text_lines.append(before)
            perf_parts.append(after)
        else:
            text_lines.append(line)
    perfdata = " ".join(perf_parts).strip()
    values: dict[str, float] = {}
    rejected: list[str] = []
    begin = 0
    while (equals := perfdata.find("=", begin)) >= 0:
        label = perfdata[begin:equals]
        if len(label) > 2 and label[0] == label[-1] == "'":
            label = label[1:-1]
        space = perfdata.find(" ", equals)
        space = len(perfdata) if space < 0 else space
        item = perfdata[equals + 1:space]
        number = _NUMBER.match(item.split(";")[0])
        if number:
            values[label] = float(number.group())
        else:
            rejected.append(f"{label}={item}")
        begin = space + 1
    return "\n".join(text_lines), values, rejected


def nagios4_parse(output: str) -> tuple[str, str, dict[str, float]]:
    """(short output, long output, {label: value}) as Nagios 4 stores a check result."""
    first, *rest = output.rstrip("\n").split("\n")
    short, _, perfdata = first.partition("|")
    long_lines: list[str] = []
    in_perfdata = False
    for line in rest:
        if in_perfdata:
            perfdata += " " + line
        elif "|" in line:
            before, after = line.split("|", 1)
            long_lines.append(before)
            perfdata += " " + after
            in_perfdata = True
        else:
            long_lines.append(line)
    values = {}
    for item in re.findall(r"('(?:[^']|'')+'|[^ =']+)=(\S+)", perfdata):
        label, data = item
        values[label.strip("'").replace("''", "'")] = float(data.split(";")[0])
    return short.strip(), "\n".join(long_lines), values


def fleet(site) -> None:
    site.practice("hap-delinde", days_left=-5)
    site.practice("hap-zuid", days_left=5, agb="01111111")
    site.practice("fysio-oost", days_left=30, agb="04011111")
    site.practice("tand-west", days_left=400, agb="12022222")
    site.practice("nieuw", days_left=None, agb="12033333")
    site.practice("kapot", days_left=400, agb="12044444")
    (site.repository_path / "practices" / "kapot" / "practice.json").write_text("{")


def test_icinga2_and_nagios4_get_one_value_per_practice_and_the_same_text(site, clock, capsys):
    fleet(site)
    _, out = check(site, clock, capsys)
    icinga_text, icinga_values, rejected = icinga2_parse(out)
    practices = {label: days for label, days in icinga_values.items() if " " not in label}
    assert set(practices) == {"hap-delinde", "hap-zuid", "fysio-oost", "tand-west"}
    assert practices["hap-delinde"] < 0  # expired; how days are counted: test_days_left.py
    assert (practices["hap-zuid"], practices["fysio-oost"], practices["tand-west"]) == \
        (5, 30, 400)
    assert rejected == []
    nagios_short, nagios_long, nagios_values = nagios4_parse(out)
    assert icinga_values == nagios_values
    first, *long_lines = icinga_text.split("\n")
    assert first.strip() == nagios_short
    assert long_lines == nagios_long.split("\n")
    assert len(long_lines) == 5 and "=" not in nagios_long
    assert icinga_values["fewest days left"] == practices["hap-delinde"]


def test_no_perfdata_value_is_U(site, clock, capsys):
    site.practice("nieuw", days_left=None)
    _, out = check(site, clock, capsys)
    _, values, rejected = icinga2_parse(out)
    assert rejected == []
    assert "=U" not in out
    assert "fewest days left" not in values
    assert values["all practices"] == 1
    assert values["practices without certificate"] == 1
