#!/usr/bin/env bash
# `make demo`: the whole Pleura path on a fresh demo catalog, with the real binary.
set -euo pipefail
pleura=${1:-.build/release/pleura}
out=${DEMO_OUTPUT:-demo-output}
catalog="$out/catalog"
rm -rf "$out"
mkdir -p "$out/pictures"
export PLEURA_CATALOG="$catalog"

step() { printf '\n== %s\n' "$*"; }

step "init: a new catalog in $catalog"
"$pleura" init --site-name demo-site

step "synthesize: 12 synthetic patients with known labels and pleural ROIs"
"$pleura" synthesize --patients 12 --seed 1 --min-seconds 2.5 --max-seconds 6

step "transcode: every video to the study's format (640x480, 30 fps, H.264 MP4)"
"$pleura" transcode --all > "$out/transcode.log"
echo "converted $(grep -c 'converted to' "$out/transcode.log") videos (details: $out/transcode.log)"
"$pleura" transcode --all

# Output goes to files before it is searched: a reader that stops early must not cut off pleura.
"$pleura" videos --json > "$out/videos.json"
first_with_label() { awk -v want="\"$1\"," '$1 == "\"id\"" {id = $3} $1 == "\"label\"" && $3 == want {gsub(/[",]/, "", id); print id; exit}' "$out/videos.json"; }
present=$(first_with_label present)
absent=$(first_with_label absent)

step "pictures: a frame and an M-mode of a present and an absent video"
for video in "$present" "$absent"; do
  "$pleura" frame "$video" --at 1 -o "$out/pictures/frame-$video.png"
  "$pleura" mmode "$video" -o "$out/pictures/mmode-$video.png"
done

step "roi suggest: the pleural ROI found from the image, against the generator's truth"
"$pleura" roi suggest "$present" "$absent"
"$pleura" roi history "$present"
"$pleura" roi show "$present" --tile 30 -o "$out/pictures/roi-$present.png"

step "dataset build: the demo recipe and the study's all_30x30"
"$pleura" dataset build demo
"$pleura" dataset build all_30x30
"$pleura" dataset list

step "split: patient-wise, stratified by label"
"$pleura" split all_30x30@1 --seed 42

step "train: a narrow ResNet3D-18 (width 1/16) on all_30x30@1, 6 epochs, lowest validation loss kept"
"$pleura" train all_30x30@1 --width 0.0625 --epochs 6 --json > "$out/train.json"
model=$(grep -m1 -o 'model_[0-9a-f]*' "$out/train.json")
echo "model $model"

step "evaluate on the test patients"
"$pleura" evaluate "$model"

step "explain: vanilla gradient and SmoothGrad (the study's Figure 5)"
"$pleura" explain "$model" -o "$out/pictures/saliency"

step "experiment: Table 4 for the demo rows"
"$pleura" experiment paper-grid --width 0.0625 --epochs 6 --rows 18:all_30x30,18:demo -o "$out/experiment"

step "fine-tune: the model on a small second collection (6 patients), conv1 and stage 1 held"
"$pleura" synthesize --patients 6 --seed 2 --min-seconds 2.5 --max-seconds 4 > "$out/site_b.log"
"$pleura" transcode --all >> "$out/site_b.log"
# The demo recipe, restricted to the second collection's patients.
codes=$(for i in 1 2 3 4 5 6; do printf '"SYN-2-%03d",' "$i"; done)
sed -e 's/"name": "demo"/"name": "site_b"/' \
  -e 's/"description": "[^"]*"/"description": "The demo recipe on the second collection only."/' \
  -e "s/\"patients\": \[\]/\"patients\": [${codes%,}]/" \
  "$(dirname "$0")/../datasets/demo.json" > "$out/site_b.json"
"$pleura" dataset build "$out/site_b.json" >> "$out/site_b.log"
"$pleura" split site_b@1 --seed 42 >> "$out/site_b.log"
"$pleura" train site_b@1 --init "$model" --freeze-stages 1 --lr 0.0003 --epochs 3 --json > "$out/fine-tune.json"
tuned=$(grep -m1 -o 'model_[0-9a-f]*' "$out/fine-tune.json")
"$pleura" evaluate "$tuned"
"$pleura" models --lineage

step "lineage of the model"
"$pleura" lineage "$model" > "$out/lineage-model.txt"
sed -n 1,8p "$out/lineage-model.txt"
echo "   ... (the whole tree: $out/lineage-model.txt)"

step "status"
"$pleura" status

step "lineage of the all_30x30 dataset"
"$pleura" dataset show all_30x30@1 --json > "$out/dataset.json"
dataset=$(grep -m1 -o 'ds_[0-9a-f]*' "$out/dataset.json")
"$pleura" lineage "$dataset" > "$out/lineage-dataset.txt"
sed -n 1,12p "$out/lineage-dataset.txt"
echo "   ... (the whole tree: $out/lineage-dataset.txt)"

step "verify"
"$pleura" verify

step "share: export all_30x30@1 (pseudonymised) and import it at a second site"
"$pleura" export all_30x30@1 -o "$out/all_30x30-1.tar.zst" --pseudonymize --key-file "$out/site.key"
"$pleura" bundle verify "$out/all_30x30-1.tar.zst"
"$pleura" init --catalog "$out/second-site" --site-name second-site
"$pleura" import "$out/all_30x30-1.tar.zst" --catalog "$out/second-site"
"$pleura" import "$out/all_30x30-1.tar.zst" --catalog "$out/second-site"
"$pleura" dataset list --catalog "$out/second-site"
"$pleura" verify --catalog "$out/second-site"

step "report: the experiment as one offline HTML file"
"$pleura" report -o "$out/report.html"

printf '\nPictures are in %s/pictures; the catalog is %s.\n' "$out" "$catalog"
printf '\nThe curation workbench on this catalog (then open the address it prints):\n'
printf '  %s serve --catalog %s\n' "$pleura" "$catalog"
