"""The model card: a Markdown summary written beside the artifact.

The card is rendered from the manifest inside the artifact, so `escalation-card MODEL` can
rewrite it for any artifact: after a retrained file is renamed into place (its card was named
after the temporary path), the card beside the live model is regenerated from the live model.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from model.artifact import ArtifactError, language_manifest, read_manifest, write_atomically
from training.data.provenance import is_user_source

METRIC_COLUMNS = ("roc_auc", "average_precision", "brier", "ece", "f1", "n")


def card_path(artifact: Path) -> Path:
    """`escalation-model.joblib` -> `escalation-model.card.md`."""
    return artifact.with_suffix(".card.md")


LANGUAGE_NAMES = {"en": "English", "ar": "Arabic", "es": "Spanish"}


def language_name(code: str) -> str:
    """`Arabic (ar)`."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def trained_on(sources: list[dict[str, Any]], language: str) -> str:
    """The limitation that follows from the training data: the registered corpora's genres,
    or the user's own files (whose genres this card cannot know)."""
    user = [s["name"] for s in sources if is_user_source(s)]
    if not user:
        names = ", ".join(s["name"] for s in sources)
        return (
            f"- {language_name(language)}: trained on the registered corpora {names} "
            "(`training/data/registry.py` describes them): other genres may rank worse."
        )
    registered = [s["name"] for s in sources if not is_user_source(s)]
    also = f", with the registered corpora {', '.join(registered)}" if registered else ""
    return (
        f"- {language_name(language)}: trained on the user's own data "
        f"({', '.join(f'`{u}`' for u in user)}{also}): it scores texts like those files; "
        "other genres may rank worse."
    )


def render_card(manifest: dict[str, Any]) -> str:
    """Markdown text of the card: what all languages share, then each language's model, then
    the languages that missed their gate."""
    languages = manifest["languages"]
    levels = ", ".join(f"{lv['name']} ≥ {lv['min']}" for lv in manifest["levels"])
    lines = [
        f"# Escalation-risk model {manifest['version']}",
        "",
        f"Created {manifest['created_at']} in {manifest['training_seconds']} s. Languages: "
        f"{', '.join(map(language_name, languages))}.",
        "",
        "## Intended use",
        "Scores how escalatory or conflictual the rhetoric of a news article or diplomatic "
        "statement is (threats, ultimatums, accusations, mobilisation, force, sanctions) "
        "against cooperative or neutral rhetoric, with one model per language above; a text in "
        "another language is answered unscored. A probability with the phrases that drive it; "
        "a screening aid for analysts, not a forecast of events.",
        "",
        f"Levels (every language): {levels}. Libraries: {manifest['libraries']}.",
        "",
        "## Limitations",
        *(trained_on(entry["sources"], code) for code, entry in languages.items()),
        "- Scores rhetoric, not facts: quoted threats in a report of talks raise the score.",
        "- The artifact is a joblib file: loading it runs code. Load only trusted artifacts.",
    ]
    for code in languages:
        lines += ["", *language_section(language_manifest(manifest, code))]
    for code, entry in manifest.get("unsupported", {}).items():
        lines += ["", f"## {language_name(code)}: not published (missed its quality gate)"]
        lines += [*gate_table(entry["gate"]), "", *cv_table(entry["metrics"]["cv"])]
    return "\n".join(lines) + "\n"


def gate_table(gate: dict[str, Any]) -> list[str]:
    """The quality gate's checks, figures and verdicts."""
    lines = ["| quality gate | figure | passed |", "|---|---:|---|"]
    for c in gate["checks"]:
        value = "-" if c["value"] is None else f"{c['value']:.3f}"
        verdict = {True: "yes", False: "**no**", None: "skipped (corpus not trained on)"}
        lines.append(f"| {c['check']} | {value} | {verdict[c['passed']]} |")
    return lines


def cv_table(cv: dict[str, Any]) -> list[str]:
    """Cross-validated figures per corpus."""
    lines = [
        "| corpus | " + " | ".join(METRIC_COLUMNS) + " |",
        "|---|" + "---:|" * len(METRIC_COLUMNS),
    ]
    for name, m in cv.items():
        cells = [str(m[c]) if c == "n" else f"{m[c]:.3f}" for c in METRIC_COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def language_section(manifest: dict[str, Any]) -> list[str]:
    """One language model: its data, licences, gate, cross-validation, article map."""
    hp = manifest["hyperparameters"]
    lines = [
        f"## {language_name(manifest['language'])}",
        "",
        "### Training data",
        "| source | rows | escalatory | files (sha256) |",
        "|---|---:|---:|---|",
    ]
    for src in manifest["sources"]:
        files = "<br>".join(f"`{f['path']}` {f['sha256'][:12]}…" for f in src["files"])
        lines.append(f"| {src['name']} | {src['rows']} | {src['positives']} | {files} |")
    knowledge = manifest.get("knowledge") or []
    if knowledge:  # the files the event features were compiled from: knowledge, not rows
        lines += ["", "Event features compiled from (knowledge, not training rows):"]
        lines += [f"- `{f['path']}` {f['sha256'][:12]}… ({f['licence']})" for f in knowledge]
    licences = [(s["name"], s["licence"]) for s in manifest["sources"] if s.get("licence")]
    if licences:
        lines += ["", "### Licences and attribution", "Keep them with anything derived from them."]
        lines += [f"- {name}: {licence}" for name, licence in licences]
    if manifest.get("gate"):
        lines += ["", "### Quality gate", *gate_table(manifest["gate"])]
    lines += [
        "",
        f"### Grouped {hp['folds']}-fold cross-validation (out of fold, calibrated)",
        "F1 at the alert threshold "
        f"{manifest['alert_threshold']}. Groups (speech, headline template, code, document, "
        "article) never straddle folds.",
        "",
        *cv_table(manifest["metrics"]["cv"]),
        "",
        *article_section(manifest.get("article_calibration")),
        "",
        f"Hyper-parameters: `{hp}`.",
    ]
    return lines


def article_section(entry: dict[str, Any] | None) -> list[str]:
    """The article map (`model.article`): its rule, parameters and what it was fitted on."""
    lines = ["### Article calibration"]
    if not entry:
        return [*lines, "None: a text of any length gets the pipeline's own score."]
    rule = [
        *lines,
        "A text of n sentences scores `sigmoid(s(n) * logit + t(n))`, `w(n) = min(1, ln n / "
        f"ln {entry['full_at_sentences']})` (0 for one sentence), `s(n) = 1 + w(n) * "
        f"({entry['slope']:.4f} - 1)`, `t(n) = w(n) * {entry['intercept']:.4f}`; phrase weights "
        "are multiplied by `s(n)`, so they still sum to the logit with the intercept.",
    ]
    if not {"labels", "cross_fitted", "articles", "carrying", "source"} <= entry.keys():
        return [*rule, "Its manifest entry does not say what it was fitted on."]
    m = entry["cross_fitted"]
    return [
        *rule,
        f"Fitted on {entry['articles']} annotated {entry['source']} articles "
        f"({entry['carrying']} escalatory or mixed; labels `{entry['labels']['path']}` "
        f"{entry['labels']['sha256'][:12]}…); cross-fitted, escalatory against not: ROC-AUC "
        f"{m['roc_auc']:.3f}, Brier {m['brier']:.3f}, ECE {m['ece']:.3f}.",
    ]


def write_card(manifest: dict[str, Any], path: Path) -> Path:
    """Write the card atomically."""
    return write_atomically(path, lambda fh: fh.write(render_card(manifest).encode("utf-8")))


def main(argv: Sequence[str] | None = None) -> int:
    """`escalation-card MODEL [--out PATH]`: the artifact's card on stdout or into PATH."""
    parser = argparse.ArgumentParser(
        prog="escalation-card",
        description="Render the model card of an artifact from its verified manifest "
        "(nothing is unpickled).",
    )
    parser.add_argument("model", type=Path, help="model artifact")
    parser.add_argument(
        "--out", type=Path, help="write the card here, atomically (default: stdout)"
    )
    args = parser.parse_args(argv)
    try:
        manifest = read_manifest(args.model)
    except ArtifactError as exc:
        print(f"escalation-card: error: {exc}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(render_card(manifest))
    else:
        write_card(manifest, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
