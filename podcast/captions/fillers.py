"""Filler words ("um", "uh", "er", "erm", "ah", "hmm"): what they look like in text, and
taking one out of a caption's text when the automatic cutter took it out of the audio.

The cutter (audio/cutfind.py) finds fillers among recognised words with
``is_filler``; the published transcript loses the word of every filler cut
(``without``), so the captions say what the MP3 says.
"""

from __future__ import annotations

import re

# um umm uh uhm er erm ah hmm hm, in any case, with any punctuation around them
FILLER = re.compile(r"^(?:u+m+|u+h+m*|e+r+m*|a+h+|h+m+)$")
SENTENCE_END = ".?!…"


def bare(text: str) -> str:
    """A word's letters, lower case: how two spellings of a word are compared."""
    return re.sub(r"[^a-z]", "", text.lower())


def is_filler(text: str) -> bool:
    return bool(FILLER.match(bare(text)))


def without(text: str, word: str, position: float) -> str:
    """``text`` without one occurrence of the filler ``word`` (the one nearest the
    ``position``, 0..1, along the text; any filler when that word is not there),
    punctuation and capitals mended: "So, um, I saw" -> "So, I saw"; "Um, so I" ->
    "So I"; "and, uh." -> "and." Unchanged when there is none."""
    lines = [line.split() for line in text.split("\n")]
    flat = [(i, j) for i, line in enumerate(lines) for j in range(len(line))]
    tokens = [lines[i][j] for i, j in flat]
    found = [k for k, t in enumerate(tokens) if bare(t) == bare(word)] or \
        [k for k, t in enumerate(tokens) if is_filler(t)]
    if not found:
        return text
    k = min(found, key=lambda n: abs((n + 0.5) / len(tokens) - position))
    removed = tokens[k]
    end = removed.rstrip()[-1:] if removed.rstrip()[-1:] in SENTENCE_END else ""
    if end and k > 0:  # "and, uh." -> "and."
        i, j = flat[k - 1]
        lines[i][j] = lines[i][j].rstrip(",;:") + end
    starts_sentence = k == 0 or tokens[k - 1][-1:] in SENTENCE_END
    if starts_sentence and k + 1 < len(tokens):  # "Um, so I" -> "So I"
        i, j = flat[k + 1]
        lines[i][j] = lines[i][j][:1].upper() + lines[i][j][1:]
    i, j = flat[k]
    del lines[i][j]
    return "\n".join(" ".join(line) for line in lines if line)
