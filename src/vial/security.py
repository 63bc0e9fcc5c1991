"""Password hashing and safe path joining.

Hashes are stored as ``method$salt$hash`` strings in Werkzeug's format, so
hashes made by a Flask app check in vial and the other way round.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import posixpath
import re
import secrets
import string

__all__ = ["check_password_hash", "gen_salt", "generate_password_hash", "safe_join"]

SALT_CHARS = string.ascii_letters + string.digits

DEFAULT_PBKDF2_ITERATIONS = 1_000_000  # Werkzeug 3.1's default
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1
_SCRYPT_MAXMEM = 2**30  # 1 GiB; the default parameters need 32 MiB

_drive_re = re.compile(r"[A-Za-z]:")

# Names Windows opens as devices whatever the directory or extension ("NUL.txt",
# "aux .log"): reading "CON" waits on the console, so they are refused on Windows.
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in "123456789\u00b9\u00b2\u00b3"]
)


_device_stem_re = re.compile("[.:]")  # "NUL.txt" and "NUL:stream" open the device


def _is_windows_device(path: str) -> bool:
    """Whether a segment of ``path`` names a Windows device (``CON``, ``com1.txt``,
    ``NUL:stream``, ...)."""
    return any(
        _device_stem_re.split(segment, 1)[0].strip(" ").upper() in _WINDOWS_DEVICES
        for segment in path.split("/")
    )


def gen_salt(length: int) -> str:
    """A random string of ``length`` ASCII letters and digits, from :mod:`secrets`.

    :raises ValueError: ``length`` is less than 1.
    """
    if length <= 0:
        raise ValueError("Salt length must be at least 1.")
    return "".join(secrets.choice(SALT_CHARS) for _ in range(length))


def _hash_internal(method: str, salt: str, password: str | bytes) -> tuple[str, str]:
    """Hash ``password``; return the hex digest and the full method string.

    :raises ValueError: unknown method or bad parameters.
    """
    name, *args = method.split(":")
    salt_b = salt.encode()
    pw_b = password.encode() if isinstance(password, str) else password
    if name == "scrypt":
        if not args:
            n, r, p = _SCRYPT_N, _SCRYPT_R, _SCRYPT_P
        elif len(args) == 3:
            n, r, p = (int(a) for a in args)
        else:
            raise ValueError("scrypt takes 'scrypt' or 'scrypt:n:r:p'.")
        # OpenSSL needs 128 * r * (n + p + 2) bytes; refuse absurd parameters
        # (for example from a corrupted stored hash) instead of allocating them.
        needed = 128 * r * (n + p + 2)
        if n < 2 or r < 1 or p < 1 or needed > _SCRYPT_MAXMEM:
            raise ValueError("scrypt parameters out of range.")
        maxmem = needed + 2**16
        digest = hashlib.scrypt(pw_b, salt=salt_b, n=n, r=r, p=p, maxmem=maxmem)
        return digest.hex(), f"scrypt:{n}:{r}:{p}"
    if name == "pbkdf2":
        if not args:
            hash_name, iterations = "sha256", DEFAULT_PBKDF2_ITERATIONS
        elif len(args) == 1:
            hash_name, iterations = args[0], DEFAULT_PBKDF2_ITERATIONS
        elif len(args) == 2:
            hash_name, iterations = args[0], int(args[1])
        else:
            raise ValueError("pbkdf2 takes 'pbkdf2', 'pbkdf2:hash' or 'pbkdf2:hash:iterations'.")
        if iterations < 1:
            raise ValueError("pbkdf2 needs at least one iteration.")
        digest = hashlib.pbkdf2_hmac(hash_name, pw_b, salt_b, iterations)
        return digest.hex(), f"pbkdf2:{hash_name}:{iterations}"
    raise ValueError(f"Invalid hash method {name!r}.")


def generate_password_hash(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
    """Hash ``password`` with a random salt, for storing; check it with :func:`check_password_hash`.

    The result looks like ``scrypt:32768:8:1$<salt>$<hex digest>``.

    :param password: the plain-text password.
    :param method: ``"scrypt"`` or ``"scrypt:n:r:p"`` (default n=2**15, r=8,
        p=1); ``"pbkdf2"``, ``"pbkdf2:<hash>"`` or ``"pbkdf2:<hash>:<iterations>"``
        (default ``sha256`` and 1,000,000 iterations, as in Werkzeug 3.1).
    :param salt_length: characters of salt.
    :raises ValueError: unknown method or bad parameters.
    """
    salt = gen_salt(salt_length)
    digest, actual_method = _hash_internal(method, salt, password)
    return f"{actual_method}${salt}${digest}"


def check_password_hash(pwhash: str, password: str) -> bool:
    """Whether ``password`` matches a hash from :func:`generate_password_hash`.

    The comparison takes constant time. A malformed or unsupported hash gives
    ``False``; this function never raises for bad input.

    :param pwhash: the stored hash.
    :param password: the plain-text password to check.
    """
    try:
        method, salt, expected = pwhash.split("$", 2)
        digest, _ = _hash_internal(method, salt, password)
        return hmac.compare_digest(digest.encode(), expected.encode("utf-8", "replace"))
    except (ValueError, TypeError, OverflowError, AttributeError, MemoryError):
        return False


def safe_join(directory: str, *pathnames: str) -> str | None:
    """Join ``pathnames`` onto ``directory``, or ``None`` if the result could leave it.

    Each pathname is refused (``None``) if, after normalising, it is absolute,
    climbs out with ``..``, starts with ``//``, or contains a backslash, a NUL
    or a Windows drive letter — on every OS, so the answer does not depend on
    where the app runs. On Windows a Windows device name (``CON``, ``NUL.txt``,
    ``com1``) in any segment is refused too::

        >>> safe_join("static", "css/site.css")
        'static/css/site.css'
        >>> safe_join("static", "../app.py") is None
        True

    :param directory: the trusted base directory (``"."`` when empty).
    :param pathnames: untrusted path parts, joined with ``/``.
    """
    if not directory:
        directory = "."
    parts = [directory]
    for name in pathnames:
        if "\\" in name or "\0" in name or name.startswith("/") or _drive_re.match(name):
            return None
        if name:
            name = posixpath.normpath(name)
        if name == ".." or name.startswith("../") or os.path.isabs(name):
            return None
        if os.name == "nt" and _is_windows_device(name):
            return None
        parts.append(name)
    return posixpath.join(*parts)


def _safe_file_path(directory: str, path: str) -> str | None:
    """The path of the regular file ``path`` inside ``directory``, or ``None``.

    ``None`` when :func:`safe_join` refuses ``path``, when no such file exists,
    or when a symlink leads out of ``directory``.
    """
    joined = safe_join(directory, path)
    if joined is None:
        return None
    real_directory = os.path.realpath(directory)
    real_path = os.path.realpath(joined)
    if os.path.commonpath((real_directory, real_path)) != real_directory:
        return None  # a symlink pointing out of the folder
    if not os.path.isfile(joined):
        return None
    return joined
