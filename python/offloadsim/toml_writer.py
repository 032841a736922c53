"""A small dict -> TOML emitter for the scenario schema's subset: tables,
arrays of tables, inline tables, strings, numbers, bools and arrays
(Python 3.11 reads TOML with tomllib but cannot write it)."""
import math
import numbers
import re

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k):
    k = str(k)
    return k if _BARE.match(k) else _string(k)


def _string(s):
    out = []
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def value(v):
    """One TOML value (inline form) for a Python value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        f = float(v)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        text = repr(f)
        return text if any(c in text for c in ".e") else text + ".0"
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {value(x)}" for k, x in v.items()) + " }" if v else "{}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} {v!r} as TOML")


def _is_table_array(v):
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, dict) for x in v)


def _body(table):
    return "".join(f"{_key(k)} = {value(v)}\n" for k, v in table.items())


def dumps(data):
    """TOML text for `data`: top-level dicts become [tables], lists of dicts
    [[arrays of tables]], deeper dicts inline tables."""
    plain = {k: v for k, v in data.items() if not isinstance(v, dict) and not _is_table_array(v)}
    parts = [_body(plain)] if plain else []
    for k, v in data.items():
        if isinstance(v, dict):
            parts.append(f"[{_key(k)}]\n" + _body(v))
        elif _is_table_array(v):
            parts.extend(f"[[{_key(k)}]]\n" + _body(item) for item in v)
    return "\n".join(parts)
