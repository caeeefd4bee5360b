"""The settings tables of podcast.toml besides [show]: [audio], [publish], [transcripts].

Each setting is declared once, as a field with ``schema.setting``: its type
(the converter), help text and default. ``Show`` (``config``) holds one of
each; an episode's ``audio:`` overrides a few of [audio]'s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from podcast.show import schema as s
from podcast.show.schema import Invalid
from podcast.show.fields import analytics_prefix, audio_file, dehum, tuple_of

ALTERNATE_FORMATS = ("opus", "aac")
SHORTEST_PAUSE = 0.3  # seconds: a max_pause under this would cut the gaps between words


@s.described("seconds, 0 (off) or 0.3 to 60")
def pause_length(value) -> float:
    seconds = s.number(0, 60)(value)
    if 0 < seconds < SHORTEST_PAUSE:
        raise s.Invalid(f"{seconds:g} s is shorter than the gaps between words",
                        f"Write 0 (off) or at least {SHORTEST_PAUSE:g}; 1.5 suits a "
                        "conversation")
    return seconds


@dataclass(frozen=True)
class AudioSettings:
    """``[audio]``: the loudness targets and the encoding."""

    loudness: float = s.setting(s.number(-36, -9), "integrated loudness target, LUFS", -16.0)
    true_peak: float = s.setting(s.number(-9, 0), "true-peak ceiling on the decoded MP3, dBTP",
                                 -1.0)
    bitrate: int = s.setting(s.integer(64, 320), "CBR kbps for stereo", 128)
    mono_bitrate: int = s.setting(s.integer(32, 192), "CBR kbps for mono", 64)
    tolerance: float = s.setting(s.number(0.1, 1.0), "allowed loudness error, LU", 0.5)
    # The speech chain (audio/chain.py). Defaults are what a speech podcast needs.
    leveler: bool = s.setting(s.boolean, "level speakers and passages to each other "
                              "(gated dynaudnorm); false: one linear gain", True)
    highpass: int = s.setting(s.integer(0, 300), "rumble high-pass, Hz; 0: off", 80)
    dehum: str | int = s.setting(dehum, '"auto" (notch the hum measured), "off", 50 or 60',
                                 "auto")
    denoise: str = s.setting(s.choice("off", "light", "strong"), '"light" (afftdn set from '
                             'the measured noise floor), "strong" (DeepFilterNet3, the '
                             'denoise extra) or "off"', "light")
    intro: str | None = s.setting(audio_file, "audio played before every episode, relative "
                                  "to the show's folder (loudness-matched, crossfaded)")
    outro: str | None = s.setting(audio_file, "audio played after every episode")
    # The automatic cutter (audio/cutting.py): what it finds goes to episodes/<slug>/cuts.json.
    max_pause: float = s.setting(pause_length, "seconds: longer pauses are shortened to this "
                                 "(cuts.json); 0: off", 0.0)
    cut_fillers: bool = s.setting(s.boolean, 'remove "um", "uh", "er", "erm", "ah" and "hmm", '
                                  "found in Whisper's word timestamps (cuts.json; the "
                                  "transcribe extra)", False)
    # Multitrack episodes (`tracks:` in episode.md): music beds under the speech.
    duck: float = s.setting(s.number(0, 40), "dB a music track is lowered by while "
                            "someone speaks (tracks: with music: true)", 12.0)
    # Not part of the MP3's audio hash (cache.MP3_NEUTRAL): adding one never re-encodes it.
    alternates: tuple[str, ...] = s.setting(
        tuple_of(s.choice(*ALTERNATE_FORMATS), unique=True),
        "podcast:alternateEnclosure formats beside the MP3: opus, aac", ())


# What an episode's `audio:` may override (the speech chain, the stings, the cutter,
# the ducking).
EPISODE_OVERRIDABLE = ("leveler", "highpass", "dehum", "denoise", "intro", "outro", "max_pause",
                       "cut_fillers", "duck")


@s.described("false, or the path of an audio file")
def sting_override(value: Any) -> str | bool:
    """An episode's intro/outro: ``false`` (none for this episode) or a file path
    relative to the show's folder."""
    if value is False:
        return False
    if value is True:
        raise Invalid("true is not a file", "Write false (no intro) or a path such as "
                      "audio/intro.wav; leave it out to use the show's")
    return audio_file(value)


# `audio:` in episode.md: the [audio] settings an episode may override, as [audio]
# declares them; left out, the show's value holds.
AUDIO_OVERRIDES = [
    replace(o, default=None, convert=sting_override, doc="false (none for this episode), or "
            "an audio file in the show's folder") if o.name in ("intro", "outro")
    else replace(o, default=None)
    for o in s.options_of(AudioSettings) if o.name in EPISODE_OVERRIDABLE]


@dataclass(frozen=True)
class PublishSettings:
    """``[publish]``: where the show is uploaded (credentials never live here)."""

    bucket: str | None = s.setting(s.text, "bucket name; empty: a local SeaweedFS server")
    prefix: str = s.setting(s.described("text")(lambda v: s.text(v).strip("/")),
                            "key prefix inside the bucket", "")
    endpoint_url: str | None = s.setting(s.url(https=False),
                                         "S3 endpoint; empty: AWS or AWS_ENDPOINT_URL_S3")
    region: str = s.setting(s.text, "region (R2: auto)", "us-east-1")
    public_url: str | None = s.setting(s.url(https=False),
                                       "where listeners fetch the bucket; default: show url")
    addressing_style: str = s.setting(s.choice("auto", "path", "virtual"),
                                      "path-style is used for custom endpoints under auto",
                                      "auto")
    checksum: str = s.setting(s.choice("auto", "when_required", "when_supported"),
                              "request checksums; auto: when_required for non-AWS endpoints",
                              "auto")
    max_deletes: int = s.setting(s.integer(0), "cap on deletes with --prune", 25)
    pretty_urls: bool = s.setting(
        s.boolean, "page links end in the folder (episodes/x/) rather than index.html: "
        "only for a host that serves index documents (S3 website endpoint, CDN rule)", False)
    websub_hubs: tuple[str, ...] = s.setting(
        tuple_of(s.url(https=False)),
        "WebSub hubs: listed in the feed, pinged after each publish", ())
    analytics_prefix: str | None = s.setting(
        analytics_prefix, "a redirecting prefix for enclosure URLs: op3, "
        "podtrac or a URL ending in /")
    podcastindex_notify: bool = s.setting(
        s.boolean, "tell Podcast Index (pubnotify) when a public https feed changed", True)
    podping_url: str | None = s.setting(
        s.url(), "a Podping gateway (https://podping.cloud/); its token comes from "
        "PODPING_TOKEN, so the address must be https (http only on this machine)")


@dataclass(frozen=True)
class TranscriptSettings:
    """``[transcripts]``: automatic transcripts (``podcast transcribe``)."""

    auto: bool = s.setting(s.boolean, "build transcribes episodes that have no transcript",
                           False)
    model: str = s.setting(s.text, "Whisper model: base, tiny.en, a size name fetched where "
                           "a network allows, or a local model folder", "base")
    vocabulary: str | None = s.setting(s.text, "a prompt for Whisper: names it keeps misspelling, "
                                       "spelt right (none by default: prompts can add errors)")
