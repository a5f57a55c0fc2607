"""The words the data, the commands and shell completion share: kinds, types, styles, formats.

Defined once here, standard library only, so that completion (answered before Typer is
imported) offers exactly what the commands accept.
"""

ACTOR_KINDS = ("person", "organization", "state", "media")
QUOTE_KINDS = ("direct", "fragment", "phrase")
CLAIM_KINDS = ("reported", "figure", "allegation", "assessment", "forecast")
CLAIM_STATUSES = ("disputed", "unconfirmed", "confirmed", "retracted")
SOURCE_STORED = ("full", "excerpts")  # a source's whole text, or only excerpts of it
SOURCE_CHANNELS = ("article", "speaker", "agency", "news", "reprint")
SEARCH_TYPES = ("quote", "claim", "event", "actor")  # what `search --type` takes, in ranking order
EXPORT_TYPES = ("source", "actor", "quote", "claim", "event")  # what `export --type` takes, in table order
EXPORT_FORMATS = ("csv", "jsonl", "json", "sqlite", "markdown", "annotations")
CITATION_STYLES = ("plain", "markdown", "apa", "mla", "chicago", "bibtex")
RENDERING_CHOICES = ("earliest", "own")  # besides a quote id, for `cite --rendering`
COLORS = ("auto", "always", "never")
SHELLS = ("bash", "zsh", "fish")
