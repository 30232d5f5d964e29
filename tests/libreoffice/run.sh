#!/bin/sh
# tests/libreoffice/run.sh: the LibreOffice proof of issue 10.  Survey text
# that starts like a formula (=HYPERLINK(...), +, -, @) opens in LibreOffice
# Calc as text: in report.xlsx a string cell showing the literal text, and
# in tables/custom.csv (imported with formula evaluation on) the same.  Two
# control files holding real formulas show that the checks would see one.
# And (issue 18) the sample's report.xlsx prints to PDF in at most 40 pages.
#   CALLSURVEY=build/callsurvey sh tests/libreoffice/run.sh
# Runs soffice headless under env -i with a private HOME and profile
# (-env:UserInstallation), each conversion under a time limit.
top=$(cd "$(dirname "$0")/../.." && pwd)
CS=$(cd "$(dirname "${CALLSURVEY:-$top/build/callsurvey}")" && pwd)/$(basename "${CALLSURVEY:-callsurvey}")
SOFFICE=$(command -v soffice || command -v libreoffice) || {
    echo "libreoffice: soffice not found; install libreoffice-calc-nogui (make deps)" >&2
    exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
start=$(date +%s.%N)
cp "$top/tests/libreoffice/check.py" "$work/"
cd "$work" || exit 1
run() { # soffice under a clean environment with its own profile
    env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 TZ=UTC HOME="$work/home" \
        timeout -k 5 120 "$SOFFICE" "-env:UserInstallation=file://$work/profile" \
        --headless --norestore --nologo --nolockcheck "$@" >>soffice.log 2>&1
}
# A report whose custom answers start with = + - @, and the controls.
/usr/bin/python3 check.py make || exit 1
env -i PATH=/usr/bin:/bin LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1795000000 \
    "$CS" report -q --formats xlsx,csv -o out s.jsonl --custom events.jsonl || exit 1
cp out/report.xlsx out/tables/custom.csv .
# xlsx -> ods: LibreOffice's own reading of each cell
run --convert-to ods --outdir conv report.xlsx control-xlsx.xlsx || { cat soffice.log; exit 1; }
# csv -> ods with "evaluate formulas" on (CSV filter token 13)
csvopt='44,34,76,1,,0,false,true,false,false,false,false,true'
run --infilter="Text - txt - csv (StarCalc):$csvopt" --convert-to ods --outdir conv \
    custom.csv control-csv.csv || { cat soffice.log; exit 1; }
/usr/bin/python3 check.py check || { cat soffice.log; exit 1; }
# issue 18: the sample's default report.xlsx prints to at most 40 pages
env -i PATH=/usr/bin:/bin LC_ALL=C TZ=UTC "$CS" report -q --formats xlsx -o sample \
    "$top/sample-data" || exit 1
run --convert-to pdf --outdir printed sample/report.xlsx || { cat soffice.log; exit 1; }
pages=$(pdfinfo printed/report.pdf | sed -n 's/^Pages: *//p')
[ -n "$pages" ] && [ "$pages" -le 40 ] || {
    echo "libreoffice: report.xlsx prints to ${pages:-no} pages (limit 40)" >&2; exit 1; }
end=$(date +%s.%N)
echo "libreoffice: passed ($("$SOFFICE" --version 2>/dev/null | head -1 | cut -d' ' -f1,2), $(awk "BEGIN{printf \"%.1f\", $end - $start}") s)"
