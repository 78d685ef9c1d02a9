"""A project's video: accepted from YouTube, Vimeo or a known PeerTube instance, embedded only
once the visitor asks for it (no request to the host before the click)."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{1,12}$")
_PEERTUBE_ID = re.compile(r"^[A-Za-z0-9-]{6,64}$")


@dataclass(frozen=True)
class Video:
    host: str  # as shown to the visitor
    embed_url: str
    watch_url: str


def parse(url: str) -> Video | None:
    """The video at `url`, or None when it is not one the page may embed."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
    path = [piece for piece in parts.path.split("/") if piece]
    video_id = None
    if host == "youtube.com":
        if path == ["watch"]:
            video_id = parse_qs(parts.query).get("v", [""])[0]
        elif len(path) == 2 and path[0] in ("embed", "shorts", "live"):
            video_id = path[1]
    elif host == "youtu.be" and len(path) == 1:
        video_id = path[0]
    if video_id is not None:
        if not _YOUTUBE_ID.match(video_id):
            return None
        return Video(
            "YouTube",
            f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1",
            f"https://www.youtube.com/watch?v={video_id}",
        )
    if host in ("vimeo.com", "player.vimeo.com"):
        candidate = path[-1] if path else ""
        if not _VIMEO_ID.match(candidate):
            return None
        return Video(
            "Vimeo",
            f"https://player.vimeo.com/video/{candidate}?autoplay=1",
            f"https://vimeo.com/{candidate}",
        )
    if host in settings.VIDEO_PEERTUBE_HOSTS:
        short = len(path) == 2 and path[0] == "w"
        long = len(path) == 3 and path[:2] in (["videos", "watch"], ["videos", "embed"])
        if not (short or long):
            return None
        candidate = path[-1]
        if not _PEERTUBE_ID.match(candidate):
            return None
        return Video(
            "PeerTube",
            f"https://{host}/videos/embed/{candidate}?autoplay=1",
            f"https://{host}/w/{candidate}",
        )
    return None
