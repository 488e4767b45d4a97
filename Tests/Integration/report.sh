#!/usr/bin/env bash
# report.html (#17): train writes it at the end of a run and 'bstrain report RUN' writes it
# again; the page is self-contained (no http(s) reference, figures inline) and holds the five
# plots and a gallery of the most confident test errors. In headless Chromium it renders
# without console messages (the page has no script, so any is an error), its DOM has the
# figures, and a screenshot is kept in $BSTRAIN_TEST_OUTPUT/report (default
# .build/test-output/report). Without chromium those browser checks are skipped, with a message.
source "$(dirname "$0")/lib.sh"
output="${BSTRAIN_TEST_OUTPUT:-$repository/.build/test-output}/report"
mkdir -p "$output"

"$bstrain" synth "$work/synth" --images-per-class 30 > /dev/null
# One short epoch: a model that still errs, so the gallery has something to show.
"$bstrain" train --model tiny --train "$work/synth/train" --val "$work/synth/val" --test "$work/synth/test" \
    --image-size 32 --epochs 1 --batch 12 --threads 2 --run-dir "$work/run" --log-format quiet > "$work/train.txt"
page="$work/run/report.html"
[[ -s "$page" ]] || fail "train wrote no report.html"
grep -q "report: $page" "$work/train.txt" || fail "train does not say where the report is: $(cat "$work/train.txt")"
errors=$(python3 - "$work/run/predictions-test.csv" "$work/synth/test" <<'PY'
import csv, pathlib, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(sum(pathlib.Path(row["path"]).parent.name != row["predicted"] for row in rows))
PY
)
expected_images=$((errors < 8 ? errors : 8))
(( expected_images > 0 )) || fail "the one-epoch model made no test error, so the gallery cannot be checked"

# One picture covers one class of two: the gallery must not need every class (it once did).
"$bstrain" report "$work/run" --threads 2 --gallery 1 > /dev/null
[[ $(grep -o 'src="data:image/jpeg;base64,' "$page" | wc -l) -eq 1 ]] || fail "report --gallery 1 does not show one error"

rm "$page"
"$bstrain" report "$work/run" --threads 2 > /dev/null
[[ -s "$page" ]] || fail "bstrain report wrote no report.html"
if grep -qE '(src|href)="(https?:)?//' "$page"; then fail "report.html references the network: $(grep -oE '(src|href)="[^"]*' "$page" | head -3)"; fi
[[ $(grep -o '<svg' "$page" | wc -l) -eq 5 ]] || fail "report.html does not hold the five plots"
[[ $(grep -o 'src="data:image/jpeg;base64,' "$page" | wc -l) -eq $expected_images ]] \
    || fail "report.html does not show the $expected_images most confident errors inline"

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
    echo "report: chromium not installed (apt-get install chromium); skipping the browser checks"
    exit 0
fi
browse() { timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --enable-logging=stderr --v=0 "$@" "file://$page"; }
browse --dump-dom > "$work/dom.html" 2> "$work/dom-log.txt" || fail "chromium could not load the page: $(tail -3 "$work/dom-log.txt")"
browse --screenshot="$output/report.png" --window-size=1280,4000 > /dev/null 2> "$work/shot-log.txt" \
    || fail "chromium could not take a screenshot: $(tail -3 "$work/shot-log.txt")"
[[ -s "$output/report.png" ]] || fail "no screenshot at $output/report.png"
if grep -h "CONSOLE" "$work/dom-log.txt" "$work/shot-log.txt"; then fail "the page logged to the console (above)"; fi
svgs=$(grep -o '<svg' "$work/dom.html" | wc -l)
images=$(python3 - "$work/dom.html" <<'PY'
import base64, html.parser, sys
PREFIX = "data:image/jpeg;base64,"
class Images(html.parser.HTMLParser):
    count = 0
    def handle_starttag(self, tag, attributes):
        source = dict(attributes).get("src", "")
        if tag == "img" and source.startswith(PREFIX):
            assert base64.b64decode(source[len(PREFIX):])[:3] == b"\xff\xd8\xff", "a gallery image is not a JPEG"
            self.count += 1
parser = Images()
parser.feed(open(sys.argv[1]).read())
print(parser.count)
PY
)
[[ $svgs -eq 5 && $images -eq $expected_images ]] \
    || fail "the rendered page has $svgs SVG figures and $images gallery images; expected 5 and $expected_images"
echo "report: ok ($svgs figures, $images gallery images; screenshot $output/report.png)"
