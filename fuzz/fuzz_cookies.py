"""Coverage-guided fuzzing of the Cookie parser and Set-Cookie writer with atheris.

``parse_cookie`` must take any header (str or bytes) without an exception and never
return a nameless cookie; ``dump_cookie`` must either refuse a key with ``ValueError``
or produce one header line whose value parses back unchanged. See ``fuzz/README.md``.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from vial._http_cookie import dump_cookie, parse_cookie


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    if mode == 0:
        cookies = parse_cookie(fdp.ConsumeBytes(fdp.remaining_bytes()))
        assert "" not in cookies
    elif mode == 1:
        cookies = parse_cookie(fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes()))
        assert "" not in cookies
    else:
        key = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 20))
        value = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())
        try:
            header = dump_cookie(key, value)
        except ValueError:
            return
        assert not any(c in header for c in "\r\n\x00")
        parsed = parse_cookie(header.partition(";")[0])
        assert parsed.get(key) == value, (key, value, header)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
