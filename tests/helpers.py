"""Constants and helpers several test modules share (fixtures stay in conftest.py)."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
from sklearn.pipeline import Pipeline

from model.eventfeatures import GAP
from model.events import EventPatterns
from model.types import ArticleScore
from training.fit.pipeline import (
    TrainConfig,
    build_pipeline,
    fit_platt,
    fold_block_weights,
    fold_platt,
)
from training.fit.train import ENGLISH_FEATURES, language_config

ESCALATORY = [
    "The government threatened military strikes unless the ultimatum is met.",
    "Troops were mobilised along the border as the threat of war grew.",
    "The minister accused the neighbour of aggression and vowed retaliation.",
    "New sanctions were imposed after the attack on the embassy.",
    "Armed forces launched a pre-emptive strike against the rebel positions.",
    "Leaders warned of a dangerous escalation and threatened force.",
    "The army shelled the town and the attack killed civilians.",
    "Officials condemned the invasion and demanded an immediate withdrawal.",
    "The regime rejected the demand and expelled the ambassador.",
    "Protesters clashed with police as the crisis escalated into violence.",
    "A missile strike hit the capital after weeks of threats.",
    "The president issued an ultimatum and ordered troops to mobilise.",
]
COOPERATIVE = [
    "The two countries signed a trade agreement and praised the talks.",
    "Ministers agreed to exchange prisoners and expand humanitarian aid.",
    "Both sides welcomed the ceasefire agreement and pledged cooperation.",
    "The envoy held consultations and called for dialogue and peace.",
    "The government announced aid for flood victims and thanked donors.",
    "Leaders met for talks and agreed to deepen economic cooperation.",
    "The agreement on trade was welcomed by both governments.",
    "Delegates praised the constructive dialogue and the peace process.",
    "The ministers signed a cooperation accord on health and education.",
    "Officials agreed to resume talks and exchange ambassadors.",
    "The donors pledged humanitarian aid and support for reconstruction.",
    "Both leaders welcomed the exchange of prisoners as a step to peace.",
]
# The same sentences in Arabic and in Spanish, for tiny models of those languages.
ARABIC_ESCALATORY = [
    "هددت الحكومة بشن ضربات عسكرية إذا لم يتم تنفيذ الإنذار.",
    "حشدت القوات على الحدود مع تصاعد خطر الحرب.",
    "اتهم الوزير الجار بالعدوان وتوعد بالانتقام.",
    "فرضت عقوبات جديدة بعد الهجوم على السفارة.",
    "شنت القوات المسلحة ضربة استباقية ضد مواقع المتمردين.",
    "حذر القادة من تصعيد خطير وهددوا باستخدام القوة.",
    "قصف الجيش المدينة وقتل الهجوم مدنيين.",
    "أدان المسؤولون الغزو وطالبوا بانسحاب فوري.",
    "رفض النظام المطلب وطرد السفير.",
    "اشتبك المتظاهرون مع الشرطة مع تصاعد الأزمة إلى العنف.",
    "أصاب صاروخ العاصمة بعد أسابيع من التهديدات.",
    "أصدر الرئيس إنذارا وأمر القوات بالتعبئة.",
]
ARABIC_COOPERATIVE = [
    "وقع البلدان اتفاقية تجارية وأشادا بالمحادثات.",
    "اتفق الوزراء على تبادل الأسرى وتوسيع المساعدات الإنسانية.",
    "رحب الجانبان باتفاق وقف إطلاق النار وتعهدا بالتعاون.",
    "أجرى المبعوث مشاورات ودعا إلى الحوار والسلام.",
    "أعلنت الحكومة عن مساعدات لضحايا الفيضانات وشكرت المانحين.",
    "التقى القادة لإجراء محادثات واتفقوا على تعميق التعاون الاقتصادي.",
    "رحبت الحكومتان بالاتفاق التجاري.",
    "أشاد المندوبون بالحوار البناء وعملية السلام.",
    "وقع الوزراء اتفاقية تعاون في مجالي الصحة والتعليم.",
    "اتفق المسؤولون على استئناف المحادثات وتبادل السفراء.",
    "تعهد المانحون بتقديم مساعدات إنسانية ودعم إعادة الإعمار.",
    "رحب الزعيمان بتبادل الأسرى كخطوة نحو السلام.",
]
SPANISH_ESCALATORY = [
    "El gobierno amenazó con ataques militares si no se cumple el ultimátum.",
    "Las tropas se movilizaron en la frontera ante la creciente amenaza de guerra.",
    "El ministro acusó al vecino de agresión y prometió represalias.",
    "Se impusieron nuevas sanciones tras el ataque contra la embajada.",
    "Las fuerzas armadas lanzaron un ataque preventivo contra las posiciones rebeldes.",
    "Los líderes advirtieron de una escalada peligrosa y amenazaron con la fuerza.",
    "El ejército bombardeó la ciudad y el ataque mató a civiles.",
    "Los funcionarios condenaron la invasión y exigieron una retirada inmediata.",
    "El régimen rechazó la exigencia y expulsó al embajador.",
    "Los manifestantes se enfrentaron a la policía y la crisis derivó en violencia.",
    "Un misil alcanzó la capital tras semanas de amenazas.",
    "El presidente lanzó un ultimátum y ordenó movilizar a las tropas.",
]
SPANISH_COOPERATIVE = [
    "Los dos países firmaron un acuerdo comercial y elogiaron las conversaciones.",
    "Los ministros acordaron intercambiar prisioneros y ampliar la ayuda humanitaria.",
    "Ambas partes celebraron el acuerdo de alto el fuego y prometieron cooperación.",
    "El enviado celebró consultas y pidió diálogo y paz.",
    "El gobierno anunció ayudas para las víctimas de las inundaciones y agradeció a los donantes.",
    "Los líderes se reunieron para dialogar y acordaron profundizar la cooperación económica.",
    "Ambos gobiernos celebraron el acuerdo comercial.",
    "Los delegados elogiaron el diálogo constructivo y el proceso de paz.",
    "Los ministros firmaron un acuerdo de cooperación en salud y educación.",
    "Los funcionarios acordaron reanudar las conversaciones e intercambiar embajadores.",
    "Los donantes prometieron ayuda humanitaria y apoyo a la reconstrucción.",
    "Ambos líderes celebraron el intercambio de prisioneros como un paso hacia la paz.",
]
# Each language's tiny training texts: (escalatory, cooperative).
TINY_TEXTS = {
    "en": (ESCALATORY, COOPERATIVE),
    "ar": (ARABIC_ESCALATORY, ARABIC_COOPERATIVE),
    "es": (SPANISH_ESCALATORY, SPANISH_COOPERATIVE),
}
DICTIONARY = """\
# A small verb dictionary in the CAMEO.2.0.txt format (tests/model/test_events.py reads each of
# its rules), with blocks for the tiny training texts below.
####### SYNONYM SETS #######

&CEASEFIRE
+TRUCE
+CEASEFIRE
+CEASE_FIRE

&ALLY_
+ALLY
+PARTNER

&WEAPON
+MISSILE
+NUCLEAR_BOMB

&TREATY
+AGREEMENT
+ACCORD

####### VERB PATTERNS #######

---  TALK   [040]  ---
TALK

---  COLLAPSE   [---]  ---
COLLAPSE
CRUMBLE
DISBAND [160]
- TALKS *                                  [164:164]     # COLLAPSE
- * (IN &DISPUTE)                          [160]         # undefined synset: dropped

---  DESTROY   [190]  ---
+WIPE_OUT
BREAK {BREAKS BREAKING BROKEN BROKE }
FLURB {FLARB FLURBEN}
- * RELATIONS                              [161]         # BREAK
- * TIES                                   [160]         # BREAK
- * {DIPLOMATIC RELATIONS}                 [1622]        # BREAK
- * (WITH &ALLY_)                          [130]         # BREAK
- * (IN BACK)                              [---]         # BREAK
- * &WEAPON                                [1712]        # DESTROY
- * (INTO COMPUTER)                        [176]         # not a CAMEO code here: dropped
- * &WEAPON                                [1712]        # duplicate: dropped

---  VIOLATE   [---]  ---
BREACH [128]
- * &CEASEFIRE                             [196]         # BREACH

---  ATTEND   [---]  ---
ATTEND [042:043]

---  THREATEN   [130]  ---
THREATEN
WARN
- * FORCE                                  [1383]        # THREATEN

---  ATTACK   [190]  ---
ATTACK
SHELL
FIRE [---]
- SHOTS *                                  [190]         # FIRE

---  MOBILIZE   [150]  ---
MOBILISE
MOBILIZE

---  SIGN   [057]  ---
SIGN
- * &TREATY                                [057]         # SIGN

---  AGREE   [030]  ---
AGREE
- * (TO EXCHANGE)                          [081]         # AGREE

~ a (a b BREAK) SAY = a b 130
"""

CODES_CSV = """\
"","eventtype_ID","name","code","goldstein","root_code"
"1",1,"Consult","040",1,"04"
"2",2,"Make a visit","042",1.9,"04"
"3",3,"Host a visit","043",2.8,"04"
"4",4,"Violate agreement","128",-5,"12"
"5",5,"Threaten","130",-4.4,"13"
"6",6,"Reduce relations","160",-4,"16"
"7",7,"Reduce or break diplomatic relations","161",-4,"16"
"8",8,"Reduce or stop military assistance","1622",-5.6,"16"
"9",9,"Halt negotiations","164",-7,"16"
"10",10,"Destroy property","1712",-9.2,"17"
"11",11,"Fight","190",-10,"19"
"12",12,"Violate ceasefire","196",-9.5,"19"
"13",13,"Express intent to cooperate","030",5.2,"03"
"14",14,"Sign formal agreement","057",8,"05"
"15",15,"Release persons or property","081",7,"08"
"16",16,"Threaten","1383",-7,"13"
"17",17,"Demonstrate military or police power","150",-7.2,"15"
"""


@cache
def tiny_patterns() -> EventPatterns:
    """The small verb dictionary compiled (the tiny English models' event block)."""
    return EventPatterns.compile(DICTIONARY, CODES_CSV)


# The tiny English models read events, scopes and function words as the product's English does,
# their event block unweighted: weighted 16 times, its features alone separate the few tiny
# sentences and every score saturates near 0 or 1 (`tiny_config(event_weight=...)` trains it).
TINY_CONFIG = replace(
    TrainConfig(min_df=1, C=4.0, folds=3), **{**ENGLISH_FEATURES, "event_weight": 1.0}
)


def tiny_config(language: str = "en", **changes: object) -> TrainConfig:
    """`TINY_CONFIG` for a language, as training configures it (`language_config`: other
    languages read no events, their rules are English)."""
    base = language_config(TINY_CONFIG, language)
    if language == "en":  # language_config applies ENGLISH_FEATURES, the product's weight too
        base = replace(base, event_weight=TINY_CONFIG.event_weight)
    return replace(base, **changes)  # type: ignore[arg-type]


# What the tiny artifacts record besides their pipelines (`model.artifact.save_release` stamps
# each language's feature rules).
TINY_MANIFEST = {
    "version": "tiny-1",
    "created_at": "2026-01-01T00:00:00+00:00",
    "levels": [
        {"name": "low", "min": 0.0},
        {"name": "elevated", "min": 0.25},
        {"name": "high", "min": 0.5},
        {"name": "severe", "min": 0.8},
    ],
    "metrics": {"cv": {}},
    "sources": [],
}


def fit_tiny(config: TrainConfig = TINY_CONFIG) -> Pipeline:
    """Fit the tiny pipeline of `config.language` on its texts (`TINY_TEXTS`), with its block
    weights and a Platt step folded in (as training does)."""
    escalatory, cooperative = TINY_TEXTS[config.language]
    texts = escalatory + cooperative
    labels = [1] * len(escalatory) + [0] * len(cooperative)
    pipeline = build_pipeline(config, tiny_patterns() if config.events else None)
    pipeline.fit(texts, labels)
    fold_block_weights(pipeline)
    fold_platt(pipeline, fit_platt(pipeline.decision_function(texts), np.array(labels)))
    return pipeline


def scored(result: ArticleScore) -> float:
    """The score of a text its model read (never None: only an unscored text has none)."""
    assert result.score is not None, result
    return result.score


def shared_data_dir() -> Path | None:
    """The real corpora mirror, when the environment names one."""
    value = os.environ.get("ESCALATION_DATA_DIR")
    return Path(value) if value else None


def write_csv(path: Path, rows: Sequence[tuple[str, object, str]]) -> Path:
    """A user training file with text, label and group columns."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "group"])
        writer.writerows(rows)
    return path


def event_phrase(text: str, spanned: Sequence[str]) -> bool:
    """Whether a phrase is an event's ("talks … collapsed"): one span per word it matched,
    rather than one span per occurrence of all its words."""
    words = text.replace(GAP, " ").split()
    return GAP in text or (len(words) > 1 and all(" " not in w for w in spanned))


def assert_event_spans(text: str, spanned: Sequence[str]) -> None:
    """An event phrase's spans read as its words, every word among them."""
    assert set(spanned) == set(text.replace(GAP, " ").split()), (spanned, text)
