#!/usr/bin/env bash
# Upload the spreadsheet attacks of issue 10 to a running `navet serve` and
# report, per file: the answer, its size, the slowest /healthz seen while the
# upload was processed, and the server's peak memory (VmHWM) so far.
#
#   cargo build --release -p navet
#   scripts/import-attack.sh target/release/navet
set -euo pipefail
NAVET=${1:-target/release/navet}
PORT=${PORT:-18089}
DIR=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
URL=http://127.0.0.1:$PORT
DB=sqlite://$DIR/navet.db

"$NAVET" migrate --database-url "$DB" >/dev/null
echo 'attack-password-123' | "$NAVET" user add --database-url "$DB" --email a@test.se \
  --name Admin --role admin --password-stdin >/dev/null
"$NAVET" serve --port "$PORT" --database-url "$DB" >"$DIR/serve.log" 2>&1 &
PID=$!
for _ in $(seq 50); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done

J=$DIR/cookies
token() { grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
T=$(curl -s -c "$J" -b "$J" "$URL/login" | token)
curl -s -c "$J" -b "$J" -o /dev/null -H "Origin: $URL" \
  --data-urlencode "_csrf=$T" --data-urlencode "email=a@test.se" \
  --data-urlencode "password=attack-password-123" --data-urlencode "next=/" "$URL/login"
PAGE=$(curl -s -c "$J" -b "$J" "$URL/personal/import")
T=$(echo "$PAGE" | token)
MUNI=$(echo "$PAGE" | grep -o '<option value="[0-9][0-9]*"' | head -1 | grep -o '[0-9]*')

python3 - "$DIR" <<'PY'
import sys, zipfile
d = sys.argv[1]
def xlsx(name, rows):
    with zipfile.ZipFile(f"{d}/{name}", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/workbook.xml", '<workbook xmlns:r="r"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + rows + "</sheetData></worksheet>")
head = '<row r="1"><c r="A1" t="inlineStr"><is><t>Anställningsnummer</t></is></c></row>'
cell = lambda at, r: f'<row r="{r}"><c r="{at}" t="inlineStr"><is><t>x</t></is></c></row>'
xlsx("xfd.xlsx", head + cell("XFD1048576", 1048576))
xlsx("z.xlsx", head + cell("Z1000000", 1000000))
# 29 MB of XML in about 70 kB: many short rows with a value each.
xlsx("inflate.xlsx", head + '<row><c><v>1</v></c><c><v>2</v></c></row>' * 700_000)
xlsx("bomb.xlsx", head + "<!--" + "z" * 60_000_000 + "-->")
with open(f"{d}/million.csv", "w") as f:
    f.write("Anställningsnummer;Namn;E-post;Yrkesroll;Enhet;Kön\n")
    for i in range(1_000_000):
        f.write(f"{i};a;b;c;d;e\n")
with open(f"{d}/80000.csv", "w") as f:
    f.write("Anställningsnummer;Namn;E-post;Yrkesroll;Enhet;Kön\n")
    for i in range(80_000):
        f.write(f"{i};Person {i};p{i}@x.se;Undersköterska;Enhet {i};kvinna\n")
PY

printf '%-14s %9s %6s %9s %12s %10s  %s\n' file size status answer "max healthz" VmHWM message
for f in xfd.xlsx z.xlsx inflate.xlsx bomb.xlsx 80000.csv million.csv; do
  : >"$DIR/probe"
  curl -s -b "$J" -H "Origin: $URL" -o "$DIR/answer" -w '%{http_code}' \
    -F "_csrf=$T" -F "municipality=$MUNI" -F "file=@$DIR/$f" "$URL/personal/import" >"$DIR/status" &
  UP=$!
  while kill -0 $UP 2>/dev/null; do
    curl -s -o /dev/null -w '%{time_total}\n' "$URL/healthz" >>"$DIR/probe"
    sleep 0.1
  done
  wait $UP || true
  MAX=$(sort -g "$DIR/probe" | tail -1)
  HWM=$(grep VmHWM /proc/$PID/status | awk '{print $2/1024 " MB"}')
  MSG=$(grep -o '<div class="error-summary" role="alert"><p>[^<]*\|<h2>Filen innehåller fel ([0-9]*)' "$DIR/answer" | head -1 | sed 's/<[^>]*>//g' | cut -c1-90)
  printf '%-14s %9s %6s %9s %11ss %10s  %s\n' "$f" "$(stat -c %s "$DIR/$f")" "$(cat "$DIR/status")" \
    "$(stat -c %s "$DIR/answer")" "${MAX:-0}" "$HWM" "$MSG"
done
