"""A part of the page."""
from .plots import png_base64


class Section:
    """One part of the page: heading, notes, figures, tables; rows for CSV/JSON."""

    def __init__(self, title, source, kind):
        self.title, self.source, self.kind = title, source, kind
        self.notes = []     # HTML snippets (already escaped)
        self.figures = []   # (alt, base64 png, caption)
        self.tables = []    # (caption, headers, rows of strings)
        self.data = {}      # csv name -> list of dicts

    def figure(self, fig, alt, caption):
        self.figures.append((alt, png_base64(fig), caption))
