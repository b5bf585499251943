"""Public text names the course notes by topic, never by the project's private word "seed".

"Seed" already means three things to a reader of this library: a random seed
(``random_state``), a k-means++ seed (the first centers of a mixture's initialization) and
the backward seed (``d output / d output = 1``). So the course notes are "the
computation-graph notes", "the optimizers lecture", "the section notes"..., never "seed 002"
or "the seeds'". This scans the package (docstrings and comments), the documentation
sources, the README, the examples and the benchmarks.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ["skbackprop", "docs", "examples", "benchmarks", "README.md", "pyproject.toml"]
# Written by the documentation build from the files above, which are scanned themselves.
GENERATED = {"_build", "auto_examples", "gen_modules", "__pycache__"}
SUFFIXES = {".py", ".rst", ".md", ".txt", ".toml"}

# Each pattern catches one way the notes get called "seeds"; none of them matches a random
# seed, a k-means++ seed or the backward seed, which are always qualified or used as verbs
# ("k-means++ seeds are chosen", "backward() seeds dJ/dJ = 1", "Seeds the initialization").
COURSE_NOTE_SEED = [
    # a numbered note: "seed 002", "Seed 000's", "seeds 001-003"
    re.compile(r"(?<!random )\bseeds?\s*#?\s*0\d\d\b", re.IGNORECASE),
    # the notes as owners: "the seeds' formulas", "the seed's epsilon"
    re.compile(r"\bthe\s+(?:seeds'|seed's)", re.IGNORECASE),
    # the notes as authors: "the seeds derive", "as the seeds say", "as in the seed"
    re.compile(
        r"\bthe\s+seeds?\s+(?:say|says|said|note|notes|noted|derive|derives|write|writes|"
        r"wrote|give|gives|gave|teach|teaches|taught|put|puts|show|shows|define|defines|"
        r"call|calls)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\bas\s+in\s+the\s+seeds?\b", re.IGNORECASE),
    # the folder and its files: "seed notes", "seed lecture", "seeds/README.md"
    re.compile(r"\bseeds?\s+(?:notes?|lectures?|documents?|files?)\b", re.IGNORECASE),
    re.compile(r"\bseeds/", re.IGNORECASE),
]


def course_note_seeds(text):
    """(line number, line) of each line of ``text`` that calls a course note a seed."""
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if any(pattern.search(line) for pattern in COURSE_NOTE_SEED)
    ]


def _public_files():
    for name in PUBLIC:
        path = ROOT / name
        if path.is_file():
            yield path
            continue
        for file in sorted(path.rglob("*")):
            parts = set(file.relative_to(ROOT).parts)
            if file.is_file() and file.suffix in SUFFIXES and not parts & GENERATED:
                yield file


@pytest.mark.parametrize(
    "text",
    [
        "Seed 002 writes the same method with the moments bias-corrected",
        "'rmsprop' RMSProp (seed 002's update, with beta_2 as the decay",
        "The model (seed 000): a latent z ~ Multinomial(phi)",
        "as the seeds' Forward | Backward tables do",
        "Rows are samples, so the seeds' Z = W A + b is written",
        "i.e. the seed's epsilon times sqrt(1 - beta_2^t)",
        "The seeds derive, layer by layer from the output,",
        "As the seeds say, dropout is for training only:",
        "epsilon inside the square root as in the seed, so a zero",
        "read the seed notes for the derivation",
        "see seeds/README.md for which note holds what",
    ],
)
def test_course_notes_called_seeds_are_found(text):
    assert course_note_seeds(f"first line\n{text}\n") == [(2, text)]


@pytest.mark.parametrize(
    "text",
    [
        "random_state : int, RandomState instance or None. Seeds the initialization",
        "k-means++ seeds are chosen among a uniform random sample of the rows",
        "on more rows the seeds differ, and k-means (hence EM) may reach another optimum",
        "One-hot of the k-means++ seed rows, the seeds being chosen among the sample",
        ":meth:`Tensor.backward` seeds dJ/dJ = 1 and runs the table",
        "The seed gradient has shape (2,) but the output has shape ()",
        "keeps its unit seed; the Graph lookups and seed",
        "def make_data(n_samples, n_features, seed=0):",
        "a generator seeded by this initialization's seed and the block's first row",
        "fit with random seed 042 and compare",
        "The optimizers lecture writes momentum as an exponentially weighted average",
    ],
)
def test_other_seeds_are_not_flagged(text):
    assert course_note_seeds(text) == []


def test_public_text_names_the_notes_by_topic():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line}"
        for path in _public_files()
        for number, line in course_note_seeds(path.read_text(encoding="utf-8"))
    ]
    assert not found, (
        'public text calls a course note a seed; name its topic instead ("the optimizers '
        'lecture\'s Adam update", "the computation-graph notes"):\n' + "\n".join(found)
    )
