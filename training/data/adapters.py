"""Per-corpus parsers: each turns the upstream files of one public corpus into `Example` rows."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import unescape

from model.text import split_sentences
from training.data.sources import DataError, Example

UNSCON_SENTENCES = "unscon/conflict_annotations_sentences.csv"
UNSCON_UNITS = "unscon/conflict_annotations.csv"
CAMEO_CODES = "cameo/cameo-codes.csv"
NGEC_STORIES = "ngec/gpt_synthetic_events_2023-10-19_19.csv.zip"
PETRARCH_GSR = "petrarch/PETR2_GSR_validation.xml"
UNQUAD_EN = "unquad/en_annotations_quad_multiclass.tsv"
UNQUAD_IDS = "unquad/ES_EN_DEEPL_quadclass.tsv"
UNQUAD_AR = "unquad/ar_annotations_quad_multiclass.tsv"
UNQUAD_ES = "unquad/es_annotations_quad_multiclass.tsv"
# Language -> its file of the UN QuadClass sentences (row for row the same sentences as English);
# the column of the text is named by the language.
UNQUAD_TEXTS = {"en": UNQUAD_EN, "ar": UNQUAD_AR, "es": UNQUAD_ES}
MULTICOPED_TRAIN = "multicoped/train.tsv"
ARABIC_GSR_ASSAULT = "arabic-gsr/assault_gsr.csv"
ARABIC_GSR_PROTEST = "arabic-gsr/protest_gsr.csv"
# File -> the event type its sentences were judged for (its `event_type` column).
ARABIC_GSR_EVENTS = {ARABIC_GSR_ASSAULT: "ASSAULT", ARABIC_GSR_PROTEST: "PROTEST"}

# UN QuadClass documents from this year on are a reserved external test set: never yielded.
UNQUAD_FIRST_RESERVED_YEAR = 2011
# Multi-CoPED train.tsv and the Arabic GSR: rows whose sha256(text.strip()) ends in one of these
# are the project's; the other half (and all of Multi-CoPED's test.tsv) is a reserved external
# test set: never yielded.
PROJECT_ROW_DIGITS = "02468ace"
MULTICOPED_ESCALATORY = frozenset({"3", "4"})  # verbal and material conflict
# Arabic GSR answers with a clear label: `yes` (all annotators saw a new event) and `easy no`
# (all rejected). The others, `difficult no` (rejected with a dissent) and `ambiguous`, are
# neither clearly escalatory nor clearly calm: see `ARABIC_GSR_UNCLEAR` in the registry.
ARABIC_GSR_LABELS = {"yes": 1, "easy no": 0}
# The training weight of an `easy no` row: none. "Not a new assault or protest" still covers
# sentences of threats, arrests and fighting, which this product calls escalatory; learned as
# calm, they cost the UN Arabic sentences 0.05 of ROC-AUC (docs/decisions.md, "Arabic training
# data"). They stay in cross-validation as evaluation rows: `yes` against `easy no` is measured.
ARABIC_GSR_EASY_NO_WEIGHT = 0.0
ARABIC_GSR_UNCLEAR_LABELS = frozenset({"difficult no", "ambiguous"})

# The CAMEO file is UTF-8 text once decoded as Mac Roman and saved as Windows-1252; read back as
# latin-1 each typographic character is a three-character sequence. Longest sequences first.
CAMEO_MOJIBAKE: tuple[tuple[str, str], ...] = (
    ("\x82Äô", "'"),  # ’ right single quote / apostrophe
    ("\x82Äò", "'"),  # ‘ left single quote
    ("\x82Äú", '"'),  # “ left double quote
    ("\x82Äù", '"'),  # ” right double quote
    ("\x82Äî", " - "),  # — em dash
    ("\x82Äì", " - "),  # – en dash
    ("¬£", "£"),  # £ pound sign
    ("¬? ", ""),  # a cedilla lost in conversion ("C¬? ankaya" = Çankaya)
)

NGEC_ESCALATORY = frozenset(
    "ACCUSE COERCE THREATEN PROTEST ASSAULT SANCTION MOBILIZE REJECT REQUEST".split()
)
NGEC_COOPERATIVE = frozenset("AGREE CONSULT SUPPORT COOPERATE AID CONCEDE RETREAT".split())

_WS = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r" ([,.;:?!)])")
_SPACE_AFTER_PAREN = re.compile(r"\( ")
_NOTE_TAIL = re.compile(r"\s*\bNote:.*\Z", re.S)
_DISCLAIMER = re.compile(r"#+\s*THIS IS A SYNTHETIC STORY.*?#+", re.S | re.I)
_XML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SENTENCE_START = re.compile(r"<Sentence\s")
_ATTR_ID = re.compile(r'\bid="([^"]*)"')
_EVENTCODE = re.compile(r'<EventCoding\b[^>]*?\beventcode="([^"]*)"')
_TEXT = re.compile(r"<Text>(.*?)</Text>", re.S)
_PARSE = re.compile(r"<Parse>(.*?)</Parse>", re.S)
_UNQUAD_ID = re.compile(r"(\d{4})/.+/[^/]+")
# A newswire document id (Arabic Gigaword style, or a hex string in part of protest_gsr.csv),
# then "-" (or "_") and the sentence number.
_GSR_ID = re.compile(r"([A-Z]{3}_[A-Z]{3}_\d{8}\.\d{4})-\d+|([0-9a-f]{32,})_\d+")


def collapse(text: str) -> str:
    """Runs of whitespace to one space, stripped."""
    return _WS.sub(" ", text).strip()


def collapse_lines(text: str) -> list[str]:
    """The lines of a text, each `collapse`d; blank lines dropped."""
    return [line for line in map(collapse, text.splitlines()) if line]


def title_and_sentences(title: str, body: str) -> list[str]:
    """An article's title, then each sentence of its body (`model.text.split_sentences`): the
    units a reader sends alone. Units without a letter ("." or "6-3 .") are left out, and so is
    a body sentence that repeats the title or an earlier sentence."""
    units: list[str] = []
    for unit in (title, *(body[start:end] for start, end in split_sentences(body))):
        if any(c.isalpha() for c in unit) and unit not in units:
            units.append(unit)
    return units


def detokenise(text: str) -> str:
    """Undo space-separated tokenisation: no space before , . ; : ? ! ) nor after (."""
    return _SPACE_AFTER_PAREN.sub("(", _SPACE_BEFORE_PUNCT.sub(r"\1", collapse(text)))


def clean_cameo(text: str) -> str:
    """Repair mojibake, drop the trailing "Note: ..." annotation, collapse whitespace."""
    for bad, good in CAMEO_MOJIBAKE:
        text = text.replace(bad, good)
    return collapse(_NOTE_TAIL.sub("", text))


def _read_csv(
    path: Path, encoding: str, required: tuple[str, ...], delimiter: str = ","
) -> list[tuple[int, dict[str, str]]]:
    """All data rows of a CSV file with their 1-based starting line."""
    try:
        text = path.read_bytes().decode(encoding)
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as {encoding}: {exc}") from exc
    return parse_csv(text, str(path), required, delimiter)


def parse_csv(
    text: str, name: str, required: tuple[str, ...], delimiter: str = ","
) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs; a missing column or a ragged row raises `DataError`."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = next(reader, None)
        if not header:
            raise DataError(f"{name}:1: empty file (no header)")
        missing = [c for c in required if c not in header]
        if missing:
            raise DataError(f"{name}:1: missing column {missing[0]!r}")
        end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row:
                continue
            if len(row) != len(header):
                raise DataError(f"{name}:{start}: expected {len(header)} fields, found {len(row)}")
            rows.append((start, dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        raise DataError(f"{name}:{reader.line_num}: malformed CSV: {exc}") from exc
    return rows


def unscon_examples(paths: Mapping[str, Path]) -> Iterator[Example]:
    """UNSCon sentences: 1 when either conflict layer (A0, B1) is set; grouped by speech."""
    path = paths[UNSCON_SENTENCES]
    rows = _read_csv(path, "utf-8", ("sentence_text", "A0", "B1", "basename", "speech_id"))
    for _, row in rows:
        text = detokenise(row["sentence_text"])
        if text:
            label = int(row["A0"] != "_" or row["B1"] != "_")
            yield Example(text, label, f"{row['basename']}/{row['speech_id']}", "unscon")


def unscon_unit_examples(paths: Mapping[str, Path]) -> Iterator[Example]:
    """UNSCon discourse units (clauses of the same speeches, `Binary_Conflict_score`), in their
    speech's group: extra training rows, never scored (the sentences are the evaluation unit)."""
    speeches = {
        row["file_id"]: f"{row['basename']}/{row['speech_id']}"
        for _, row in _read_csv(paths[UNSCON_SENTENCES], "utf-8", ("file_id", "basename"))
    }
    rows = _read_csv(paths[UNSCON_UNITS], "utf-8", ("file_id", "EDU_text", "Binary_Conflict_score"))
    for line, row in rows:
        group = speeches.get(row["file_id"])
        if group is None:
            raise DataError(f"{paths[UNSCON_UNITS]}:{line}: unknown speech {row['file_id']!r}")
        text = detokenise(row["EDU_text"])
        if text:
            label = int(row["Binary_Conflict_score"] == "1")
            yield Example(text, label, group, "unscon", evaluate=False)


def unscon_all_examples(paths: Mapping[str, Path]) -> Iterator[Example]:
    """UNSCon sentences (scored) then its discourse units (trained on only: measured +0.011
    ROC-AUC on UNSCon sentences, `python -m studies.experiments levers`)."""
    yield from unscon_examples(paths)
    yield from unscon_unit_examples(paths)


def cameo_examples(paths: Mapping[str, Path]) -> Iterator[Example]:
    """CAMEO codebook: each code's example and `name. description`; roots 10-20 are 1."""
    path = paths[CAMEO_CODES]
    rows = _read_csv(path, "latin-1", ("code", "name", "description", "example", "root_code"))
    for line, row in rows:
        root = row["root_code"].strip()
        if not (root.isdigit() and 1 <= int(root) <= 20):
            raise DataError(f"{path}:{line}: bad root_code {root!r} (expected 01..20)")
        label, group = int(int(root) >= 10), f"cameo/{row['code'].strip()}"
        example = clean_cameo(row["example"])
        if example and example != "NA":
            yield Example(example, label, group, "cameo")
        description = clean_cameo(row["description"])
        if description and description != "NA":
            yield Example(
                f"{collapse(row['name'])}. {description}", label, group, "cameo", evaluate=False
            )


def ngec_examples(paths: Mapping[str, Path]) -> Iterator[Example]:
    """NGEC synthetic stories: PLOVER type to label; grouped by headline template."""
    path = paths[NGEC_STORIES]
    try:
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.endswith(".csv")]
            if len(members) != 1:
                raise DataError(f"{path}: expected one CSV in the zip, found {len(members)}")
            text = archive.read(members[0]).decode("utf-8-sig")
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the zip: {exc}") from exc
    name = f"{path}!{members[0]}"
    rows = parse_csv(text, name, ("text", "title", "label"))
    for line, row in rows:
        label_name = row["label"].strip()
        if label_name in NGEC_ESCALATORY:
            label = 1
        elif label_name in NGEC_COOPERATIVE:
            label = 0
        else:
            raise DataError(f"{name}:{line}: unknown PLOVER label {label_name!r}")
        story = collapse(_DISCLAIMER.sub(" ", row["text"]))
        if story:
            yield Example(story, label, f"ngec/{row['title'].strip()}", "ngec")


def _from_parse(parse: re.Match[str] | None) -> str:
    """The sentence spelled by a CoNLL-U <Parse> block (FORM column, SpaceAfter=No honoured)."""
    words = []
    for row in (parse.group(1) if parse else "").splitlines():
        cols = row.split("\t")
        if len(cols) >= 2 and cols[0].isdigit():
            words.append(cols[1] + ("" if "SpaceAfter=No" in cols[-1] else " "))
    return detokenise(unescape("".join(words)))


def petrarch_examples(paths: Mapping[str, Path]) -> Iterator[Example]:
    """PETR-2 gold sentences with event codes (noevents skipped); 1 when any root is 10-20."""
    path = paths[PETRARCH_GSR]
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as utf-8: {exc}") from exc
    # Not well-formed XML (mixed self-closing <Sentence/>, '#' banners): scan it instead,
    # blanking comments but keeping their newlines so line numbers stay right.
    source = _XML_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), raw)
    starts = [m.start() for m in _SENTENCE_START.finditer(source)] + [len(source)]
    for begin, end in pairwise(starts):
        chunk, line = source[begin:end], source.count("\n", 0, begin) + 1
        codes = _EVENTCODE.findall(chunk)
        if not codes:
            continue
        sid, text = _ATTR_ID.search(chunk), _TEXT.search(chunk)
        sentence = collapse(unescape(text.group(1))) if text else ""
        if not sentence:  # one upstream sentence has an empty <Text>: rebuild it from <Parse>
            sentence = _from_parse(_PARSE.search(chunk))
        if sid is None or not sentence:
            raise DataError(f"{path}:{line}: sentence without an id or a text")
        roots = [c[:2] for c in codes]
        if not all(len(c) >= 2 and r.isdigit() for c, r in zip(codes, roots, strict=True)):
            raise DataError(f"{path}:{line}: bad eventcode in {codes}")
        label = int(any(10 <= int(r) <= 20 for r in roots))
        yield Example(sentence, label, sid.group(1), "petrarch")


def unquad_examples(
    paths: Mapping[str, Path],
    irrelevant: Literal["negative", "drop"] = "negative",
    language: str = "en",
) -> Iterator[Example]:
    """UN QuadClass up to 2010 in `language` (en, ar, es): 1, 3 (conflict) -> 1; 2, 4 -> 0; 0 per
    `irrelevant`. Document and year come from the same row of the id file, whose labels must
    match the rows the project reads (the join check). A reserved row (a document from 2011 on)
    is skipped once its id is read: neither its text nor its label is read."""
    if irrelevant not in ("negative", "drop"):
        raise ValueError(f"irrelevant must be 'negative' or 'drop', not {irrelevant!r}")
    if language not in UNQUAD_TEXTS:
        raise ValueError(f"language must be one of {', '.join(UNQUAD_TEXTS)}, not {language!r}")
    text_path, id_path = paths[UNQUAD_TEXTS[language]], paths[UNQUAD_IDS]
    text_rows = _read_csv(text_path, "utf-8", (language, "QuadClass"), "\t")
    id_rows = _read_csv(id_path, "utf-8", ("id", "QuadClass"), "\t")
    where = f"{text_path} + {id_path}"
    if len(text_rows) != len(id_rows):
        raise DataError(f"{where}: cannot join: {len(text_rows)} rows vs {len(id_rows)} rows")
    source = "unquad" if language == "en" else f"unquad-{language}"
    examples = []  # the whole join is validated before anything is yielded
    rows = zip(text_rows, id_rows, strict=True)
    for n, ((line, row), (id_line, ids)) in enumerate(rows, start=1):
        doc_id = _UNQUAD_ID.fullmatch(ids["id"].strip())
        if doc_id is None:
            raise DataError(f"{id_path}:{id_line}: bad document id {ids['id']!r}")
        if int(doc_id.group(1)) >= UNQUAD_FIRST_RESERVED_YEAR:
            continue
        quad = row["QuadClass"].strip()
        if quad != ids["QuadClass"].strip():
            raise DataError(
                f"{where}: data row {n}: QuadClass differs "
                f"({quad!r} vs {ids['QuadClass'].strip()!r})"
            )
        if quad not in ("0", "1", "2", "3", "4"):
            raise DataError(f"{text_path}:{line}: bad QuadClass {quad!r}")
        if quad == "0" and irrelevant == "drop":
            continue
        text = collapse(row[language])
        if not text:
            raise DataError(f"{text_path}:{line}: blank text")
        group = doc_id.group().rsplit("/", 1)[0]
        examples.append(Example(text, int(quad in ("1", "3")), group, source))
    yield from examples


def is_project_row(text: str) -> bool:
    """True for the rows of a half-reserved corpus (Multi-CoPED train.tsv, the Arabic GSR) that
    are the project's: sha256(text.strip()) ends in one of `PROJECT_ROW_DIGITS`."""
    digest = hashlib.sha256(text.strip().encode("utf-8")).hexdigest()
    return digest[-1] in PROJECT_ROW_DIGITS


def multicoped_examples(paths: Mapping[str, Path]) -> Iterator[Example]:
    """Multi-CoPED dev half: 3, 4 (verbal, material conflict) -> 1; 0, 1, 2 -> 0.

    Reserved rows are skipped as soon as their text is split off: their label is never read.
    One group per distinct text.
    """
    path = paths[MULTICOPED_TRAIN]
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as utf-8: {exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != 2:
                raise DataError(f"{path}:{reader.line_num}: expected 2 fields, found {len(row)}")
            body, label = row
            if not is_project_row(body):
                continue
            if label.strip() not in ("0", "1", "2", "3", "4"):
                raise DataError(f"{path}:{reader.line_num}: bad label {label.strip()!r}")
            digest = hashlib.sha256(body.strip().encode("utf-8")).hexdigest()
            yield Example(
                collapse(body),
                int(label.strip() in MULTICOPED_ESCALATORY),
                f"multicoped/{digest[:16]}",
                "multicoped",
            )
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: malformed TSV: {exc}") from exc


def _merged_groups(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Group -> the least group it is joined to by a shared text: (text, group) pairs whose
    texts are equal put their groups together, transitively (union-find)."""
    parent: dict[str, str] = {}

    def root(g: str) -> str:
        while parent.setdefault(g, g) != g:
            g = parent[g]
        return g

    first: dict[str, str] = {}
    for text, group in pairs:
        a, b = root(first.setdefault(text, group)), root(group)
        parent[max(a, b)] = min(a, b)
    return {g: root(g) for g in parent}


def arabic_gsr_examples(
    paths: Mapping[str, Path], unclear: Literal["negative", "drop"] = "drop"
) -> Iterator[Example]:
    """Arabic event GSR, the project's half (sha256 of the text ends in an even hex digit):
    `yes` -> 1, `easy no` -> 0, `difficult no` and `ambiguous` per `unclear`.

    Reserved rows are skipped as soon as their text is read: their label is never read. Group =
    the newswire document (the id without its sentence number); documents sharing a sentence
    (both files, or an article filed twice) are one group. `topic` = the event type asked about.
    """
    if unclear not in ("negative", "drop"):
        raise ValueError(f"unclear must be 'negative' or 'drop', not {unclear!r}")
    rows: list[tuple[str, int, str, str]] = []  # text, label, document, event type
    for key, event in ARABIC_GSR_EVENTS.items():
        path = paths[key]
        for line, row in _read_csv(path, "utf-8", ("id", "label", "event_type", "text")):
            if not is_project_row(row["text"]):
                continue
            answer = row["label"].strip()
            if answer in ARABIC_GSR_LABELS:
                label = ARABIC_GSR_LABELS[answer]
            elif answer in ARABIC_GSR_UNCLEAR_LABELS:
                if unclear == "drop":
                    continue
                label = 0
            else:
                raise DataError(f"{path}:{line}: bad label {answer!r}")
            if row["event_type"].strip() != event:
                raise DataError(
                    f"{path}:{line}: event_type {row['event_type'].strip()!r}, expected {event!r}"
                )
            doc_id = _GSR_ID.fullmatch(row["id"].strip())
            text = collapse(row["text"])
            if doc_id is None or not text:
                raise DataError(f"{path}:{line}: bad id {row['id']!r} or blank text")
            rows.append((text, label, doc_id.group(1) or doc_id.group(2), event))
    groups = _merged_groups([(text, document) for text, _, document, _ in rows])
    for text, label, document, event in rows:
        weight = 1.0 if label else ARABIC_GSR_EASY_NO_WEIGHT
        yield Example(text, label, groups[document], "arabic-gsr", weight, topic=event)
