"""The bundled dataset, its source text and its JSON Schema, shipped inside the package."""

import os


def read(name: str) -> bytes:
    """The bytes of a file shipped here, read through the package's own loader.

    This is what ``importlib.resources`` does underneath, without the imports that module
    costs every command at start-up (zipfile, tempfile, random); it works for
    a package installed in a folder or in a zip file alike.
    """
    spec = __spec__
    loader = spec.loader if spec is not None else None
    if __file__ is not None and loader is not None and hasattr(loader, "get_data"):
        data: bytes = loader.get_data(os.path.join(os.path.dirname(__file__), name))
        return data
    import sys
    from importlib import resources

    return resources.files(sys.modules[__name__]).joinpath(name).read_bytes()
