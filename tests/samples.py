"""Texts several test modules share."""

from __future__ import annotations

PLAIN = "The army's commander threatened a pre-emptive strike against the rebels."
# What a reader cannot see or tell apart: each reads as PLAIN.
DISGUISED = {
    "zero-width space": PLAIN.replace("threat", "thr\u200beat").replace("strike", "st\u200brike"),
    "soft hyphen": PLAIN.replace("threatened", "threat\u00adened").replace(
        "rebels", "reb\u00adels"
    ),
    "word joiner and BOM": PLAIN.replace("army", "ar\u2060my").replace("strike", "\ufeffstrike"),
    "Cyrillic look-alikes": PLAIN.replace("pre-", "pr\u0435-").replace(
        "rebels", "r\u0435b\u0435ls"
    ),
    "look-alike words": PLAIN.replace("The army", "\u0422\u041d\u0415 army").replace(
        " a pre", " \u0430 pre"
    ),
    "Greek look-alikes": PLAIN.replace("army", "\u03b1rmy").replace("against", "\u03b1g\u03b1inst"),
    "variation selectors": PLAIN.replace("threatened", "thr\ufe0featened").replace(
        "rebels", "reb\U000e0100els"
    ),
    "grapheme joiner": PLAIN.replace("army", "ar\u034fmy").replace("strike", "str\u034fike"),
    "Hangul fillers for spaces": PLAIN.replace(" ", "\u3164"),
    "apostrophe look-alikes": PLAIN.replace("'", "\u00b4"),
    "minus sign for a hyphen": PLAIN.replace("-", "\u2212"),
    "capital I look-alikes": PLAIN.replace("strike", "STR\u0406KE").replace(
        "rebels", "rebe\u0406s"
    ),
    "lunate sigma": PLAIN.replace("commander", "\u03f2ommander"),
    "digits of other scripts for letters": PLAIN.replace("commander", "c\u0966mmander").replace(
        "rebels", "rebe\u06f1s"
    ),
    "format characters newer than the rules' Unicode": PLAIN.replace(
        "threatened", "threat\U0001343cened"
    ),
    "small capitals": PLAIN.replace(
        "threatened", "\u1d1b\u029c\u0280\u1d07\u1d00\u1d1b\u1d07\u0274\u1d07\u1d05"
    ).replace("rebels", "\u0280\u1d07\u0299\u1d07\u029f\ua731"),
    "parenthesized letters": PLAIN.replace("army", "\u249c\u24ad\u24a8\u24b4"),
    "negative circled and squared letters": PLAIN.replace(
        "army", "\U0001f150\U0001f161\U0001f15c\U0001f168"
    ).replace("rebels", "\U0001f181\U0001f174\U0001f171\U0001f174\U0001f17b\U0001f182"),
    "underlined letters": PLAIN.replace("threatened", "".join(c + "\u0332" for c in "threatened")),
    "Greek capital look-alikes": PLAIN.replace("The army", "TH\u0395 ARMY"),
    "Latin look-alikes": PLAIN.replace("rebels", "rebe\u01c0s").replace("army", "\u0251rmy"),
    "fullwidth": "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in PLAIN),
    "ligature": PLAIN.replace("the rebels", "the rebels \ufb01rst"),
}
