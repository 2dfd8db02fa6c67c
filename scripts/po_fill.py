"""Fills empty msgstr entries of a .po file from a JSON object on stdin (msgid -> msgstr), whether or not
makemessages wrapped the msgid over several lines. Usage: scripts/po_fill.py app/locale/ja/LC_MESSAGES/django.po < table.json"""

import json
import re
import sys
from pathlib import Path

path = sys.argv[1]
table = json.load(sys.stdin)
text = Path(path).read_text(encoding="utf-8")


def unquote(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)).replace('\\"', '"').replace("\\\\", "\\")


def esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


entry = re.compile(r'(msgid ((?:"(?:[^"\\\n]|\\.)*"\n)+))msgstr ""\n(?!")', re.M)
found = set()


def fill(match):
    msgid = unquote(match.group(2))
    if msgid in table:
        found.add(msgid)
        return f'{match.group(1)}msgstr "{esc(table[msgid])}"\n'
    return match.group(0)


text = entry.sub(fill, text)
for msgid in set(table) - found:
    print("missing:", msgid, file=sys.stderr)
# The header comes first and makemessages marks it fuzzy; entries it guessed stay fuzzy for a person to check.
text = re.sub(r'\A((?:#[^\n]*\n)*?)#, fuzzy\n(msgid ""\n)', r"\1\2", text)
Path(path).write_text(text, encoding="utf-8")
