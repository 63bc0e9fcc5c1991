"""A :class:`~vial.datastructures.MultiDict` of files, to build uploads (in tests, say)."""

from __future__ import annotations

import os
import typing as t

from .file_storage import FileStorage
from .multidict import MultiDict


class FileMultiDict(MultiDict[str, FileStorage]):
    """A :class:`MultiDict` whose values are :class:`FileStorage` objects.

    :meth:`add_file` wraps a file or a path; pass the dict as a test client's
    ``data=`` to upload its files as ``multipart/form-data``::

        files = FileMultiDict()
        files.add_file("avatar", "tests/me.png")
        files.add_file("notes", io.BytesIO(b"hi"), "notes.txt")
        client.post("/upload", data=files)
    """

    def add_file(
        self,
        name: str,
        file: FileStorage | t.IO[bytes] | str | os.PathLike[str],
        filename: str | None = None,
        content_type: str | None = None,
    ) -> None:
        """Add a file under the field ``name``.

        :param name: the form field.
        :param file: a :class:`FileStorage` (added as it is), a binary file
            object, or a path (opened for reading; the path is the filename
            unless one is given).
        :param filename: the filename the upload carries.
        :param content_type: its type; guessed from ``filename`` when missing.
        """
        if isinstance(file, FileStorage):
            self.add(name, file)
            return
        stream: t.IO[bytes]
        if isinstance(file, (str, os.PathLike)):
            if filename is None:
                filename = os.fspath(file)
            stream = open(file, "rb")  # noqa: SIM115 - the FileStorage owns it
        else:
            stream = t.cast("t.IO[bytes]", file)
        if filename and content_type is None:
            import mimetypes

            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self.add(name, FileStorage(stream, filename, name, content_type))
