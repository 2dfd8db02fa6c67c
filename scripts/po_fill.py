"""Fills msgstr for msgids in a .po file from a JSON object on stdin: scripts/po_fill.py app/locale/ja/LC_MESSAGES/django.po < table.json"""
import json, re, sys
path = sys.argv[1]; table = json.load(sys.stdin)
text = open(path, encoding="utf-8").read()
def esc(s): return s.replace("\\", "\\\\").replace('"', '\\"')
for msgid, msgstr in table.items():
    pattern = re.compile(r'(msgid "' + re.escape(esc(msgid)) + r'"\nmsgstr )""', re.M)
    text, n = pattern.subn(lambda m: m.group(1) + '"' + esc(msgstr) + '"', text)
    if not n: print("missing:", msgid, file=sys.stderr)
text = text.replace("#, fuzzy\n", "", 1)
open(path, "w", encoding="utf-8").write(text)
