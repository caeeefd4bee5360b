"""Make the sample content: original cover art and synthesised episode masters.

Run once by a developer (not by the pipeline or the tests):
    .venv/bin/python scripts/make_samples.py
Needs espeak-ng (Debian package) for the narration and ffmpeg. Real masters
and real artwork replace these files; nothing else depends on how they were made.
The levels are deliberately uneven so loudness normalisation has real work.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FONT_LIGHT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def cover(path: Path, size: int = 3000) -> None:
    img = Image.new("RGB", (size, size), (8, 14, 28))
    draw = ImageDraw.Draw(img)
    cx, cy = int(size * 0.72), int(size * 0.30)
    for i, r in enumerate(range(150, size * 2, 170)):  # radar rings
        shade = max(20, 90 - i * 4)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(0, shade, shade + 10), width=6)
    draw.pieslice((cx - 1300, cy - 1300, cx + 1300, cy + 1300), 200, 232, fill=(0, 70, 80))
    img = img.filter(ImageFilter.GaussianBlur(2))
    draw = ImageDraw.Draw(img)
    draw.rectangle((200, 1560, 2800, 1600), fill=(200, 30, 40))
    big = ImageFont.truetype(FONT, 520)
    draw.text((190, 1600), "CODE", font=big, fill=(245, 245, 245))
    draw.text((190, 2130), "SEVERE", font=big, fill=(245, 245, 245))
    small = ImageFont.truetype(FONT_LIGHT, 120)
    draw.text((210, 1380), "COUNTER TERRORISM POLICING", font=small, fill=(160, 200, 210))
    draw.text((210, 2740), "Untold stories of attacks prevented", font=small,
              fill=(160, 200, 210))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=82, optimize=True, progressive=False)


def run(*argv: str) -> None:
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def master(path: Path, script: list[tuple[str, str]], *, bed_db: float, voice_gain: float,
           channels: int, rate: int) -> None:
    """Narration (espeak-ng voices) over a low drone bed, encoded as FLAC."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, (voice, text) in enumerate(script):
            wav = Path(tmp) / f"{i}.wav"
            run("espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text)
            parts.append(wav)
        listing = Path(tmp) / "list.txt"
        listing.write_text("".join(f"file '{p}'\n" for p in parts))
        speech = Path(tmp) / "speech.wav"
        run("ffmpeg", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
            "-af", "apad=pad_dur=1", str(speech))
        layout = "mono" if channels == 1 else "stereo"
        graph = (
            f"[0:a]aresample={rate},volume={voice_gain}dB,aformat=channel_layouts={layout},"
            "adelay=1500:all=1[v];"
            f"[1:a]volume={bed_db}dB,aformat=channel_layouts={layout}[b];"
            "[v][b]amix=inputs=2:duration=first:normalize=0[m]"
        )
        run("ffmpeg", "-y", "-i", str(speech),
            "-f", "lavfi", "-i",
            "aevalsrc='0.3*sin(2*PI*55*t)*(0.6+0.4*sin(2*PI*0.1*t))"
            f"+0.2*sin(2*PI*82.5*t)':s={rate}",
            "-filter_complex", graph, "-map", "[m]", "-ar", str(rate),
            "-sample_fmt", "s16", "-compression_level", "12", str(path))


EPISODES = {
    "trailer": dict(bed_db=-30, voice_gain=-14, channels=1, rate=44100, script=[
        ("en-gb", "Code Severe. From Counter Terrorism Policing."),
        ("en-gb+m3", "Stories that have never been told, of attacks on British soil that "
                     "were stopped before they could happen."),
        ("en-gb+f3", "I had a feeling something was not right. So I made the call."),
        ("en-gb", "Code Severe. A two part series. Start with episode one."),
    ]),
    "multiple-bombings": dict(bed_db=-24, voice_gain=9, channels=2, rate=48000, script=[
        ("en-gb", "Code Severe. Episode one. Multiple Bombings."),
        ("en-gb+m3", "I was a Special Branch officer. We had a suspect, and we had very "
                     "little time to secure the evidence, right under his nose."),
        ("en-gb+f3", "I noticed the deliveries. Far too many chemicals for one flat. "
                     "I almost said nothing. Then I acted on my instincts."),
        ("en-gb+m3", "Her call helped us find the ingredients for a very large bomb."),
        ("en-gb", "If you see something that does not feel right, report it in "
                  "confidence at gov dot uk slash A C T, or call 0800 789 321."),
    ]),
    "under-surveillance": dict(bed_db=-36, voice_gain=-20, channels=2, rate=44100, script=[
        ("en-gb", "Code Severe. Episode two. Under Surveillance."),
        ("en-gb+m3", "Bomb disposal is slow, careful work. Every wire tells you something."),
        ("en-gb+f3", "Surveillance means waiting, for days, for the one moment that matters."),
        ("en-gb", "Action Counters Terrorism. Report suspicious activity at gov dot uk "
                  "slash A C T, or call 0800 789 321."),
    ]),
}


def main() -> None:
    cover(ROOT / "artwork" / "cover.jpg")
    for slug, spec in EPISODES.items():
        master(ROOT / "episodes" / slug / "master.flac", spec.pop("script"), **spec)
    for p in sorted(ROOT.glob("episodes/*/master.flac")) + [ROOT / "artwork" / "cover.jpg"]:
        print(f"{p.relative_to(ROOT)}: {p.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    sys.exit(main())
