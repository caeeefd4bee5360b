"""schema.org JSON-LD of the pages: ``PodcastSeries`` and ``PodcastEpisode``.

Built from the template-ready views of ``context`` (``ShowView``,
``EpisodeView``), which it reads by attribute and does not import.
"""

from __future__ import annotations

from podcast.site.env import iso_duration


def _series_ld(show) -> dict:
    return {"@type": "PodcastSeries", "@id": show.url, "name": show.title, "url": show.url,
            "webFeed": show.feed_url}


def episode_ld(show, ep) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "@id": ep.url,
        "url": ep.url,
        "name": ep.title,
        "datePublished": ep.date.isoformat(),
        "description": ep.summary,
        "inLanguage": show.language,
        "image": ep.image.url,
        "timeRequired": iso_duration(ep.duration),
        "associatedMedia": {"@type": "MediaObject", "contentUrl": ep.audio_url,
                            "encodingFormat": "audio/mpeg",
                            "contentSize": str(ep.audio_size),
                            "duration": iso_duration(ep.duration)},
        "partOfSeries": _series_ld(show),
    }
    if ep.number is not None:
        data["episodeNumber"] = ep.number
    if ep.season is not None:
        data["partOfSeason"] = {"@type": "PodcastSeason", "seasonNumber": ep.season,
                                "partOfSeries": _series_ld(show)}
    return data


def show_ld(show) -> dict:
    return {"@context": "https://schema.org", **_series_ld(show),
            "description": show.summary, "image": show.image.url,
            "inLanguage": show.language,
            "author": {"@type": "Organization", "name": show.author},
            "copyrightNotice": show.copyright}
