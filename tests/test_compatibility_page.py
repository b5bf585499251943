"""docs/compatibility.rst cannot silently go stale.

Each ``.. compat: SKLEARN_CLASS OUR_CLASS`` table of the page must list every parameter of
the scikit-learn class, in the signature's order, with its scikit-learn default and a status
that is true of our class: **absent** exactly when our class lacks the parameter, **same**
only when our default is scikit-learn's. Each ``.. added: OUR_CLASS`` table lists exactly
the parameters our class has beyond all its counterparts, with our defaults.
"""

import importlib
import inspect
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "compatibility.rst"

_MARKER = re.compile(r"^\.\. (compat|added): (.+)$", re.MULTILINE)
# A list-table row: ``name``, then ``default``, then the status or description (which may
# continue on indented lines).
_ROW = re.compile(
    r"^   \* - ``(?P<name>\w+)``\n     - ``(?P<default>.*)``\n     - (?P<text>.*(?:\n       .*)*)",
    re.MULTILINE,
)
_STATUS = re.compile(r"^\*\*(same|differs|absent)\*\*")


def _class(dotted_name):
    module, _, name = dotted_name.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _signature(cls):
    return inspect.signature(cls).parameters


def _tables(text=None):
    """[(kind, class names, rows)] of the page, rows as (name, default, text)."""
    text = PAGE.read_text(encoding="utf-8") if text is None else text
    markers = list(_MARKER.finditer(text))
    tables = []
    for marker, following in zip(markers, [*markers[1:], None]):
        end = following.start() if following else len(text)
        body = text[marker.end() : end]
        # The table ends at the first unindented paragraph after it.
        table = re.split(r"\n\n(?=\S)", body.split(".. list-table::", 1)[1], maxsplit=1)[0]
        rows = [
            (row["name"], row["default"], " ".join(row["text"].split()))
            for row in _ROW.finditer(table)
        ]
        tables.append((marker[1], marker[2].split(), rows))
    return tables


def _compat_tables():
    return [(names, rows) for kind, names, rows in _tables() if kind == "compat"]


def _ids(tables):
    return [" in ".join(names) for names, _ in tables]


def test_page_has_a_table_per_estimator_and_counterpart():
    import skbackprop

    pairs = {tuple(names) for names, _ in _compat_tables()}
    ours = {name for _, name in pairs}
    assert ours == {f"skbackprop.{name}" for name in skbackprop.__all__ if name[0].isupper()}
    assert ("sklearn.linear_model.LinearRegression", "skbackprop.NormalEquationRegressor") in pairs
    assert ("sklearn.linear_model.Ridge", "skbackprop.NormalEquationRegressor") in pairs


@pytest.mark.parametrize(("names", "rows"), _compat_tables(), ids=_ids(_compat_tables()))
def test_every_scikit_learn_parameter_has_a_true_row(names, rows):
    theirs, ours = (_signature(_class(name)) for name in names)
    assert [name for name, _, _ in rows] == list(theirs), (
        f"the table of {names[0]} must list its parameters, in order: {list(theirs)}"
    )
    for name, default, text in rows:
        assert default == repr(theirs[name].default), f"{name}: scikit-learn's default"
        status = _STATUS.match(text)
        assert status, f"{name}: the status must open with **same**, **differs** or **absent**"
        if status[1] == "absent":
            assert name not in ours, f"{name}: {names[1]} takes it now; say how"
        else:
            assert name in ours, f"{name}: {names[1]} does not take it; mark it **absent**"
        if status[1] == "same":
            assert repr(ours[name].default) == default, f"{name}: the defaults differ"


def test_added_tables_list_exactly_what_we_add():
    counterparts = {}
    for sklearn_name, our_name in (names for names, _ in _compat_tables()):
        counterparts.setdefault(our_name, set()).update(_signature(_class(sklearn_name)))
    added = {names[0]: rows for kind, names, rows in _tables() if kind == "added"}
    for our_name, theirs in counterparts.items():
        ours = _signature(_class(our_name))
        extra = [name for name in ours if name not in theirs]
        rows = added.get(our_name, [])
        assert [name for name, _, _ in rows] == extra, f"{our_name}: its added parameters"
        for name, default, text in rows:
            assert default == repr(ours[name].default), f"{our_name}.{name}: our default"
            assert text, f"{our_name}.{name}: say what it does"
    assert set(added) <= set(counterparts)


def test_the_reader_catches_a_stale_row():
    # The checks above are only as good as this reader: a table with a missing parameter
    # and a wrong default must read as such.
    page = """\
.. compat: sklearn.mixture.GaussianMixture skbackprop.GaussianMixtureEM

.. list-table:: Parameters
   :header-rows: 1

   * - parameter
     - scikit-learn's default
     - in ours
   * - ``n_components``
     - ``2``
     - **same**: a long status
       on two lines

Prose after the table.
"""
    [(kind, names, rows)] = _tables(page)
    assert kind == "compat"
    assert names == ["sklearn.mixture.GaussianMixture", "skbackprop.GaussianMixtureEM"]
    assert rows == [("n_components", "2", "**same**: a long status on two lines")]
    assert [name for name, _, _ in rows] != list(_signature(_class(names[0])))
