"""Coverage-guided fuzzing of the multipart/form-data parser with atheris.

The input is split into a boundary choice, a chunking and the body, so the fuzzer
explores the streaming state machine (splits across delimiters) as well as the body.
Anything but a value or a 4xx ``HTTPException`` is a crash. See ``fuzz/README.md``.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from vial.exceptions import HTTPException
    from vial.formparser import MULTIPART, FormDataParser

BOUNDARIES = ["b", "boundary", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a'()+_,-./:=?"]


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    boundary = BOUNDARIES[fdp.ConsumeIntInRange(0, len(BOUNDARIES) - 1)]
    chunk_size = fdp.ConsumeIntInRange(1, 512)
    with_length = fdp.ConsumeBool()
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    parser = FormDataParser(
        MULTIPART,
        {"boundary": boundary},
        content_length=len(body) if with_length else None,
        max_form_memory_size=2048,
        max_form_parts=20,
        spool_threshold=256,
    )
    try:
        for start in range(0, len(body), chunk_size):
            parser.feed(body[start : start + chunk_size])
        form, files = parser.finish()
        for storage in files.values():
            storage.read()
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in form.items(multi=True))
    except HTTPException as error:
        if error.code is None or error.code >= 500:
            raise
    finally:
        parser.close()


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
