"""Data structures for HTTP: multi-dicts, headers, uploaded files.

The names are Werkzeug's, so ``from werkzeug.datastructures import MultiDict``
becomes ``from vial.datastructures import MultiDict``.
"""

from __future__ import annotations

from .file_storage import FileStorage as FileStorage
from .headers import EnvironHeaders as EnvironHeaders
from .headers import Headers as Headers
from .headers import HeaderSet as HeaderSet
from .multidict import CombinedMultiDict as CombinedMultiDict
from .multidict import ImmutableDict as ImmutableDict
from .multidict import ImmutableList as ImmutableList
from .multidict import ImmutableMultiDict as ImmutableMultiDict
from .multidict import ImmutableTypeConversionDict as ImmutableTypeConversionDict
from .multidict import MultiDict as MultiDict
from .multidict import TypeConversionDict as TypeConversionDict
from .multidict import iter_multi_items as iter_multi_items

# --- header structures ---
