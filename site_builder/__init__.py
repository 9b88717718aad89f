"""site_builder: YAML case files -> validated models -> pages of a MkDocs Material site.

The core (loading, validation, rendering, images) is plain Python; only
``site_builder.plugin`` imports MkDocs.
"""

__version__ = "0.1.0"
