#!/usr/bin/env python3
"""Writes golden.json: Python's own repr and Neon wire body for many values.

Each entry is {"name", "repr", "b64"} where repr is repr(value) and b64 is
neon_mq_connector's dict_to_b64(value):
base64.b64encode(json.dumps(str(value)).encode('utf-8')).

The Go tests check that ParseLiteral(repr) re-prints as repr and encodes to
b64 byte for byte. Run from anywhere: python3 gen_golden.py [OUTPUT]
(default: golden.json next to this script). Standard library only.

The output depends only on the Unicode version of the Python that runs it
(recorded in the "unicode_version" entry): code points are sampled only
where that version assigns them, and sets hold ints, whose order is fixed.
Run it with CPython 3.10 (or 3.9: Unicode 13.0.0), whose str.isprintable the
Go repr follows; another version's reprs of newer characters differ.
"""

import base64
import json
import os
import sys
import unicodedata

MESSAGE_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
REPLY_QUEUE = "f0e1d2c3b4a5968778695a4b3c2d1e0f"


def dict_to_b64(data):
    return base64.b64encode(json.dumps(str(data)).encode("utf-8")).decode("ascii")


def neon_cases():
    yield "api_request", {"service": "api_test_endpoint", "routing_key": REPLY_QUEUE, "message_id": MESSAGE_ID}
    yield "api_reply", {"status_code": 200, "content": "Success", "encoding": None, "message_id": MESSAGE_ID}
    yield "api_error_reply", {"status_code": 401, "content": "Unresolved service name: x", "encoding": "utf-8", "message_id": MESSAGE_ID}
    yield "api_bytes_reply", {"status_code": 200, "content": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "encoding": None, "message_id": MESSAGE_ID}
    yield "llm_request", {
        "query": "hi",
        "history": [("user", "hello"), ("llm", "hey"), ("user", "what's up?")],
        "persona": {"name": "Neon", "description": 'a "helpful" assistant', "enabled": True},
        "routing_key": REPLY_QUEUE,
        "message_id": MESSAGE_ID,
    }
    yield "users_reply", {"success": False, "error": "User does not exist", "code": 404, "message_id": MESSAGE_ID}
    yield "context_mq", {"context": {"mq": {"message_id": MESSAGE_ID, "routing_key": REPLY_QUEUE}, "session": None}, "data": {"utterances": ["hello"], "lang": "en-us"}}


def container_cases():
    yield "empty_containers", {"dict": {}, "list": [], "tuple": (), "set": set(), "frozenset": frozenset()}
    yield "tuples", {"one": (1,), "one_str": ("x",), "nested_one": ((1,),), "pair": (1, 2), "deep": (1, (2, (3, ()))), "mixed": ("a", 1, 2.5, None, True, b"b")}
    yield "sets", {"ints": {3, 1, 2}, "one_str": {"only"}, "tuple_elem": {(1, 2)}, "frozen_elem": {frozenset({1})}}
    yield "frozensets", {"ints": frozenset({1, 2}), "one": frozenset({"a"}), "nested": frozenset({frozenset({1}), 2})}
    yield "non_str_keys", {1: "int", 2.5: "float", None: "none", (1, 2): "tuple", b"k": "bytes", frozenset({1}): "frozenset", -3: "negative", 10**30: "big", False: "bool"}
    yield "collapsed_keys", {1: "a", 1.0: "b", True: "c", 0: "d", -0.0: "e"}
    yield "nested_lists", [[[[[[["deep"]]]]]], [], [[]], [{}], [{"a": [1, {"b": (2,)}]}]]
    deep = "bottom"
    for i in range(60):
        deep = [deep] if i % 3 == 0 else ({"k": deep} if i % 3 == 1 else (deep,))
    yield "deep_nesting", {"deep": deep}
    yield "scalars_top_level_list", [None, True, False, 0, -1, 1.5, "s", b"b"]
    yield "top_level_int", 42
    yield "top_level_tuple", (1, "two")
    yield "top_level_str", "a str is sent as itself: str(s) is not repr(s)"
    yield "top_level_str_json_escapes", "".join(chr(i) for i in range(32)) + "\"\\/\x7f é😀\u2028{'a': 1}"


def escape_cases():
    yield "ascii_controls", {"c": "".join(chr(i) for i in range(32)) + "\x7f"}
    yield "common_escapes", {"a\nb": "tab\there\r\nline", "bell": "\a\b\f\v\0"}
    yield "backslashes", {"path": "C:\\Users\\neon\\file.txt", "one": "\\", "end": "ends with \\"}
    yield "only_single_quote", {"q": "it's"}
    yield "only_double_quote", {"q": 'say "hi"'}
    yield "both_quotes", {"q": "both ' and \""}
    yield "quote_keys", {"it's": 'say "x"', '"': "'"}
    yield "json_specials", {"slash": "a/b", "del": "\x7f", "quote": '"', "html": "<script>&amp;</script>"}


def unicode_cases():
    yield "latin_and_scripts", {"fr": "déjà vu", "de": "Straße", "el": "Ωμέγα", "ru": "Привет", "zh": "中文", "ja": "日本語", "ar": "مرحبا", "he": "שלום", "hi": "नमस्ते", "th": "สวัสดี"}
    yield "emoji", {"smile": "😀", "thumb": "👍🏽", "flag": "🇺🇦", "family": "👨\u200d👩\u200d👧", "keycap": "1\ufe0f\u20e3"}
    yield "combining", {"e_acute": "e\u0301", "stack": "a\u0300\u0301\u0302", "hangul": "\u1100\u1161"}
    yield "non_printable", {
        "c1": "\x80\x85\x9f",
        "nbsp": "\xa0",
        "soft_hyphen": "\xad",
        "separators": "\u2028\u2029",
        "zero_width": "\u200b\u200c\u200d\u2060",
        "bom": "\ufeff",
        "ideographic_space": "\u3000",
        "tag": "\U000e0001\U000e0041",
        "private_use": "\ue000\U000f0000\U0010fffd",
        "unassigned": "\u0378\uffff\U0010ffff",
        "replacement": "\ufffd",
        "bidi": "\u202e\u2066",
    }
    yield "astral_printable", {"clef": "\U0001d11e", "cjk_ext_b": "\U00020000", "math": "\U0001d400", "cuneiform": "\U00012000"}
    yield "latin1_range", {"all": "".join(chr(i) for i in range(0x80, 0x100))}
    for start in range(0, 0x30000, 0x3000):
        yield "code_points_%05x" % start, {"s": sampled(start, start + 0x3000)}
    yield "code_points_planes_14_16", {"s": sampled(0xE0000, 0xE0200) + sampled(0xF0000, 0xF0100, 7) + sampled(0x10FF00, 0x110000, 7)}
    yield "unicode_version", unicodedata.unidata_version


def sampled(lo, hi, step=13):
    """Assigned, non-surrogate code points from lo to hi, every step-th."""
    return "".join(chr(c) for c in range(lo, hi, step)
                   if not 0xD800 <= c < 0xE000 and unicodedata.category(chr(c)) != "Cn")


def bytes_cases():
    yield "bytes_all_values", {"b": bytes(range(256))}
    yield "bytes_quotes", {"empty": b"", "single": b"'", "double": b'"', "both": b"'\"", "backslash": b"\\"}
    yield "bytes_png", {"content": b"\x89PNG\r\n\x1a\n", "encoding": None}


def number_cases():
    yield "ints", {"zero": 0, "neg": -1, "max64": 2**63 - 1, "min64": -(2**63), "over64": 2**63, "under64": -(2**63) - 1, "u64": 2**64, "googol": 10**100, "neg_big": -(10**200)}
    yield "floats", {
        "zero": 0.0, "neg_zero": -0.0, "one": 1.0, "tenth": 0.1, "small": 1e-07, "e16": 1e16, "e15": 1e15,
        "e15_frac": 123456789012345.6, "e_minus4": 1e-4, "e_minus5": 1e-5, "big": 1.5e300, "denormal": 5e-324,
        "max": 1.7976931348623157e308, "third": 1 / 3, "two53p1": 9007199254740993.0, "e22": 1e22, "e23": 1e23,
        "neg": -2.5, "e17": 1.2345678901234568e17, "money": 19.99,
    }
    yield "non_finite", {"inf": float("inf"), "neg_inf": float("-inf"), "nan": float("nan")}
    yield "constants", {"t": True, "f": False, "n": None}


def cases():
    for group in (neon_cases, container_cases, escape_cases, unicode_cases, bytes_cases, number_cases):
        yield from group()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    entries = [{"name": name, "repr": repr(value), "b64": dict_to_b64(value)} for name, value in cases()]
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names)), "duplicate case names"
    with open(out, "w", encoding="ascii") as f:
        json.dump(entries, f, indent=1, ensure_ascii=True)
        f.write("\n")


if __name__ == "__main__":
    main()
