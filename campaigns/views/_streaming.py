"""Full listings streamed: rows are written as they are read, so that a listing of any length
takes the same memory (the queryset is read in chunks, see opendata.rows and report)."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.middleware.gzip import GZipMiddleware

# So that spreadsheet software reads the accents right.
BOM = "\ufeff"
# Rows are sent in pieces of about this many characters: the gzip middleware flushes its
# stream after each piece it is given, and a flush per row would cost more CPU than the row
# and compress it badly.
PIECE = 32 * 1024


def in_pieces(parts: Iterable[str], size: int = PIECE) -> Iterator[str]:
    """The parts joined into pieces of at least `size` characters (the last may be shorter)."""
    pending: list[str] = []
    length = 0
    for part in parts:
        pending.append(part)
        length += len(part)
        if length >= size:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def csv_response(header: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        in_pieces(csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def gzipped(request, response):
    """The response compressed when the client accepts it (what @gzip_page does, for one branch
    of a view): only for responses that carry no secret (BREACH)."""
    return GZipMiddleware(lambda _request: response).process_response(request, response)
